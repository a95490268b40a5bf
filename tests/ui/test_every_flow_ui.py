"""Every flow, driven through the real window: each step's view is drawn on its screen; the
ID card comes through the simulator and the real serial driver; the paper through ESC/POS."""
from __future__ import annotations

import json

import pytest

from flows.registry import FLOWS

pytestmark = pytest.mark.ui


def demo_inputs(c):
    from kiosk.demo.headless import DemoInputs
    from kiosk.demo.rig import receipt_code, synthetic_jpeg

    seed = c.s.demo_server.seed
    demo = seed.get("demo", {})
    citizen = next(x for x in seed["citizens"] if x["id_number"] == demo.get("citizen"))
    return citizen, DemoInputs(identity=lambda: None, identity_token=citizen.get("identity_token", ""),
                               jpeg=synthetic_jpeg(), receipt_code=receipt_code(c.s.demo_server.url, demo.get("application", "")),
                               application_number=demo.get("application", ""))


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_flow_through_its_screens(ui, flow_id):
    from kiosk.demo.headless import Driver
    from kiosk.demo.sim_rig import IDCARDS
    from kiosk.demo.rig import demo_card
    from screens.root import VIEW_SCREENS

    c = ui.c
    citizen, inputs = demo_inputs(c)
    ui.tap(ui.button(option_id=f"flow:{flow_id}"))
    runner = c.runner
    driver = Driver(runner, inputs)
    shown = []
    for _ in range(60):
        ui.pump(frames=2)
        if runner.ended:
            break
        view = runner.view
        assert c.root.current == VIEW_SCREENS[view.kind], (runner.step, view.kind)
        assert runner.step != "failsafe", runner.reason
        shown.append(runner.step)
        if view.kind == "identify" and "idcard" in view.data.get("accept", ()):
            # the card goes on the simulated reader; the real driver reads it and the bus brings it
            ui.app.services.hub.sims["idcard"].present(demo_card(citizen))
            ui.pump(lambda: runner.step not in (shown[-1],) or runner.ended, frames=600)
            ui.app.services.hub.sims["idcard"].remove()
            continue
        if view.kind in ("waiting",):
            ui.pump(lambda: runner.view is not view or runner.ended, frames=600)
            continue
        driver.act()
    assert runner.outcome == "completed", (shown, runner.reason)
    assert c.root.current in ("done", "start")
    assert not c.session.has_personal  # the new session holds nothing
    assert IDCARDS.is_dir()
