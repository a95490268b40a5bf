"""The reason an idle CUPS queue keeps from its last job (paper out, before the refill) must not
cancel the next job in the moment before the backend reports afresh (a CI failure: the reprint
after a refill was cancelled as 'media-empty'); a queue that stops, or a reason that stays past
the grace, still fails the job. Driven by a scripted IPP client and an injected clock."""
from __future__ import annotations

import pytest

from devices.a4printer import ipp
from devices.a4printer.driver import CupsPrinter
from devices.printer.memory import PrintError


class ScriptedCups:
    """Answers printer and job attributes from two scripts, one step per poll."""

    def __init__(self, printer: list[tuple[int, list[str]]], job: list[int]) -> None:
        self.printer, self.job, self.cancelled = printer, job, []

    def printer_attributes(self, queue: str) -> dict:
        state, reasons = self.printer[0] if len(self.printer) == 1 else self.printer.pop(0)
        return {"printer-state": [state], "printer-state-reasons": reasons or ["none"],
                "printer-is-accepting-jobs": [True]}

    def print_job(self, queue: str, document: bytes, job_name: str) -> int:
        return 7

    def job_attributes(self, queue: str, job_id: int) -> dict:
        state = self.job[0] if len(self.job) == 1 else self.job.pop(0)
        return {"job-state": [state], "job-state-reasons": ["none"]}

    def cancel_job(self, queue: str, job_id: int) -> None:
        self.cancelled.append(job_id)


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    def wait(self, s: float) -> None:
        self.t += s


def _printer(client: ScriptedCups, clock: Clock) -> CupsPrinter:
    return CupsPrinter("cups://q", shaper=None, client=client, poll_s=1.0, stale_grace_s=10.0,
                       monotonic=clock.now, wait=clock.wait)


IDLE_STALE = (ipp.PRINTER_IDLE, ["media-empty-error"])
BUSY_STALE = (ipp.PRINTER_PROCESSING, ["media-empty-error"])
BUSY = (ipp.PRINTER_PROCESSING, [])


def test_stale_paper_out_while_the_reprint_starts_does_not_cancel_it() -> None:
    clock = Clock()
    client = ScriptedCups([IDLE_STALE, BUSY_STALE, BUSY_STALE, BUSY],
                          [ipp.JOB_PROCESSING, ipp.JOB_PROCESSING, ipp.JOB_PROCESSING, ipp.JOB_COMPLETED])
    printer = _printer(client, clock)
    printer.print_pdf(b"%PDF", "kiosk:t", stale=printer.status().reason)
    assert client.cancelled == []


def test_paper_still_out_past_the_grace_fails_the_job() -> None:
    clock = Clock()
    client = ScriptedCups([IDLE_STALE, BUSY_STALE], [ipp.JOB_PROCESSING])
    printer = _printer(client, clock)
    with pytest.raises(PrintError) as e:
        printer.print_pdf(b"%PDF", "kiosk:t", stale=printer.status().reason)
    assert e.value.reason == "paper_out" and client.cancelled == [7] and 10.0 <= clock.t <= 11.0


def test_a_queue_that_stops_fails_the_job_at_once_even_with_the_same_reason() -> None:
    clock = Clock()
    client = ScriptedCups([IDLE_STALE, (ipp.PRINTER_STOPPED, ["media-empty-error"])], [ipp.JOB_PROCESSING])
    printer = _printer(client, clock)
    with pytest.raises(PrintError) as e:
        printer.print_pdf(b"%PDF", "kiosk:t", stale=printer.status().reason)
    assert e.value.reason == "paper_out" and client.cancelled == [7] and clock.t == 0.0


def test_without_a_stale_reason_paper_out_while_printing_fails_at_once() -> None:
    clock = Clock()
    client = ScriptedCups([BUSY_STALE], [ipp.JOB_PROCESSING])
    with pytest.raises(PrintError):
        _printer(client, clock).print_pdf(b"%PDF", "kiosk:t")
    assert client.cancelled == [7] and clock.t == 0.0
