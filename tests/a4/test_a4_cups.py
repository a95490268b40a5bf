"""The A4 driver against a real cupsd of the tests' own (devices/a4printer/localcups.py: unix
socket in a temp folder, a queue whose backend writes each job's PDF there and plays paper out,
a failing printer and a busy one). Every job goes through the print journal (the real Journal and
PrintQueue): journaled before sending, done only when CUPS reports it completed, and nothing is
lost or printed twice. Bounded: each job by the driver's job timeout, each CUPS tool by 30 s."""
from __future__ import annotations

import subprocess
import threading
from pathlib import Path
from typing import Iterator

import pytest

from devices.a4printer import ipp, localcups
from devices.a4printer.driver import CupsPrinter
from devices.printer import samples
from devices.printer.jobs import DONE, FAILED, PrintQueue, recover_unfinished
from devices.printer.memory import PrintError
from devices.status import FAULT, OK
from kiosk.core.journal import Journal
from kiosk.i18n.receipt_shaper import SHAPER

JOB_TIMEOUT_S = 30.0  # a real job takes well under a second; this only bounds a broken run


@pytest.fixture(scope="module")
def cups(tmp_path_factory: pytest.TempPathFactory) -> Iterator[localcups.LocalCups]:
    why = localcups.available()
    if why:
        pytest.skip(why)
    server = localcups.LocalCups(tmp_path_factory.mktemp("cups"))
    try:
        server.start()
    except localcups.CupsUnavailable as e:
        pytest.skip(f"cupsd cannot start here: {e}")
    yield server
    server.stop()


@pytest.fixture
def queue(cups: localcups.LocalCups, request: pytest.FixtureRequest) -> tuple[str, Path]:
    name = "q-" + request.node.name.replace("test_", "")[:30].replace("[", "-").replace("]", "")
    return name, cups.add_queue(name)


def _printer(cups: localcups.LocalCups, name: str, **kw: object) -> CupsPrinter:
    return CupsPrinter(f"cups://{name}?server={cups.socket}", SHAPER, job_timeout_s=JOB_TIMEOUT_S, **kw)


def _doc(kind: str = "social_insurance_certificate", lang: str = "bo"):
    return samples.sample(kind, lang, with_zh=True)


def _pdfs(folder: Path) -> list[Path]:
    return sorted(folder.glob("job-*.pdf"))


def _states(journal: Journal, job_id: int) -> tuple[str, str | None, int]:
    row = journal.print_job(job_id)
    assert row is not None
    return row["state"], row["detail"], row["attempts"]


def test_success_prints_the_pdf_and_journals_done(cups, queue, tmp_path: Path) -> None:
    name, folder = queue
    printer, journal = _printer(cups, name), Journal(tmp_path / "j.db")
    assert printer.status().state == OK
    doc = _doc()
    job = PrintQueue(printer, journal).print_document(doc, "s1", "social_insurance")
    assert job.state == DONE and _states(journal, job.id) == (DONE, None, 1)
    [pdf] = _pdfs(folder)
    assert pdf.read_bytes() == printer.last_pdf  # what CUPS printed is what we rendered
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=30).stdout
    title = doc.blocks[0]
    assert title.zh and title.zh in text.replace(" ", "")


def test_paper_out_fails_the_job_and_a_reprint_prints_once(cups, queue, tmp_path: Path) -> None:
    name, folder = queue
    printer, journal = _printer(cups, name), Journal(tmp_path / "j.db")
    pq = PrintQueue(printer, journal)
    (folder / "mode").write_text("media-empty")
    with pytest.raises(PrintError) as e:
        pq.print_document(_doc(), "s1", "social_insurance")
    assert e.value.reason == "paper_out"
    assert printer.status().state == FAULT and printer.status().reason == "paper_out"
    assert journal.unfinished_print_jobs() == [] and printer.last_job_id is not None  # it reached CUPS
    assert _pdfs(folder) == []
    assert _states(journal, 1) == (FAILED, "paper_out", 1)
    # Paper loaded, queue resumed: the reprint comes out; the failed job was cancelled and never does.
    (folder / "mode").unlink()
    cups.lp("cupsenable", name)
    assert printer.status().usable  # the reason CUPS keeps until the next job does not block it
    job = PrintQueue(printer, journal).print_document(_doc(), "s1", "social_insurance")
    assert job.state == DONE
    assert len(_pdfs(folder)) == 1, "the paper-out job printed after all: a double print"
    assert ipp.IppClient(cups.socket).jobs(name) == []
    assert printer.status().state == OK  # the printed job cleared the stale reason


