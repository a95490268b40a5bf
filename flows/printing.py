"""Print a receipt and say how it went: the printing step (paper moves: no cancel), then the
printed step with a reprint when it failed and a QR code to carry the document on a phone
instead (DESIGN: a faulty printer has an alternative where one exists).

A reprint is a new print job: the failed one stays in the journal as failed, the new one is
journaled on its own (flows/common.print_journaled), so nothing prints twice by accident and
nothing is lost."""
from __future__ import annotations

from typing import Any, Sequence

from devices.printer.document import Document
from flows.base import PRINT, RESULT
from flows.common import print_journaled, printer_usable, refresh_view
from flows.engine import Option, View
from kiosk.i18n.translator import Msg


class Printing:
    """Mixin for a ServiceFlow with the Evaluate mixin. Write `receipt()` and `receipt_qr()`."""

    ctx: Any
    print_error: str | None = None
    printed_once: bool = False

    def print_plan(self) -> Sequence[tuple[str, str]]:
        return (("printing", PRINT), ("printed", RESULT))

    def receipt(self) -> Document:
        raise NotImplementedError

    def receipt_qr(self) -> str | None:
        """What the screen shows as a QR code when the paper did not come out."""
        return None

    def enter_printing(self) -> View:
        doc = self.receipt()
        self.work(lambda: print_journaled(self.ctx, self.id, doc))
        return View("waiting", Msg("print.printing.title"), Msg("print.printing.body"), cancelable=False,
                    data={"progress": True})

    def on_printing(self, event: str, data: dict[str, Any]) -> None:
        if event == "done":
            self.print_error, self.printed_once = None, True
            self.goto("printed")
        elif event == "failed":
            self.print_error = str(getattr(data["error"], "reason", "") or "print_failed")
            self.goto("printed")

    def timeout_printing(self) -> None:
        # The job may still come out; the citizen is told it did not, with a reprint and the QR.
        self.print_error = "timeout"
        self.goto("printed")

    def enter_printed(self) -> View:
        hours = self.ctx.config.terminal.staffed_hours
        if self.print_error is None:
            return View("result", Msg("printed.title"), Msg("printed.body"), options=self.final_options(),
                        data={"rows": (), "qr": None, "print_error": None})
        # A reprint is offered only while the printer can print: with it still out, "reprint" as
        # the first button failed again without a word. It comes back when the printer does.
        reprint = (Option("reprint", Msg("action.reprint")),) if self._printer_usable() else ()
        return View("result", Msg("printed.failed.title"), Msg("printed.failed.body", hours=hours),
                    options=self.final_options(*reprint),
                    data={"rows": (), "qr": self.receipt_qr(), "print_error": self.print_error})

    def _printer_usable(self) -> bool:
        return printer_usable(self.ctx)

    def on_printed(self, event: str, data: dict[str, Any]) -> None:
        if event == "choose" and data.get("option") == "reprint" and self.print_error is not None:
            if self._printer_usable():
                self.goto("printing")
        elif event == "device_status" and data.get("name") == "printer" and self.print_error is not None:
            refresh_view(self, self.enter_printed())  # the reprint button follows the printer
        else:
            self.handle_final(event, data)
