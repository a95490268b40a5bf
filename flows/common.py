"""Pieces every flow shares: what to tell the citizen when something outside the kiosk fails,
and how a receipt is printed without being lost or doubled."""
from __future__ import annotations

import logging
import threading
import weakref
from dataclasses import dataclass
from typing import Any, Callable

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


# A printer that holds its own queue (a `print_queue` attribute of its own, as the terminal's
# busy-lock wrapper has: kiosk/runtime/services.py) keeps it there, and the two die together.
# Any other printer object (a bare driver in a test or a tool) is looked up here. The queue holds
# its printer, so an entry here lives as long as the process: only long-lived drivers belong here.
# (Keyed weakly on a wrapper made per flow, each session's wrapper and queue stayed for good: the
# value kept its own key alive; 36 of each per 100 sessions in the UI soak.)
_queues: "weakref.WeakKeyDictionary[Any, PrintQueue]" = weakref.WeakKeyDictionary()
_queues_lock = threading.Lock()


def _own_queue_slot(printer: Any) -> dict[str, Any] | None:
    own = getattr(printer, "__dict__", None)  # its own attributes, never a wrapped driver's
    return own if isinstance(own, dict) and "print_queue" in own else None

RECEIPT, A4 = "printer", "a4printer"  # the device names (devices/registry.py)


def print_queue(ctx: Any, device: str = RECEIPT) -> PrintQueue:
    """The printer's one PrintQueue: its lock keeps two flows (or a double tap) from putting two
    jobs on the paper at once, so there is one per printer, not one per flow."""
    if device == RECEIPT and getattr(ctx, "print_queue", None) is not None:
        return ctx.print_queue
    printer = ctx.a4printer if device == A4 else ctx.printer
    with _queues_lock:
        slot = _own_queue_slot(printer)
        queue = slot["print_queue"] if slot is not None else _queues.get(printer)
        if queue is None or queue.journal is not ctx.journal:
            queue = PrintQueue(printer, ctx.journal)
            if slot is not None:
                slot["print_queue"] = queue
            else:
                _queues[printer] = queue
        return queue


def print_journaled(ctx: Any, flow_id: str, doc: Document, device: str = RECEIPT) -> None:
    """Journal the job, print it, complete the journal entry. Runs in a worker thread.

    Through devices/printer/jobs.PrintQueue: the job row is written *before* the printer sees a
    byte, so a power cut leaves a 'pending' row a technician (and the restart logic) can find;
    the printer's status is asked first; the row is 'done' only after the printer accepted the
    whole document (for the A4 printer: after CUPS reported the job completed). Raises
    PrintError (`reason`) when it did not print. A reprint after a failure is a new call, so a
    new job row: the failed one stays in the journal as it was."""
    print_queue(ctx, device).print_document(doc, ctx.session.id, flow_id)


@dataclass(frozen=True)
class PrintRoute:
    """Where a document goes now: `device` "a4printer" or "printer", or None (nothing prints it:
    the screen shows its QR code to fetch it on a phone). `a4_down`: an A4 document the A4
    printer cannot take now, which the screen says in words."""

    device: str | None
    a4_down: bool = False


def a4_wanted(ctx: Any, kind: str) -> bool:
    """An A4 printer is fitted and the config sends this kind of document to it."""
    printing = getattr(ctx.config, "printing", None)
    return getattr(ctx, "a4printer", None) is not None and printing is not None and kind in printing.a4_kinds


def print_route(ctx: Any, kind: str, a4_failed: bool = False) -> PrintRoute:
    """[printing] a4_kinds on A4 when the A4 printer is healthy; otherwise by a4_fallback: the
    receipt printer ("receipt") or no paper ("screen"). Everything else on the receipt printer.
    `a4_failed`: a job of this session failed on the A4 printer, which CUPS may still call
    healthy (an aborted job leaves no printer reason): the reprint takes the fallback."""
    if not a4_wanted(ctx, kind):
        return PrintRoute(RECEIPT)
    if device_usable(ctx, A4) and not a4_failed:
        return PrintRoute(A4)
    return PrintRoute(RECEIPT if ctx.config.printing.a4_fallback == "receipt" else None, a4_down=True)


def can_print(ctx: Any, kind: str, a4_failed: bool = False) -> bool:
    """Whether a document of this kind can be printed now on the printer it would go to."""
    route = print_route(ctx, kind, a4_failed)
    return route.device is not None and device_usable(ctx, route.device)


def can_serve(config: Any, kind: str, status_of: Callable[[str], Any]) -> bool:
    """For the start screen, before a flow (and its context) exists: whether a document of this
    kind can leave the kiosk now, on paper or (fallback "screen") as a QR code on the screen.
    `status_of(name)` is the device's status, None when it is not fitted."""
    printing = getattr(config, "printing", None)
    if status_of(A4) is not None and printing is not None and kind in printing.a4_kinds:
        if _usable(status_of(A4)) or printing.a4_fallback == "screen":
            return True
    return _usable(status_of(RECEIPT))


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
    return device_usable(ctx, RECEIPT)


def device_usable(ctx: Any, name: str) -> bool:
    """Whether a device can work now (unknown counts as yes: the print step will say)."""
    status_of = getattr(ctx, "device_status", None)
    return _usable(status_of(name) if callable(status_of) else None)


def _usable(status: Any) -> bool:
    return status is None or bool(status.usable)
