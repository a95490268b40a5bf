"""The A4 printer: documents rendered to PDF (render.py) and printed through CUPS (ipp.py).

`print_document` blocks until CUPS says the job is *completed*, so devices/printer/jobs.PrintQueue
journals an A4 job exactly like a receipt: 'pending' before the job is sent, 'done' only after
CUPS reported it completed, 'failed' with the reason otherwise.

No double print: whenever a job ends as failed here (the printer stopped, went offline, ran out of
paper, or the job took longer than `job_timeout_s`) it is cancelled in CUPS, so it cannot come
out later when the printer is fixed and the citizen has already had a reprint. After a crash,
`open()` cancels every job of this kiosk still queued (job names start with "kiosk:"): the journal
marks those jobs failed at start-up (jobs.recover_unfinished) and never re-sends them.

URLs: cups://<queue> (the local cupsd at /run/cups/cups.sock), cups://<queue>?server=/path/to.sock
or ?server=host:631.
"""
from __future__ import annotations

import logging
import time
import uuid
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from devices.a4printer import ipp
from devices.a4printer.render import Letterhead, render_pdf
from devices.printer.document import Document
from devices.printer.memory import PrintError
from devices.status import DEGRADED, FAULT, OK, DeviceStatus

log = logging.getLogger(__name__)

DEFAULT_SERVER = "/run/cups/cups.sock"
JOB_PREFIX = "kiosk:"

# printer-state-reasons (RFC 8011 / PWG 5100.9) to the kiosk's reason codes; "-error" suffixes
# and the like are stripped first. The first fault found wins, then the first warning.
FAULT_REASONS = {"media-empty": "paper_out", "media-needed": "paper_out", "media-jam": "paper_jam",
                 "door-open": "door_open", "cover-open": "door_open", "offline": "offline",
                 "toner-empty": "toner_out", "marker-supply-empty": "toner_out", "paused": "offline",
                 "shutdown": "offline", "connecting-to-device": "not_responding"}
WARNING_REASONS = {"toner-low": "toner_low", "marker-supply-low": "toner_low", "media-low": "paper_low"}


def parse_url(url: str) -> tuple[str, str]:
    """(queue, server) from cups://queue[?server=...]."""
    parts = urlsplit(url)
    if parts.scheme != "cups" or not parts.netloc:
        raise ValueError(f"not a CUPS printer URL: {url!r} (cups://<queue>)")
    server = parse_qs(parts.query).get("server", [DEFAULT_SERVER])[0]
    return parts.netloc, server


def _reason_key(reason: str) -> str:
    for suffix in ("-error", "-warning", "-report"):
        if reason.endswith(suffix):
            return reason[: -len(suffix)]
    return reason


def status_from(attrs: dict[str, list[Any]], now: float = 0.0) -> DeviceStatus:
    """The device status from a Get-Printer-Attributes answer."""
    reasons = [_reason_key(str(r)) for r in attrs.get("printer-state-reasons", []) if r != "none"]
    state = attrs.get("printer-state", [ipp.PRINTER_IDLE])[0]
    accepting = attrs.get("printer-is-accepting-jobs", [True])[0]
    message = str(attrs.get("printer-state-message", [""])[0] or "")
    detail = ", ".join(reasons) + (f": {message}" if message else "")
    fault = next((FAULT_REASONS[r] for r in reasons if r in FAULT_REASONS), None)
    if state == ipp.PRINTER_STOPPED or not accepting:
        return DeviceStatus(FAULT, fault or "offline", detail or "queue stopped", now)
    if fault is not None and state == ipp.PRINTER_PROCESSING:
        return DeviceStatus(FAULT, fault, detail, now)  # the printer says so while it prints
    if fault is not None:
        # An idle queue keeps the reason its backend last reported until the next job (CUPS only
        # hears from a printer during a job): after the technician refilled the paper and resumed
        # the queue it is stale. Usable, and the next job finds out.
        return DeviceStatus(DEGRADED, fault, detail, now)
    for r in reasons:
        if r in WARNING_REASONS:
            return DeviceStatus(DEGRADED, WARNING_REASONS[r], detail, now)
    return DeviceStatus(OK, "", detail, now)


