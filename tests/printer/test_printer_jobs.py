"""Print jobs: journaled before the first byte, never lost, never printed twice by a retry."""
from __future__ import annotations

import threading
import time

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.printer import samples
from devices.printer.document import Document, Footer, Paragraph, QRCode, Row, Title
from devices.printer.jobs import (DONE, FAILED, JobStateError, PrintQueue, document_lines, qr_payload,
                                  recover_unfinished)
from devices.printer.memory import MemoryPrinter, PrintError
from devices.status import DeviceStatus, FAULT, OK


class FakeJournal:
    def __init__(self) -> None:
        self.events: list[tuple] = []
        self.state: dict[int, str] = {}

    def print_job_started(self, session_id, flow, kind):
        job_id = len(self.state) + 1
        self.state[job_id] = "pending"
        self.events.append(("started", job_id, kind))
        return job_id

    def print_job_update(self, job_id, state, detail=None, paper_mm=0.0):
        self.state[job_id] = state
        self.events.append((state, job_id, detail))


class ScriptedPrinter:
    """Fails or succeeds as told; checks the journal at the moment the first byte would go."""

    def __init__(self, journal: FakeJournal, outcomes=()) -> None:
        self.journal = journal
        self.outcomes = list(outcomes)
        self.printed: list[Document] = []
        self.state_at_send: list[str] = []
        self.ready = True

    def status(self):
        return DeviceStatus(OK) if self.ready else DeviceStatus(FAULT, "paper_out")

    def print_document(self, doc):
        self.state_at_send.append(self.journal.state[max(self.journal.state)])
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome:
            raise PrintError(outcome)
        self.printed.append(doc)


DOC = Document("queue_ticket", "zh_CN", (Title("T"), Paragraph("A023", size="huge")))


def test_journaled_pending_then_sent_before_the_first_byte_then_done():
    j = FakeJournal()
    p = ScriptedPrinter(j)
    job = PrintQueue(p, j).print_document(DOC, "s1", "queue_ticket")
    assert job.state == DONE and job.attempts == 1
    assert [e[0] for e in j.events] == ["started", "sent", "done"]
    assert p.state_at_send == ["sent"]


def test_refused_before_sending_is_failed_without_sent():
    j = FakeJournal()
    p = ScriptedPrinter(j)
    p.ready = False
    with pytest.raises(PrintError) as e:
        PrintQueue(p, j).print_document(DOC)
    assert e.value.reason == "paper_out"
    assert [e[0] for e in j.events] == ["started", "failed"] and j.events[-1][2] == "paper_out"
    assert p.printed == []


def test_failed_job_reprints_once_and_a_done_job_never():
    j = FakeJournal()
    p = ScriptedPrinter(j, ["interrupted:paper_out"])
    q = PrintQueue(p, j)
    job = q.submit(DOC)
    with pytest.raises(PrintError):
        q.run(job)
    assert job.state == FAILED and job.reason == "interrupted:paper_out"
    q.reprint(job)
    assert job.state == DONE and job.attempts == 2 and len(p.printed) == 1
    for retry in (q.reprint, q.run):
        with pytest.raises(JobStateError) as e:
            retry(job)
        assert e.value.reason == "already_printed"
    assert len(p.printed) == 1
    again = q.print_again(job)  # the citizen asked for a second copy: a new job
    assert again.id != job.id and len(p.printed) == 2


def test_a_pending_job_is_not_a_reprint():
    j = FakeJournal()
    q = PrintQueue(ScriptedPrinter(j), j)
    with pytest.raises(JobStateError) as e:
        q.reprint(q.submit(DOC))
    assert e.value.reason == "not_failed"


def test_two_retries_racing_print_once():
    j = FakeJournal()
    p = ScriptedPrinter(j, ["interrupted:paper_out"])
    q = PrintQueue(p, j)
    job = q.submit(DOC)
    with pytest.raises(PrintError):
        q.run(job)
    results = []

    def retry():
        try:
            q.reprint(job)
            results.append("printed")
        except JobStateError as e:
            results.append(e.reason)

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["already_printed"] * 3 + ["printed"]
    assert len(p.printed) == 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["ok", "fail", "refuse"]), min_size=1, max_size=8))
