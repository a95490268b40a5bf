from __future__ import annotations

from typing import Any

from flows.engine import CANCELLED, COMPLETED, FAILED, Flow, FlowRunner, Option, Step, View, WorkResult
from kiosk.i18n.translator import Msg


class Deferred:
    """A Submit that keeps work until the test releases it: background work, made visible."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Any, Any]] = []

    def __call__(self, fn, done) -> None:
        self.jobs.append((fn, done))

    def release(self, i: int = 0) -> None:
        fn, done = self.jobs.pop(i)
        try:
            done(WorkResult(value=fn()))
        except Exception as e:  # noqa: BLE001
            done(WorkResult(error=e))


class Demo(Flow):
    id = "demo"
    title = Msg("flow.queue_ticket.title")
    initial = "ask"
    steps = (Step("ask"), Step("work", timeout_s=10, interactive=False), Step("show", timeout_s=30))

    def __init__(self, ctx: Any = None, fn: Any = lambda: 42) -> None:
        super().__init__(ctx)
        self.fn = fn
        self.result = None

    def enter_ask(self) -> View:
        return View("choice", Msg("queue.choose.title"), options=(Option("go", Msg("action.done")),))

    def on_ask(self, event: str, data: dict) -> None:
        if event == "choose" and data["option"] == "go":
            self.goto("work")
        elif event == "crash":
            raise ValueError("bug in a handler")

    def enter_work(self) -> View:
        self.work(self.fn)
        return View("waiting", Msg("common.please_wait"), cancelable=False)

    def on_work(self, event: str, data: dict) -> None:
        if event == "done":
            self.result = data["value"]
            self.goto("show")
        else:
            self.fail_view(Msg("error.timeout.title"), Msg("error.timeout.body"), "work_failed")

    def enter_show(self) -> View:
        return View("result", Msg("queue.ticket.title"))

    def on_show(self, event: str, data: dict) -> None:
        self.finish(COMPLETED)


def make(fake_clock, **kw):
    views, ends, submit = [], [], Deferred()
    flow = Demo(**kw)
    runner = FlowRunner(flow, fake_clock, on_view=lambda s, v: views.append(s), on_end=ends.append, submit=submit)
    runner.start()
    return runner, flow, views, ends, submit


def test_happy_path(fake_clock):
    runner, flow, views, ends, submit = make(fake_clock)
    runner.send("choose", option="go")
    assert runner.step == "work" and not runner.interactive
    submit.release()
    assert flow.result == 42 and runner.step == "show"
    runner.send("ok")
    assert ends == [COMPLETED] and runner.history == ["ask", "work", "show"]


def test_step_timeout_fires_from_the_clock_not_from_sleeping(fake_clock):
    runner, flow, views, ends, submit = make(fake_clock)
    runner.send("choose", option="go")
    fake_clock.advance(9.9)
    runner.tick()
    assert runner.step == "work"
    fake_clock.advance(0.2)
    runner.tick()
    assert runner.step == FlowRunner.FAILSAFE and runner.view.data["reason"] == "timeout"
    # the late result is dropped: the citizen has moved on
    submit.release()
    assert flow.result is None and runner.step == FlowRunner.FAILSAFE
    # the failsafe itself ends by time too
    fake_clock.advance(FlowRunner.FAILSAFE_TIMEOUT_S)
    runner.tick()
    assert ends == [FAILED]


def test_exception_anywhere_goes_to_failsafe(fake_clock):
    runner, flow, views, ends, submit = make(fake_clock)
    runner.send("crash")
    assert runner.step == FlowRunner.FAILSAFE and runner.reason == "bug:ValueError"
    assert runner.view.kind == "error" and runner.view.options[0].id == "ok"
    runner.send("ok")
    assert ends == [FAILED]


def test_worker_exception_is_a_typed_result(fake_clock):
    def boom():
        raise ConnectionError("down")

    runner, flow, views, ends, submit = make(fake_clock, fn=boom)
    runner.send("choose", option="go")
    submit.release()
    assert runner.step == FlowRunner.FAILSAFE and runner.reason == "work_failed"


def test_cancel_is_one_call_but_refused_while_paper_moves(fake_clock):
    runner, flow, views, ends, submit = make(fake_clock)
    runner.send("choose", option="go")
    assert runner.cancel() is False and ends == []  # the waiting view is not cancelable
    submit.release()
    assert runner.cancel() is True and ends == [CANCELLED]
    runner.send("ok")  # events after the end are dropped
    assert ends == [CANCELLED]


def test_unknown_step_is_a_bug_that_ends_in_failsafe(fake_clock):
    runner, flow, views, ends, submit = make(fake_clock)
    flow.goto = lambda step, **d: runner.goto("nowhere")  # a flow bug
    runner.send("choose", option="go")
    assert runner.step == FlowRunner.FAILSAFE


def test_a_failing_end_callback_is_not_swallowed(fake_clock):
    """The host's on_end (wipe, journal) failing after the flow finished reaches the host's own
    guard; the engine used to log it and carry on, so a disk-full journal went unseen."""
    import pytest

    def on_end(outcome: str) -> None:
        raise OSError("database or disk is full")

    flow = Demo()
    runner = FlowRunner(flow, fake_clock, on_view=lambda s, v: None, on_end=on_end, submit=Deferred())
    runner.start()
    runner.goto("show")
    with pytest.raises(OSError, match="disk is full"):
        runner.send("ok")
    assert runner.ended
