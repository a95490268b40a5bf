"""Pieces every flow shares: what to tell the citizen when something outside the kiosk fails,
and how a receipt is printed without being lost or doubled."""
from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

from devices.printer.document import Document, Footer, Row
from devices.printer.jobs import PrintQueue
from kiosk.platform.api import CitizenRef, PlatformError, PlatformRejected, PlatformUnavailable
from kiosk.i18n.translator import Msg

log = logging.getLogger(__name__)

# Refusals a citizen can do something about get their own words; the rest share the generic text.
REFUSAL_TEXTS = {
    "citizen_not_found": ("error.citizen_not_found.title", "error.citizen_not_found.body"),
    "verification_required": ("error.verification_required.title", "error.verification_required.body"),
}


def platform_error_texts(error: BaseException, staffed_hours: str) -> tuple[Msg, Msg, str]:
    """(title, body, reason) for a failed platform call, in words a citizen can act on."""
    if isinstance(error, PlatformUnavailable):
        return (Msg("error.platform_down.title"), Msg("error.platform_down.body", hours=staffed_hours), error.reason)
    if isinstance(error, PlatformRejected):
        if error.code in REFUSAL_TEXTS:
            title, body = REFUSAL_TEXTS[error.code]
            return Msg(title), Msg(body, hours=staffed_hours), f"rejected:{error.code}"
        return (Msg("error.platform_rejected.title"), Msg("error.platform_rejected.body", hours=staffed_hours),
                f"rejected:{error.code}")
    if isinstance(error, PlatformError):
        return (Msg("error.platform_fault.title"), Msg("error.platform_fault.body", hours=staffed_hours), error.reason)
    return (Msg("error.failsafe.title"), Msg("error.failsafe.body"), f"bug:{type(error).__name__}")


def footer(ctx: Any) -> Footer:
    return Footer(time=ctx.clock.now().strftime("%Y-%m-%d %H:%M"), terminal_id=ctx.config.terminal.id)


_queues: "weakref.WeakKeyDictionary[Any, PrintQueue]" = weakref.WeakKeyDictionary()
_queues_lock = threading.Lock()


def print_queue(ctx: Any) -> PrintQueue:
    """The printer's one PrintQueue: its lock keeps two flows (or a double tap) from putting two
    jobs on the paper at once, so there is one per printer, not one per flow."""
    if getattr(ctx, "print_queue", None) is not None:
        return ctx.print_queue
    with _queues_lock:
        queue = _queues.get(ctx.printer)
        if queue is None or queue.journal is not ctx.journal:
            queue = PrintQueue(ctx.printer, ctx.journal)
            _queues[ctx.printer] = queue
        return queue


def print_journaled(ctx: Any, flow_id: str, doc: Document) -> None:
    """Journal the job, print it, complete the journal entry. Runs in a worker thread.

    Through devices/printer/jobs.PrintQueue: the job row is written *before* the printer sees a
    byte, so a power cut leaves a 'pending' row a technician (and the restart logic) can find;
    the printer's status is asked first; the row is 'done' only after the printer accepted the
    whole document. Raises PrintError (`reason`) when it did not print. A reprint after a
    failure is a new call, so a new job row: the failed one stays in the journal as it was."""
    print_queue(ctx).print_document(doc, ctx.session.id, flow_id)


def citizen(ctx: Any) -> CitizenRef:
    """The identified citizen, for a platform call: read from the session, never kept by a flow."""
    return CitizenRef(ctx.session.personal("id_number", ""), ctx.session.personal("verification", ""))


def refresh_view(flow: Any, view: Any, touch: bool = False) -> None:
    """Show a changed view of the current step without entering it again: its pending work, its
    place in the history and (unless `touch`: the citizen is busy here) its deadline stay."""
    runner = flow.runner
    if runner is None or runner.ended or runner.step is None:
        return
    if touch and runner.deadline is not None:
        spec = next((s for s in flow.steps if s.name == runner.step), None)
        if spec is not None and spec.timeout_s:
            runner.deadline = runner.clock.monotonic() + spec.timeout_s
    runner.view = view
    runner.on_view(runner.step, view)


def receipt_rows(ctx: Any, rows: Any) -> list[Any]:
    """(label, value) pairs as receipt rows: the label bilingual, the value in the chosen language."""
    out = []
    for label, value in rows:
        key, key_zh = ctx.tr_pair(label)
        out.append(Row(key, ctx.tr(value), key_zh))
    return out


def printer_usable(ctx: Any) -> bool:
    """Whether the printer can print now (unknown counts as yes: the print step will say)."""
    status_of = getattr(ctx, "device_status", None)
    status = status_of("printer") if callable(status_of) else None
    return status is None or bool(status.usable)