def test_no_retry_sequence_prints_a_job_twice(script):
    j = FakeJournal()
    p = ScriptedPrinter(j)
    q = PrintQueue(p, j)
    job = q.submit(DOC)
    for step in script:
        p.ready = step != "refuse"
        p.outcomes = ["interrupted:paper_out"] if step == "fail" else []
        try:
            q.run(job) if job.state == "pending" else q.reprint(job)
        except (PrintError, JobStateError):
            pass
    assert len(p.printed) <= 1
    assert (len(p.printed) == 1) == (job.state == DONE) == (j.state[job.id] == DONE)


def test_with_the_real_journal(tmp_path):
    from kiosk.core.journal import Journal

    journal = Journal(tmp_path / "journal.db")
    printer = MemoryPrinter()
    q = PrintQueue(printer, journal)
    printer.state = "paper_out"
    job = q.submit(DOC, "session-1", "queue_ticket")
    assert journal.print_job(job.id)["state"] == "pending"
    with pytest.raises(PrintError):
        q.run(job)
    row = journal.print_job(job.id)
    assert (row["state"], row["detail"], row["attempts"]) == ("failed", "paper_out", 0)
    printer.state = "ok"
    q.reprint(job)
    row = journal.print_job(job.id)
    assert (row["state"], row["attempts"]) == ("done", 1)
    assert printer.printed == [DOC]
    # A crash left one pending and one sent: both become failed at start-up, never re-sent.
    a = journal.print_job_started("s2", "f", "k")
    b = journal.print_job_started("s3", "f", "k")
    journal.print_job_update(b, "sent")
    assert recover_unfinished(journal) == 2
    assert {journal.print_job(i)["state"] for i in (a, b)} == {"failed"}
    assert journal.unfinished_print_jobs() == []
    journal.close()


def test_interrupted_mid_receipt_then_one_reprint_through_the_emulator(emulator, make_printer, tmp_path):
    """Paper runs out after 300 rows: the job fails (journal says so), the printer drops the
    rest; paper is loaded and the reprint gives exactly one more, complete receipt."""
    from kiosk.core.journal import Journal

    journal = Journal(tmp_path / "journal.db")
    q = PrintQueue(make_printer(emulator.url), journal)
    doc = samples.sample("social_insurance_certificate", "bo", with_zh=True)
    emulator.run_out_after_rows(300)
    job = q.submit(doc, "session-1", "social_insurance_certificate")
    with pytest.raises(PrintError) as e:
        q.run(job)
    assert e.value.reason == "interrupted:paper_out"
    row = journal.print_job(job.id)
    assert (row["state"], row["detail"]) == ("failed", "interrupted:paper_out")
    assert [r.complete for r in emulator.receipts] == [False]

    with pytest.raises(PrintError):  # still no paper: refused, nothing sent
        q.reprint(job)
    emulator.set_state("ok")
    q.reprint(job)
    receipts = emulator.wait_receipts(2)
    assert [r.complete for r in receipts] == [False, True]
    assert journal.print_job(job.id)["state"] == "done"
    with pytest.raises(JobStateError):
        q.reprint(job)
    time.sleep(0.05)
    assert len(emulator.receipts) == 2  # and no duplicate
    journal.close()


# -- the receipt on a phone ------------------------------------------------------------------
def test_qr_payload_carries_the_receipt():
    doc = samples.sample("queue_ticket", "bo", with_zh=True)
    text = qr_payload(doc)
    lines = text.split("\n")
    assert "A023" in lines and "https://zwfw.example.gov.cn/q/A023" in lines
    assert doc.blocks[0].text in lines and doc.blocks[0].zh in lines  # Tibetan with Chinese beneath
    assert len(text.encode()) <= 1200
    segno.make(text, error="m")  # it fits a QR code


def test_qr_payload_drops_chinese_then_cuts_when_too_long():
    doc = Document("k", "bo", tuple(Row(f"key{i}" * 5, "v" * 30, "zh" * 20) for i in range(60)) + (Footer("t", "id"),))
    assert "(zh" in document_lines(doc)[0]
    text = qr_payload(doc, max_bytes=600)
    assert len(text.encode()) <= 600 and text.endswith("\u2026") and "(zh" not in text


def test_qr_payload_without_chinese_when_that_fits():
    doc = Document("k", "bo", (Paragraph("a" * 500, "b" * 500),))
    assert qr_payload(doc, max_bytes=600) == "a" * 500


def test_qr_payload_lists_every_block_kind():
    doc = Document("k", "en", (Title("T"), QRCode("Q"), Footer("2024-05-01 10:00", "K1")))
    assert qr_payload(doc) == "T\nQ\n2024-05-01 10:00 K1"
