"""The headless driver always reaches an end: a bug in a flow ends in the failsafe, which it
leaves; a step it cannot act on is reported as stuck instead of looping."""
from __future__ import annotations

from flows.engine import FAILED, FlowRunner


def test_a_bug_ends_in_the_failsafe_and_the_run_ends(harness):
    h = harness("application_progress")
    h.flow.enter_loading = lambda: 1 / 0  # a bug in a flow
    assert h.finish() == FAILED
    assert FlowRunner.FAILSAFE in h.runner.history and h.runner.reason == "bug:ZeroDivisionError"


def test_a_view_nobody_can_answer_is_stuck_not_a_hang(harness):
    h = harness("application_progress")
    h.switch.hold.add("loading")  # the platform never answers and the clock never moves
    h.send("code_scanned", symbology="QRCODE", text="SC2026112200123")
    assert h.driver.run() == FAILED and h.driver.reason == "stuck:loading"