class CupsPrinter:
    last_paper_mm = 0.0  # sheets, not a roll: nothing for the receipt paper estimate

    def __init__(self, url: str, shaper: Any, *, letterhead: Letterhead | None = None,
                 client: ipp.IppClient | None = None, job_timeout_s: float = 120.0, poll_s: float = 0.2,
                 stale_grace_s: float = 10.0,
                 monotonic: Callable[[], float] = time.monotonic, wait: Callable[[float], Any] = time.sleep) -> None:
        self.url = url
        self.queue, server = parse_url(url)
        self.client = client or ipp.IppClient(server)
        self.shaper, self.letterhead = shaper, letterhead
        self.job_timeout_s, self.poll_s, self.stale_grace_s = job_timeout_s, poll_s, stale_grace_s
        self.monotonic, self.wait = monotonic, wait
        self.last_job_id: int | None = None
        self.last_pdf: bytes | None = None

    # device ---------------------------------------------------------------------------------------
    def open(self) -> None:
        self.recover()

    def close(self) -> None:
        pass  # one connection per request: nothing held open

    def status(self) -> DeviceStatus:
        return self._printer_now()[0]

    def self_test(self, print_page: bool = False) -> DeviceStatus:
        """The status; with `print_page`, also a short test page (outside the print journal: the
        technician desk prints its journaled test page through PrintQueue instead)."""
        from devices.printer.document import Divider, Footer, Paragraph, Title

        status = self.status()
        if not status.usable or not print_page:
            return status
        stamp = time.strftime("%Y-%m-%d %H:%M")
        self.print_document(Document("a4_test_page", "en", (
            Title("A4 printer test page"), Paragraph(f"CUPS queue {self.queue}"), Divider(),
            Footer(stamp, self.queue))))
        return self.status()

    def recover(self) -> int:
        """Cancel jobs of this kiosk that a crash left in the queue; returns how many."""
        n = 0
        for job in self.client.jobs(self.queue, "not-completed"):
            name = str(job.get("job-name", [""])[0])
            if name.startswith(JOB_PREFIX):
                self._cancel(int(job["job-id"][0]))
                n += 1
        if n:
            log.warning("%s: cancelled %d job(s) left from before a restart", self.queue, n)
        return n

    # printing -------------------------------------------------------------------------------------
    def print_document(self, doc: Document) -> None:
        status = self.status()
        if not status.usable:  # refused before the job exists: nothing to cancel later
            raise PrintError(status.reason or "unavailable", status.detail)
        pdf = render_pdf(doc, self.shaper, self.letterhead)
        self.last_pdf = pdf
        stale = status.reason if status.state == DEGRADED and status.reason in FAULT_REASONS.values() else ""
        self.print_pdf(pdf, f"{JOB_PREFIX}{doc.kind}:{uuid.uuid4().hex[:12]}", stale)

    def print_pdf(self, pdf: bytes, job_name: str, stale: str = "") -> int:
        try:
            job_id = self.client.print_job(self.queue, pdf, job_name)
        except ipp.IppError as e:
            raise PrintError(e.reason, str(e)) from e
        self.last_job_id = job_id
        self._follow(job_id, stale)
        return job_id

    def _follow(self, job_id: int, stale: str = "") -> None:
        """Until the job is completed; otherwise cancel it and raise PrintError(reason).

        `stale` is the fault reason the idle queue held when the job went in: the last job's
        (CUPS hears from the printer only during a job), so it says nothing about this one until
        the backend reports afresh. While the printer processes this job it is ignored for a short
        grace, or the reprint after a refill is cancelled in the moment before the backend clears
        it (seen in CI); a queue that stops, or a new reason, still fails the job at once."""
        start = self.monotonic()
        deadline = start + self.job_timeout_s
        while True:
            try:
                attrs = self.client.job_attributes(self.queue, job_id)
            except ipp.IppError as e:
                self._cancel(job_id)
                raise PrintError(e.reason, str(e)) from e
            state = int(attrs.get("job-state", [0])[0])
            if state == ipp.JOB_COMPLETED:
                return
            if state == ipp.JOB_CANCELED:
                raise PrintError("cancelled", f"job {job_id} cancelled in CUPS")
            if state == ipp.JOB_ABORTED:
                raise PrintError("aborted", ", ".join(map(str, attrs.get("job-state-reasons", []))))
            printer, processing = self._printer_now()
            in_grace = processing and stale and printer.reason == stale and self.monotonic() - start < self.stale_grace_s
            if not printer.usable and not in_grace:  # stopped, out of paper, offline: it would print some day, unasked
                self._cancel(job_id)
                raise PrintError(printer.reason, printer.detail)
            if state in (ipp.JOB_HELD, ipp.JOB_STOPPED) or self.monotonic() >= deadline:
                self._cancel(job_id)
                raise PrintError("timeout" if self.monotonic() >= deadline else "held",
                                 f"job {job_id} state {state}")
            self.wait(self.poll_s)

    def _printer_now(self) -> tuple[DeviceStatus, bool]:
        """The status, and whether CUPS says the printer is processing (not stopped)."""
        try:
            attrs = self.client.printer_attributes(self.queue)
        except ipp.IppError as e:
            return DeviceStatus(FAULT, e.reason, str(e)[:200], self.monotonic()), False
        return status_from(attrs, self.monotonic()), attrs.get("printer-state", [0])[0] == ipp.PRINTER_PROCESSING

    def _cancel(self, job_id: int) -> None:
        try:
            self.client.cancel_job(self.queue, job_id)
        except ipp.IppError as e:  # already finished, or the server is gone: logged, not raised
            log.warning("%s: could not cancel job %s: %s", self.queue, job_id, e.reason)
