"""Evaluation: five levels, reasons (several; required for a bad rating), an optional comment
cleaned of numbers and names; stored in the journal and queued for the platform without any
personal data."""
from __future__ import annotations

import json

from tests.support.flowkit import JPEG, identity, secrets_of

from flows.engine import COMPLETED, TIMED_OUT
from flows.evaluate import scrub_comment

FLOW = "evaluation"


def test_standalone_evaluation_is_journaled_and_queued(harness):
    h = harness(FLOW)
    assert h.step == "subject" and h.option_ids() == ["self_service", "counter", "hall"]
    h.choose("counter")
    assert h.view.kind == "evaluation" and [o.id for o in h.view.options] == ["5", "4", "3", "2", "1"]
    h.choose("5")
    assert h.view.data["stage"] == "reasons" and h.view.data["multi"] is True
    h.send("toggle", option="fast")
    h.send("toggle", option="easy")
    h.send("toggle", option="fast")
    assert h.view.data["selected"] == ("easy",)
    h.choose("submit")
    # The comment is asked on the keyboard (issue 17); skipping it stores without one.
    assert h.step == "evaluate_comment" and h.view.kind == "text" and h.option_ids() == ["skip"]
    h.choose("skip")
    assert h.outcome == COMPLETED
    ev = h.journal.rows("evaluations")[-1]
    assert ev["flow"] is None and ev["level"] == 5 and json.loads(ev["reasons"]) == ["easy"]
    assert ev["comment"] == ""
    item = h.journal.rows("outbox")[-1]
    payload = json.loads(item["payload"])
    assert item["kind"] == "evaluation" and payload["subject"] == "counter" and payload["level"] == 5
    assert set(payload) == {"terminal", "hall", "flow", "subject", "level", "reasons", "comment", "language",
                            "session", "at"}


def test_a_bad_rating_needs_a_reason(harness):
    h = harness(FLOW)
    h.choose("hall")
    h.choose("1")
    submit = next(o for o in h.view.options if o.id == "submit")
    assert not submit.enabled and submit.reason is not None and h.view.data["required"] is True
    h.choose("submit")
    assert h.step == "evaluate_reasons"
    h.send("toggle", option="slow")
    assert next(o for o in h.view.options if o.id == "submit").enabled
    h.choose("submit")
    h.choose("skip")
    assert h.outcome == COMPLETED


def test_no_view_offers_a_comment_box_that_cannot_be_written(harness):
    """Issue 15 #7: the comment step asked for words on a digits-only keypad. No step of the
    evaluation is a keypad; the comment is asked on the keyboard (any mode)."""
    h = harness(FLOW)
    h.choose("hall")
    kinds = [h.view.kind]
    h.choose("2")
    kinds.append(h.view.kind)
    h.send("toggle", option="slow")
    h.choose("submit")
    kinds.append(h.view.kind)
    assert "keypad" not in kinds and kinds[-1] == "text" and h.view.data.get("modes") is None  # every mode
    h.send("comment", text="")  # OK on an empty box: no comment
    assert h.outcome == COMPLETED and h.journal.rows("evaluations")[-1]["comment"] == ""


def test_switched_off_the_comment_is_not_asked(harness, monkeypatch):
    monkeypatch.setattr("flows.evaluate.COMMENT_STEP", False)
    h = harness(FLOW)
    h.choose("hall")
    h.choose("4")
    h.choose("submit")
    assert h.outcome == COMPLETED and h.step != "evaluate_comment"


def test_the_comment_uses_the_keyboard(harness):
    h = harness(FLOW)
    h.choose("hall")
    h.choose("4")
    h.choose("submit")
    assert h.step == "evaluate_comment" and h.view.kind == "text" and h.view.data["event"] == "comment"
    h.send("comment", text="very good")
    assert h.outcome == COMPLETED and h.journal.rows("evaluations")[-1]["comment"] == "very good"


def test_a_comment_keeps_no_personal_data(harness):
    h = harness("real_estate_query")
    h.send("card_read", identity=identity())
    h.send("face_captured", jpeg=JPEG)
    h.choose("evaluate")
    h.choose("2")
    h.send("toggle", option="slow")
    h.choose("submit")
    name, _, number = secrets_of()[0], None, secrets_of()[2]
    h.send("comment", text=f"{name} {number} 13800138000 slow")
    assert h.outcome == COMPLETED
    comment = h.journal.rows("evaluations")[-1]["comment"]
    assert name not in comment and number not in comment and "13800138000" not in comment
    assert "slow" in comment


def test_scrub_comment():
    assert scrub_comment(" call me 139 1234 5678 ") == "call me ***"
    assert scrub_comment("id 51332719620805028X ok") == "id *** ok"
    assert scrub_comment("room 302, 2 people") == "room 302, 2 people"  # short numbers stay
    assert len(scrub_comment("x" * 500)) <= 140


def test_walking_away_from_a_standalone_evaluation_is_a_timeout(harness):
    h = harness(FLOW)
    h.choose("self_service")
    h.choose("4")
    h.expire()
    assert h.outcome == TIMED_OUT and h.journal.rows("evaluations") == []
