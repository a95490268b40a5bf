"""Print jobs that are never lost and never printed twice.

The journal is injected (kiosk/core/journal.py's Journal fits `PrintJournal`). A job is journaled
'pending' before the printer sees a byte, 'sent' while it is being sent, 'done' only after the
cut and a good status, 'failed' with the reason otherwise. A retry path (`reprint`) re-sends a
job only when its last attempt failed; a job that is 'done' cannot be sent again by any retry.
Printing the same document again on purpose is a new job (`print_again`).

When paper is out the citizen can still carry the receipt away: `qr_payload` turns the document
into a compact text for a QR code on the screen.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Protocol

from devices.printer.document import Barcode, Divider, Document, Footer, Paragraph, QRCode, Row, Title
from devices.printer.memory import PrintError
from devices.status import DeviceStatus

log = logging.getLogger(__name__)

PENDING, SENT, DONE, FAILED = "pending", "sent", "done", "failed"


class PrintJournal(Protocol):
    def print_job_started(self, session_id: str | None, flow: str | None, kind: str) -> int: ...

    def print_job_update(self, job_id: int, state: str, detail: str | None = None, paper_mm: float = 0.0) -> None: ...


class ReceiptPrinter(Protocol):
    def status(self) -> DeviceStatus: ...

    def print_document(self, doc: Document) -> None: ...


class JobStateError(Exception):
    """The job cannot be sent in its state; `reason`: already_printed, in_progress, not_failed."""

    def __init__(self, reason: str, job_id: int) -> None:
        super().__init__(f"print job {job_id}: {reason}")
        self.reason = reason
        self.job_id = job_id


@dataclass
class PrintJob:
    id: int
    doc: Document
    session_id: str | None = None
    flow: str | None = None
    state: str = PENDING
    reason: str | None = None
    attempts: int = 0


class PrintQueue:
    """Sends jobs to one printer, one at a time, journaling every step."""

    def __init__(self, printer: ReceiptPrinter, journal: PrintJournal) -> None:
        self.printer, self.journal = printer, journal
        self._lock = threading.Lock()  # one job on the paper at a time; also stops a double tap

    def submit(self, doc: Document, session_id: str | None = None, flow: str | None = None) -> PrintJob:
        """Journal the job as pending (nothing is sent yet)."""
        job_id = self.journal.print_job_started(session_id, flow, doc.kind)
        return PrintJob(job_id, doc, session_id, flow)

    def print_document(self, doc: Document, session_id: str | None = None, flow: str | None = None) -> PrintJob:
        """Submit and send. Raises PrintError (the job is then journaled 'failed')."""
        job = self.submit(doc, session_id, flow)
        return self.run(job)

    def run(self, job: PrintJob) -> PrintJob:
        """Send a pending job."""
        with self._lock:
            if job.state != PENDING:
                raise JobStateError(_why_not(job.state, "not_pending"), job.id)
            return self._attempt(job)

    def reprint(self, job: PrintJob) -> PrintJob:
        """The retry path: send the same job again, only if its last attempt failed."""
        with self._lock:
            if job.state != FAILED:
                raise JobStateError(_why_not(job.state, "not_failed"), job.id)
            return self._attempt(job)

    def print_again(self, job: PrintJob) -> PrintJob:
        """A deliberate second copy ("print again" button): a new job of its own."""
        return self.print_document(job.doc, job.session_id, job.flow)

    def _attempt(self, job: PrintJob) -> PrintJob:
        status = self.printer.status()
        if not status.usable:  # refused before a byte was sent: the job never went 'sent'
            return self._failed(job, status.reason or "unavailable", PrintError(status.reason, status.detail))
        self.journal.print_job_update(job.id, SENT)
        job.state, job.reason = SENT, None
        job.attempts += 1
        try:
            self.printer.print_document(job.doc)
        except Exception as e:  # noqa: BLE001 - whatever stopped the job, it is journaled
            return self._failed(job, str(getattr(e, "reason", "") or type(e).__name__), e)
        # In memory first: even if the journal write fails now, no retry may print it again.
        job.state = DONE
        # Paper fed for this receipt, for the paper-left estimate (printers that cannot say: 0).
        paper_mm = float(getattr(self.printer, "last_paper_mm", 0.0) or 0.0)
        try:
            self.journal.print_job_update(job.id, DONE, paper_mm=paper_mm)
        except Exception:  # noqa: BLE001
            log.exception("print job %s printed but not journaled as done", job.id)
        return job

    def _failed(self, job: PrintJob, reason: str, error: BaseException) -> PrintJob:
        job.state, job.reason = FAILED, reason
        self.journal.print_job_update(job.id, FAILED, reason)
        log.warning("print job %s (%s) failed: %s", job.id, job.doc.kind, reason)  # the kind, no content
        if isinstance(error, PrintError):
            raise error
        raise PrintError(reason, str(error)) from error


def _why_not(state: str, otherwise: str) -> str:
    return {DONE: "already_printed", SENT: "in_progress"}.get(state, otherwise)


def recover_unfinished(journal: Any) -> int:
    """At start-up: jobs a crash left 'pending' or 'sent' are marked failed. Whether a 'sent' one
    came out is unknown and its citizen has gone, so it is never re-sent automatically."""
    rows = journal.unfinished_print_jobs()
    for row in rows:
        journal.print_job_update(row["id"], FAILED, "interrupted:restart")
    return len(rows)


# -- the receipt as text, for a QR code on the screen ----------------------------------------------
QR_PAYLOAD_MAX_BYTES = 1200  # a version-25-ish code: still scannable from a screen by an old phone


def document_lines(doc: Document, with_zh: bool = True) -> list[str]:
    lines: list[str] = []
    for b in doc.blocks:
        if isinstance(b, (Title, Paragraph)):
            lines.append(b.text)
            if with_zh and b.zh:
                lines.append(b.zh)
        elif isinstance(b, Row):
            key = f"{b.key} ({b.key_zh})" if with_zh and b.key_zh else b.key
            lines.append(f"{key}: {b.value}")
        elif isinstance(b, (QRCode, Barcode)):
            lines.append(b.data)
        elif isinstance(b, Divider):
            lines.append("--")
        elif isinstance(b, Footer):
            lines.append(f"{b.time} {b.terminal_id}")
    return lines


def qr_payload(doc: Document, max_bytes: int = QR_PAYLOAD_MAX_BYTES) -> str:
    """The receipt's text in a few lines for a QR code: Chinese beneath the minority language
    when it fits, the minority language alone when it does not, then cut at a line end."""
    for with_zh in (True, False):
        text = "\n".join(line for line in document_lines(doc, with_zh) if line)
        if len(text.encode("utf-8")) <= max_bytes:
            return text
    out: list[str] = []
    size = 0
    for line in document_lines(doc, False):
        n = len(line.encode("utf-8")) + 1
        if size + n + 3 > max_bytes:  # room for the ellipsis
            break
        out.append(line)
        size += n
    return "\n".join(out + ["\u2026"])
