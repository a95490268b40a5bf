"""Queue ticket: choose a business type, the platform issues a ticket, it is printed and shown as a
QR code. The ticket is valid whether or not the paper came out, so a print failure still ends
with the number on screen (and a QR code to carry it on a phone). The ticket screen offers the
evaluation (flows/evaluate.py) beside "done".

Printing goes through flows/common.print_journaled, i.e. the printer's PrintQueue
(devices/printer/jobs.py): journaled before a byte is sent, status first, one job at a time."""
from __future__ import annotations

import secrets
from typing import Any

from devices.printer.document import Divider, Document, Paragraph, QRCode, Row, Title
from flows.base import INPUT, PLATFORM, PRINT, RESULT
from flows.common import footer, platform_error_texts, print_journaled, printer_usable, refresh_view
from flows.engine import COMPLETED, TIMED_OUT, Flow, Option, Step, View
from flows.evaluate import Evaluate
from kiosk.platform.api import QueueType, Ticket
from kiosk.i18n.translator import Msg, Plain
from kiosk.i18n.languages import is_bilingual


class QueueTicketFlow(Evaluate, Flow):
    id = "queue_ticket"
    title = Msg("flow.queue_ticket.title")
    needs = ("platform",)  # paper out: the number on screen with its QR code (issue 15 #5)
    initial = "loading"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        to = ctx.config.timeouts
        waits = {PLATFORM: (to.platform_s, False), PRINT: (to.print_s, False), INPUT: (to.result_s, True),
                 RESULT: (to.result_s, True)}
        self.steps = tuple(Step(name, *waits[role]) for name, role in self.plan())
        self.evaluated = self.id  # the ticket is issued before the evaluation is offered
        self.types: list[QueueType] = []
        self.ticket: Ticket | None = None
        self.printed = False
        self.print_error: str | None = None
        self._keys: dict[str, str] = {}

    def plan(self) -> tuple[tuple[str, str], ...]:
        """(step, role) pairs: the role sets the step's timeout and whether idle applies."""
        return (("loading", PLATFORM), ("choose", INPUT), ("issuing", PLATFORM), ("printing", PRINT),
                ("ticket", RESULT), ("error", INPUT), *self.evaluate_plan())

    # loading -------------------------------------------------------------------------------
    def enter_loading(self) -> View:
        self.work(self.ctx.platform.queue_types)
        return View("waiting", Msg("queue.loading.title"), Msg("common.please_wait"))

    def on_loading(self, event: str, data: dict[str, Any]) -> None:
        if event == "done":
            self.types = list(data["value"])
            self.goto("choose")
        elif event == "failed":
            self._platform_failed(data["error"])

    # choose --------------------------------------------------------------------------------
    def enter_choose(self) -> View:
        options = tuple(
            Option(t.id, t.title, Msg("queue.option.detail", waiting=t.waiting, counters=Plain(t.counter_group)))
            for t in self.types)
        return View("choice", Msg("queue.choose.title"), Msg("queue.choose.body"), options=options)

    def on_choose(self, event: str, data: dict[str, Any]) -> None:
        if event == "choose" and any(t.id == data.get("option") for t in self.types):
            self.goto("issuing", type_id=data["option"])

    # issuing -------------------------------------------------------------------------------
    def enter_issuing(self, type_id: str) -> View:
        # One key per business type per session: a retry after a timeout asks the platform for
        # the same ticket again instead of taking a second number.
        key = self._keys.setdefault(type_id, f"{self.ctx.session.id}-{type_id}-{secrets.token_hex(4)}")
        terminal = self.ctx.config.terminal.id
        self.work(lambda: self.ctx.platform.issue_ticket(type_id, terminal, key))
        return View("waiting", Msg("queue.issuing.title"), Msg("common.please_wait"))

    def on_issuing(self, event: str, data: dict[str, Any]) -> None:
        if event == "done":
            self.ticket = data["value"]
            self.ctx.journal.outbox_put("queue_ticket_issued", {
                "terminal": self.ctx.config.terminal.id, "type": self.ticket.type_id,
                "number": self.ticket.number, "session": self.ctx.session.id,
            }, idempotency_key=f"ticket-{self.ticket.number}-{self.ctx.session.id}")
            if printer_usable(self.ctx):
                self.goto("printing")
            else:  # paper out: the number and its QR code on screen, no print attempt that must fail
                self.goto("ticket", print_error="printer_unavailable")
        elif event == "failed":
            self._platform_failed(data["error"])

    # printing ------------------------------------------------------------------------------
    def enter_printing(self) -> View:
        doc = self.receipt()
        self.work(lambda: print_journaled(self.ctx, self.id, doc))
        return View("waiting", Msg("print.printing.title"), Msg("print.printing.body"), cancelable=False,
                    data={"progress": True})

    @property
    def printed_once(self) -> bool:
        """As flows/printing.Printing: the done screen says "take your receipt" only if True."""
        return self.printed

    def on_printing(self, event: str, data: dict[str, Any]) -> None:
        if event == "done":
            self.printed = True
            self.goto("ticket")
        elif event == "failed":
            self.printed = False
            self.goto("ticket", print_error=getattr(data["error"], "reason", "print_failed"))

    def on_timeout(self, step: str) -> None:
        if step == "printing":
            self.goto("ticket", print_error="timeout")
        elif step == "choose":
            self.finish(TIMED_OUT)  # nobody chose: the citizen has gone
        elif step in ("ticket", "error"):
            self.finish(COMPLETED if step == "ticket" else "failed")
        elif step.startswith("evaluate"):
            getattr(self, f"timeout_{step}")()
        else:
            super().on_timeout(step)

    # ticket --------------------------------------------------------------------------------
    def enter_ticket(self, print_error: str | None = None) -> View:
        t = self.ticket
        assert t is not None
        body = Msg("queue.ticket.printed") if print_error is None else Msg("queue.ticket.not_printed")
        self.print_error = print_error
        options = [self.evaluate_option(), Option("done", Msg("action.done"))]
        if print_error is not None and printer_usable(self.ctx):  # it returns with the printer
            options.insert(0, Option("reprint", Msg("action.reprint")))
        return View("ticket", Msg("queue.ticket.title"), body, options=tuple(options), data={
            "number": t.number, "qr": t.verify_url, "type_title": t.title,
            "counters": t.counter_group, "waiting": t.waiting, "print_error": print_error,
        })

    def on_ticket(self, event: str, data: dict[str, Any]) -> None:
        if event == "choose" and data.get("option") == "reprint":
            if printer_usable(self.ctx):
                self.goto("printing")
        elif event == "device_status" and data.get("name") == "printer" and self.print_error is not None:
            refresh_view(self, self.enter_ticket(self.print_error))
        else:
            self.handle_final(event, data)

    def receipt(self) -> Document:
        t = self.ticket
        assert t is not None
        ctx = self.ctx
        title, title_zh = ctx.tr_pair(Msg("queue.receipt.title"))
        waiting, waiting_zh = ctx.tr_pair(Msg("queue.receipt.waiting", waiting=t.waiting))
        counters, counters_zh = ctx.tr_pair(Msg("queue.receipt.counters"))
        return Document("queue_ticket", ctx.lang, (
            Title(title, title_zh),
            Paragraph(t.number, size="huge"),
            Paragraph(t.title.get(ctx.lang), t.title.zh if is_bilingual(ctx.lang) else None),
            Row(counters, t.counter_group, counters_zh),
            Paragraph(waiting, waiting_zh),
            Divider(),
            QRCode(t.verify_url),
            footer(ctx),
        ))

    # error ---------------------------------------------------------------------------------
    def _platform_failed(self, error: BaseException) -> None:
        title, body, reason = platform_error_texts(error, self.ctx.config.terminal.staffed_hours)
        self.goto("error", title=title, body=body, reason=reason)

    def enter_error(self, title: Msg, body: Msg, reason: str) -> View:
        self.last_error = reason
        return View("error", title, body, options=(Option("retry", Msg("action.retry")),
                                                    Option("home", Msg("action.back_to_start"))),
                    data={"reason": reason})

    def on_error(self, event: str, data: dict[str, Any]) -> None:
        if event == "choose" and data.get("option") == "retry":
            self.goto("issuing", type_id=self._retry_type()) if self.types and self._keys else self.goto("loading")
        elif event == "choose":
            self.finish("failed")

    def _retry_type(self) -> str:
        return next(reversed(self._keys))