def test_offline_queue_refuses_before_sending(cups, queue, tmp_path: Path) -> None:
    name, folder = queue
    printer, journal = _printer(cups, name), Journal(tmp_path / "j.db")
    cups.lp("cupsdisable", name)
    assert (printer.status().state, printer.status().reason) == (FAULT, "offline")
    pq = PrintQueue(printer, journal)
    job = pq.submit(_doc("real_estate_query"), "s1", "real_estate")
    with pytest.raises(PrintError) as e:
        pq.run(job)
    assert e.value.reason == "offline"
    assert _states(journal, job.id) == (FAILED, "offline", 0)  # never 'sent'
    cups.lp("cupsenable", name)
    assert pq.reprint(job).state == DONE
    assert len(_pdfs(folder)) == 1
    with pytest.raises(Exception):  # a done job cannot be sent again by any retry
        pq.reprint(job)
    assert len(_pdfs(folder)) == 1


def test_job_cancelled_in_cups_is_a_failed_job(cups, queue, tmp_path: Path) -> None:
    name, folder = queue
    printer, journal = _printer(cups, name), Journal(tmp_path / "j.db")
    (folder / "hold").write_text("busy")  # the printer takes its time: the job stays processing
    pq = PrintQueue(printer, journal)
    errors: list[BaseException] = []
    worker = threading.Thread(target=lambda: _catch(errors, pq.print_document, _doc("elicense_print")))
    worker.start()
    client = ipp.IppClient(cups.socket)
    for _ in range(600):  # until CUPS has the job (bounded: 600 short IPP calls)
        jobs = client.jobs(name)
        if jobs:
            break
    assert jobs, "the job never reached CUPS"
    cups.lp("cancel", str(jobs[0]["job-id"][0]))
    worker.join(JOB_TIMEOUT_S)
    assert not worker.is_alive()
    (folder / "hold").unlink()
    assert [getattr(e, "reason", None) for e in errors] == ["cancelled"]
    [row] = [journal.print_job(1)]
    assert (row["state"], row["detail"]) == (FAILED, "cancelled")
    assert _pdfs(folder) == []


def test_timeout_cancels_the_job_so_it_never_prints_later(cups, queue, tmp_path: Path) -> None:
    name, folder = queue
    ticks = iter(range(0, 10_000, 10))  # an injected clock: 10 s per look, no real waiting
    printer = _printer(cups, name, monotonic=lambda: float(next(ticks)), wait=lambda s: None)
    (folder / "hold").write_text("busy")
    with pytest.raises(PrintError) as e:
        PrintQueue(printer, Journal(tmp_path / "j.db")).print_document(_doc())
    assert e.value.reason == "timeout"
    (folder / "hold").unlink()
    ok = _printer(cups, name)
    ok.print_document(_doc("elicense_print", "ii"))  # FIFO: the first job would come out before this
    assert [p.name for p in _pdfs(folder)] == [f"job-{ok.last_job_id}.pdf"]


def test_failing_printer_aborts_the_job(cups, queue, tmp_path: Path) -> None:
    name, folder = queue
    (folder / "mode").write_text("fail")
    with pytest.raises(PrintError) as e:
        PrintQueue(_printer(cups, name), Journal(tmp_path / "j.db")).print_document(_doc())
    assert e.value.reason == "aborted"
    assert _pdfs(folder) == []


def test_after_a_crash_the_left_job_is_cancelled_not_printed(cups, queue, tmp_path: Path) -> None:
    name, folder = queue
    journal = Journal(tmp_path / "j.db")
    # The kiosk journaled and sent a job to an offline printer, then died before CUPS finished it.
    job_id = journal.print_job_started("s1", "social_insurance", "social_insurance_certificate")
    journal.print_job_update(job_id, "sent")
    cups.lp("cupsdisable", name)
    client = ipp.IppClient(cups.socket)
    client.print_job(name, b"%PDF-1.4 left over", "kiosk:social_insurance_certificate:crashed")
    # Restart: the journal marks it failed, the driver cancels it in CUPS.
    assert recover_unfinished(journal) == 1
    assert _printer(cups, name).recover() == 1
    assert client.jobs(name) == []
    cups.lp("cupsenable", name)
    after = _printer(cups, name)
    after.print_document(_doc())
    assert [p.name for p in _pdfs(folder)] == [f"job-{after.last_job_id}.pdf"]
    assert _states(journal, job_id)[:2] == (FAILED, "interrupted:restart")


def _catch(errors: list[BaseException], fn, *args) -> None:
    try:
        fn(*args)
    except BaseException as e:  # noqa: BLE001 - handed to the test thread
        errors.append(e)
