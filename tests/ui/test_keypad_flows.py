"""Every flow finished with the physical keypad and speech alone (issue 16, EN 301 549 5.1.3 / 8,
ADA 707): speech mode started by a key, each choice reached by moving the focus with the keys and
hearing the item, activated with Enter; nothing tapped on the screen. The keys are real Kivy
keyboard events on the Window; what was spoken is recorded through a fake player.

The citizen's physical acts stay physical: the ID card goes on the simulated reader (the real
driver reads it) and the face step gets its picture from the camera's side, as in
tests/ui/test_every_flow_ui.py."""
from __future__ import annotations

import pytest

from flows.registry import FLOWS
from kiosk.i18n.translator import Msg
from tests.ui.keypad_pad import Pad

pytestmark = pytest.mark.ui



def start_speech(pad: Pad) -> None:
    pad.start_speech()
    first = pad.last
    assert first[:3] == ["speech.on", "speech.keys", "start.subtitle"], first
    assert first[3:] == pad.nav.item_keys(pad.nav.focus)  # then the focused item
    assert pad.player.played and pad.player.played[-1][:2] == ["speech.on", "speech.keys"]  # clips played


def policy(view, done: set[str]) -> str | None:
    """Which option the citizen takes (the headless Driver's choices, kiosk/demo/headless.py)."""
    ids = [o.id for o in view.options if o.enabled]
    if view.kind == "evaluation":
        if view.data.get("stage") == "level":
            return "5" if "5" in ids else ids[0]
        if not view.data.get("selected"):
            return next(i for i in ids if i != "submit")
        return "submit"
    if view.kind == "scan":
        return "keypad"  # type the number instead of showing the code
    for option in ("print", "evaluate"):
        if option in ids and option not in done:
            done.add(option)
            return option
    if "done" in ids:
        return "done"
    return next(i for i in ids if i not in ("back", "home"))


@pytest.mark.parametrize("flow_id", sorted(FLOWS))
def test_flow_finished_with_keypad_and_speech_alone(ui, pad, flow_id):
    from kiosk.demo.headless import Driver
    from kiosk.demo.rig import demo_card
    from tests.ui.test_every_flow_ui import demo_inputs

    c = ui.c
    citizen, inputs = demo_inputs(c)
    start_speech(pad)
    pad.choose(f"flow:{flow_id}")
    ui.pump(lambda: c.runner is not None, frames=200)
    runner = c.runner
    done: set[str] = set()
    titles_heard, steps = [], []
    for _ in range(60):
        ui.pump(frames=2)
        if runner.ended:
            break
        view = runner.view
        assert runner.step != "failsafe", runner.reason
        if view.kind == "waiting":
            ui.pump(lambda v=view: runner.view is not v or runner.ended, frames=600)
            continue
        pad.settle()
        steps.append(runner.step)
        if isinstance(view.title, Msg) and not view.title.params:
            assert view.title.id in pad.heard(), (runner.step, view.title.id)  # the screen was said
            titles_heard.append(view.title.id)
        if view.kind == "identify" and "idcard" in view.data.get("accept", ()):
            ui.app.services.hub.sims["idcard"].present(demo_card(citizen))
            ui.pump(lambda v=view: runner.view is not v or runner.ended, frames=600)
            ui.app.services.hub.sims["idcard"].remove()
            continue
        if view.kind in ("identify", "face"):  # the camera's part, as in test_every_flow_ui
            Driver(runner, inputs).act()
            continue
        if view.kind == "keypad" and view.data.get("input") == "digits":
            pad.type_number(view, inputs.application_number)
        else:
            pad.choose(policy(view, done))
        ui.pump(lambda v=view: runner.view is not v or runner.ended, frames=600)
    assert runner.outcome == "completed", (steps, runner.reason)
    assert titles_heard, steps
    assert c.root.current in ("done", "start")
    assert not c.session.has_personal
    assert c.speech.active  # still on for this citizen until the visit ends
    assert not any(k.startswith("<private>") for k in pad.heard())


def test_keys_do_nothing_without_the_keypad_map(ui, pad):
    """A key the map does not name is left to others (never starts speech mode)."""
    from kivy.core.window import Keyboard, Window

    Window.dispatch("on_key_down", Keyboard.keycodes["f12"], 0, None, [])
    Window.dispatch("on_key_up", Keyboard.keycodes["f12"], 0)
    ui.pump(frames=3)
    assert not ui.c.speech.active and pad.said == []
