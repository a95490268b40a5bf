"""Every flow, driven through the real window: each step's view is drawn on its screen; the
ID card comes through the simulator and the real serial driver; the paper through ESC/POS."""
from __future__ import annotations


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


def test_search_ok_reaches_the_flow_through_real_taps(ui):
    """Issue 15: OK on the search keypad crashed the kiosk (the intent's own 'name' sent twice)."""
    ui.tap(ui.button(option_id="flow:service_guide"))
    ui.pump(lambda: ui.c.root.current == "keyboard")  # search is typed on the keyboard (issue 17)
    board = ui.c.root.screens["keyboard"].ids.keyboard
    for key in ("s", "b"):
        ui.tap(board.key_widget(key))
    view = ui.c.runner.view
    ui.tap(board.key_widget("ok"))
    ui.pump(lambda: ui.c.runner is not None and ui.c.runner.view is not view, frames=600)
    assert ui.c.runner.step != "failsafe", ui.c.runner.reason
    assert ui.c.runner.flow.query == "社保" and ui.c.runner.view.options[0].id == "guide:si_guide"


def test_a_bug_behind_a_tap_ends_in_the_failsafe_with_an_incident(ui, monkeypatch):
    import sqlite3

    from kivy.base import ExceptionManager

    def crashes():
        with sqlite3.connect(ui.c.s.journal.path) as db:
            return db.execute("SELECT count(*) FROM incidents WHERE kind = 'crash'").fetchone()[0]

    before = crashes()
    monkeypatch.setattr(type(ui.c), "_intent_help", lambda self: 1 / 0)
    ui.tap(ui.button(msg="bar.help"))
    assert ui.c.root.current == "error" and crashes() == before + 1
    ui.tap(ui.button(option_id="ok"))
    assert ui.c.root.current == "start"
    # An exception escaping Kivy's dispatch: the handler recovers instead of stopping the loop.
    assert ExceptionManager.handle_exception(RuntimeError("x")) == ExceptionManager.PASS
    assert ui.c.root.current == "error" and crashes() == before + 2
