"""Print a document and say how it went: the printing step (paper moves: no cancel), then the
printed step with a reprint when it failed and a QR code to carry the document on a phone
instead (DESIGN: a faulty printer has an alternative where one exists).

Which printer: flows/common.print_route, per document kind ([printing] in the config; docs/a4.md).
Official documents go to the A4 printer when one is fitted and healthy; when it is not, to the
receipt printer or, by config, to nobody: the screen then shows the document's QR code. Either
way the screen says so in words.

A reprint is a new print job: the failed one stays in the journal as failed, the new one is
journaled on its own (flows/common.print_journaled), so nothing prints twice by accident and
nothing is lost."""
from __future__ import annotations

from typing import Any, Sequence

from devices.printer.document import Document
from flows.base import PRINT, RESULT
from flows.common import A4, RECEIPT, PrintRoute, can_print, print_journaled, print_route, refresh_view
from flows.engine import Option, View
from kiosk.i18n.translator import Msg

A4_UNAVAILABLE = "a4_unavailable"  # print_error when nothing was printed by choice (fallback "screen")


class Printing:
    """Mixin for a ServiceFlow with the Evaluate mixin. Write `receipt()` and `receipt_qr()`;
    set `document_kind` to the Document kind of an official document (the start screen asks
    whether it can leave the kiosk: flows/common.can_serve). Start printing with
    `start_printing()`."""

    ctx: Any
    document_kind: str = ""
    print_error: str | None = None
    printed_once: bool = False
    route: PrintRoute = PrintRoute(RECEIPT)
    a4_failed: bool = False  # a job of this flow failed on the A4 printer: reprints take the fallback

    def print_plan(self) -> Sequence[tuple[str, str]]:
        return (("printing", PRINT), ("printed", RESULT))

    def receipt(self) -> Document:
        raise NotImplementedError

    def receipt_qr(self) -> str | None:
        """What the screen shows as a QR code when the paper did not come out."""
        return None

    def start_printing(self) -> None:
        """To the printing step, or, when no printer may print it now (A4 down, fallback
        "screen"), straight to the printed step with the QR code and the reason in words."""
        self.route = self._next_route()
        if self.route.device is None:
            self.print_error = A4_UNAVAILABLE
            self.goto("printed")
        else:
            self.goto("printing")

    def enter_printing(self) -> View:
        doc = self.receipt()
        device = self.route.device or RECEIPT
        self.work(lambda: print_journaled(self.ctx, self.id, doc, device))
        body = "print.printing.a4.body" if device == A4 else "print.printing.body"
        return View("waiting", Msg("print.printing.title"), Msg(body), cancelable=False,
                    data={"progress": True})

    def on_printing(self, event: str, data: dict[str, Any]) -> None:
        if event == "done":
            self.print_error, self.printed_once = None, True
            self.goto("printed")
        elif event == "failed":
            self.print_error = str(getattr(data["error"], "reason", "") or "print_failed")
            self.a4_failed = self.a4_failed or self.route.device == A4
            self.goto("printed")

    def timeout_printing(self) -> None:
        # The job may still come out; the citizen is told it did not, with a reprint and the QR.
        self.print_error = "timeout"
        self.goto("printed")

    def enter_printed(self) -> View:
        hours = self.ctx.config.terminal.staffed_hours
        if self.print_error is None:
            body = (Msg("printed.a4.body") if self.route.device == A4 else
                    Msg("printed.a4_fallback.body", hours=hours) if self.route.a4_down else Msg("printed.body"))
            return View("result", Msg("printed.title"), body, options=self.final_options(),
                        data={"rows": (), "qr": None, "print_error": None})
        # A reprint is offered only while a printer can print it: with it still out, "reprint" as
        # the first button failed again without a word. It comes back when the printer does.
        reprint = (Option("reprint", Msg("action.reprint")),) if self._printer_usable() else ()
        after = self._next_route()
        if self.print_error == A4_UNAVAILABLE:
            title, body = Msg("printed.a4_screen.title"), Msg("printed.a4_screen.body", hours=hours)
        elif after.a4_down and after.device is None:  # the A4 job failed; no paper by config
            title, body = Msg("printed.failed.title"), Msg("printed.a4_screen.body", hours=hours)
        elif self.route.device == A4 and reprint and after.device == RECEIPT:
            title, body = Msg("printed.failed.title"), Msg("printed.a4_failed.body", hours=hours)
        else:
            title, body = Msg("printed.failed.title"), Msg("printed.failed.body", hours=hours)
        return View("result", title, body, options=self.final_options(*reprint),
                    data={"rows": (), "qr": self.receipt_qr(), "print_error": self.print_error})

    def _next_route(self) -> PrintRoute:
        return print_route(self.ctx, self.document_kind or "receipt", self.a4_failed)

    def _printer_usable(self) -> bool:
        return can_print(self.ctx, self.document_kind or "receipt", self.a4_failed)

    def on_printed(self, event: str, data: dict[str, Any]) -> None:
        if event == "choose" and data.get("option") == "reprint" and self.print_error is not None:
            if self._printer_usable():
                self.start_printing()
        elif event == "device_status" and data.get("name") in (RECEIPT, A4) and self.print_error is not None:
            refresh_view(self, self.enter_printed())  # the reprint button follows the printers
        else:
            self.handle_final(event, data)
