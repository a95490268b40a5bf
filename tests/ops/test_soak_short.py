"""A short soak in the suite (kiosk/demo/soak.py; the 10,000-session one with the memory budget is
bench/soak.py): every flow ten times on the headless rig with the real demo platform, printer
emulator and journal, every fault kind at least once. No stuck state, no print job left open, no
session left open, no personal data left anywhere, no record lost. Memory is not measured here.

And the soak itself is checked: with a kiosk broken on purpose it must fail."""
from __future__ import annotations

from collections import Counter

import pytest

from flows.registry import FLOWS
from kiosk.demo.soak import FAULT_KINDS, run_soak

SESSIONS = 70  # ten per flow
SEED = 15  # every fault kind happens at least three times with this seed


def short_soak():
    records = []
    report = run_soak(SESSIONS, warmup=0, seed=SEED, measure_memory=False, on_session=records.append)
    return report, records


def test_short_soak_every_flow_every_fault():
    report, records = short_soak()
    assert Counter(r.flow for r in records) == {flow: SESSIONS // len(FLOWS) for flow in FLOWS}
    assert [kind for kind in FAULT_KINDS if report.faults[kind] == 0] == [], report.faults
    assert report.stuck == []
    assert report.unfinished_print_jobs == 0
    assert report.open_sessions == 0
    assert report.personal_data_left == 0 and report.personal_data_in_logs == 0
    assert report.outbox_pending == 0
    assert report.rss_growth_mb is None  # not measured here
    assert report.ok, report.line()
    # The faults did what they say: receipts cut short and printers gone, calls that failed or
    # timed out, citizens who walked away (the session ended by its timeout).
    assert {"interrupted:paper_out", "not_responding", "interrupted:connection_lost"} <= set(report.print_failures)
    reasons = Counter(r.reason for r in records if r.happened)
    assert reasons["unreachable"] and reasons["timeout"], reasons
    assert report.outcomes.get("timeout", 0) >= 1
    assert any(r.fault == "idcard_unplugged" and r.happened and "resolving" in r.steps for r in records)


def test_the_soak_sees_personal_data_kept(monkeypatch):
    from kiosk.core.session import Session

    monkeypatch.setattr(Session, "wipe", lambda self: setattr(self, "wiped", True))  # keeps the data
    report, _ = short_soak()
    assert report.personal_data_left > 0 and not report.ok


def test_the_soak_sees_a_flow_that_never_times_out(monkeypatch):
    from flows.engine import FlowRunner

    monkeypatch.setattr(FlowRunner, "tick", lambda self: None)  # deadlines never fire
    report, _ = short_soak()
    assert report.stuck and not report.ok


def test_the_soak_sees_a_print_job_left_unfinished(monkeypatch):
    from devices.printer.jobs import PrintQueue

    def failed_unjournaled(self, job, reason, error):
        raise error  # the journal row stays 'pending' or 'sent'

    monkeypatch.setattr(PrintQueue, "_failed", failed_unjournaled)
    report, _ = short_soak()
    assert report.unfinished_print_jobs > 0 and not report.ok


@pytest.mark.parametrize("broken", ["session_ended", "outbox_delivered"])
def test_the_soak_sees_lost_journal_records(monkeypatch, broken):
    from kiosk.core.journal import Journal

    monkeypatch.setattr(Journal, broken, lambda self, *a, **kw: None)
    report, _ = short_soak()
    assert (report.open_sessions if broken == "session_ended" else report.outbox_pending) > 0
    assert not report.ok
