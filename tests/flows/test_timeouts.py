"""Every waiting step of every flow has a deadline from the config, and what happens when it
passes is sane: the citizen has gone (the session ends), a platform or printer did not answer
(a plain error with a retry, or a reprint), or the result was on screen (completed). Never a
bug, never a hang: after the timeout the run still reaches an end."""
from __future__ import annotations

import pytest
from tests.support.flowkit import FlowHarness

from flows.engine import COMPLETED, FAILED, TIMED_OUT, FlowRunner
from flows.registry import FLOWS

AFTER_TIMEOUT_STEPS = {"error", "face_failed", "printed", "ticket", FlowRunner.FAILSAFE}


def happy_steps(flow_id, platform, server, data_dir, clock):  # noqa: ANN001, ANN201
    h = FlowHarness(flow_id, platform=platform, server=server, data_dir=data_dir, clock=clock)
    h.start()
    assert h.finish() == COMPLETED, (flow_id, h.driver.reason)
    h.close()
    return list(dict.fromkeys(h.runner.history))


@pytest.mark.parametrize("flow_id", list(FLOWS))
def test_every_step_on_the_way_times_out_sanely(flow_id, platform, server, tmp_path, fake_clock):
    steps = happy_steps(flow_id, platform, server, tmp_path / "happy", fake_clock)
    checked = []
    for i, step in enumerate(steps):
        h = FlowHarness(flow_id, platform=platform, server=server, data_dir=tmp_path / str(i), clock=fake_clock)
        h.start()
        h.drive(until=step)
        if h.runner.ended:
            h.close()
            continue
        timeout = h.timeout_of(step)
        assert timeout, f"{flow_id}.{step} waits without a deadline"
        to = h.ctx.config.timeouts
        assert timeout in (to.platform_s, to.print_s, to.result_s, to.idle_s)
        h.expire()
        assert not (h.runner.reason or "").startswith("bug:"), (step, h.runner.reason)
        if not h.runner.ended:
            assert h.step in AFTER_TIMEOUT_STEPS, f"{flow_id}.{step} timed out into {h.step}"
            assert h.view.kind in ("error", "result", "ticket")
            h.finish()
        assert h.outcome in (COMPLETED, TIMED_OUT, FAILED), (step, h.outcome)
        checked.append(step)
        h.close()
    assert len(checked) >= 3, checked
