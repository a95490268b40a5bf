"""Queue ticket on the engine against the demo platform: printed through the PrintQueue, and
the evaluation offered beside "done"."""
from __future__ import annotations

from flows.engine import COMPLETED

FLOW = "queue_ticket"


def test_ticket_printed_then_evaluated(harness):
    h = harness(FLOW)
    assert h.step == "choose"
    h.choose(h.option_ids()[0])
    assert h.step == "ticket" and h.view.data["print_error"] is None
    assert h.printer.printed[-1].kind == "queue_ticket"
    assert h.option_ids() == ["evaluate", "done"]
    h.choose("evaluate")
    assert h.view.kind == "evaluation" and h.view.data["stage"] == "level"
    h.choose("4")
    h.choose("submit")
    h.choose("skip")
    assert h.outcome == COMPLETED
    assert h.journal.rows("evaluations")[-1]["flow"] == FLOW
    kinds = [r["kind"] for r in h.journal.rows("outbox")]
    assert kinds == ["queue_ticket_issued", "evaluation"]


def test_done_without_evaluating(harness):
    h = harness(FLOW)
    h.choose(h.option_ids()[0])
    h.choose("done")
    assert h.outcome == COMPLETED and h.journal.rows("evaluations") == []


def test_paper_out_keeps_the_number_and_reprints_as_a_new_job(harness):
    h = harness(FLOW)
    h.printer.state = "paper_out"
    h.choose(h.option_ids()[0])
    assert h.step == "ticket" and h.view.data["print_error"] == "paper_out"
    assert h.option_ids() == ["reprint", "evaluate", "done"]
    h.printer.state = "ok"
    h.choose("reprint")
    assert h.view.data["print_error"] is None
    assert [j["state"] for j in h.journal.rows("print_jobs")] == ["failed", "done"]


def test_walking_away_from_the_evaluation_still_completes(harness):
    h = harness(FLOW)
    h.choose(h.option_ids()[0])
    h.choose("evaluate")
    h.expire()
    assert h.outcome == COMPLETED
