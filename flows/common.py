"""Pieces every flow shares: what to tell the citizen when something outside the kiosk fails,
and how a receipt is printed without being lost or doubled."""
from __future__ import annotations

import logging
from typing import Any

from devices.printer.document import Document, Footer
from kiosk.backend.api import PlatformError, PlatformRejected, PlatformUnavailable
from kiosk.i18n import Msg

log = logging.getLogger(__name__)


def platform_error_texts(error: BaseException, staffed_hours: str) -> tuple[Msg, Msg, str]:
    """(title, body, reason) for a failed platform call, in words a citizen can act on."""
    if isinstance(error, PlatformUnavailable):
        return (Msg("error.platform_down.title"), Msg("error.platform_down.body", hours=staffed_hours), error.reason)
    if isinstance(error, PlatformRejected):
        return (Msg("error.platform_rejected.title"), Msg("error.platform_rejected.body", hours=staffed_hours),
                f"rejected:{error.code}")
    if isinstance(error, PlatformError):
        return (Msg("error.platform_fault.title"), Msg("error.platform_fault.body", hours=staffed_hours), error.reason)
    return (Msg("error.failsafe.title"), Msg("error.failsafe.body"), f"bug:{type(error).__name__}")


def footer(ctx: Any) -> Footer:
    return Footer(time=ctx.clock.now().strftime("%Y-%m-%d %H:%M"), terminal_id=ctx.config.terminal.id)


def print_journaled(ctx: Any, flow_id: str, doc: Document) -> None:
    """Journal the job, print it, complete the journal entry. Runs in a worker thread.

    The job row is written *before* the printer sees a byte, so a power cut leaves a 'pending'
    row a technician (and the restart logic) can find; it is 'done' only after the printer
    accepted the whole document."""
    job = ctx.journal.print_job_started(ctx.session.id, flow_id, doc.kind)
    ctx.journal.print_job_update(job, "sent")
    try:
        ctx.printer.print_document(doc)
    except Exception as e:
        reason = getattr(e, "reason", type(e).__name__)
        ctx.journal.print_job_update(job, "failed", reason)
        log.warning("print job %s (%s) failed: %s", job, doc.kind, reason)
        raise
    ctx.journal.print_job_update(job, "done")
