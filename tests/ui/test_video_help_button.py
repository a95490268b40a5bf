"""Video help from the citizen's side, in the real window with real taps (issue 18): the top bar's
button reaches the queue in one tap from any citizen screen; the flow keeps running during the wait
and the call and comes back after it; the staff member's pointing is framed on the citizen's own
screen; a rating ends a talked-out call; a broken call offers to queue again; leaving the queue goes
straight back; walking away (idle) ends the call before the wipe. The help desk is a fake client
here (the wire is tests/videohelp/); its reports are made on the UI thread as the bus delivers them."""
from __future__ import annotations

import pytest

from kiosk.videohelp.session import CALL, ENDED, OFF, QUEUE
from tests.support.videohelp_fake import FakeHelpDeskClient

pytestmark = pytest.mark.ui


class FakeClient(FakeHelpDeskClient):
    made: list[FakeHelpDeskClient] = []


@pytest.fixture
def vh(ui):
    c = ui.c
    assert c.videohelp is not None, "the demo profile has video help"
    old = c.videohelp.make_client, c.videohelp.run_aside
    c.videohelp.make_client, c.videohelp.run_aside = FakeClient, lambda fn: fn()
    FakeClient.made.clear()
    try:
        yield c.videohelp
    finally:
        c.videohelp.dismiss()
        c.videohelp.make_client, c.videohelp.run_aside = old


def bar_button(ui):
    return ui.c.root.ids.videohelp


def at_guide_step(ui):
    c = ui.c
    c.start_flow("service_guide")
    ui.pump(lambda: c.runner is not None and c.runner.view is not None)
    return c.runner.step


def in_a_call(ui):
    """At a step of the guide, in a call with staff member "ada" (one tap on the bar's button)."""
    at_guide_step(ui)
    ui.tap(bar_button(ui))
    client = FakeClient.made[-1]
    client.listener.on_accepted("ada")
    client.listener.on_connected("ada")
    ui.pump(frames=3)
    return client


def test_the_button_is_on_every_citizen_screen_with_one_place(ui, vh):
    c = ui.c
    where = []
    for name in ("start", "help", "language"):
        c.root.show_screen(name)
        ui.pump(frames=3)
        b = bar_button(ui)
        assert b.opacity == 1 and not b.disabled and b.width > 0, name
        where.append((round(b.x), round(b.width)))
    at_guide_step(ui)
    ui.pump(frames=3)
    where.append((round(bar_button(ui).x), round(bar_button(ui).width)))
    assert len(set(where)) == 1  # the same place on every screen


def test_the_wait_and_the_call_keep_the_flow_and_come_back_to_it(ui, vh):
    c = ui.c
    step = at_guide_step(ui)
    flow_screen = c.root.current
    ui.tap(bar_button(ui))  # one tap: in the queue
    assert c.root.current == "video_help" and vh.panel.phase == QUEUE
    client = FakeClient.made[-1]
    assert client.kw["language"] == "zh_CN" and client.screens[0]["step"] == step  # the replica has the step
    client.listener.on_queue(2, 200)
    ui.pump(frames=3)
    assert "1" in ui.texts() and c.root.call_phase == "queue"

    ui.tap(ui.shown("step"))  # the citizen goes on with the service while waiting
    assert c.root.current == flow_screen and c.runner.step == step
    ui.tap(bar_button(ui))  # and the bar leads back to the wait
    assert c.root.current == "video_help" and len(FakeClient.made) == 1

    client.listener.on_accepted("ada")
    client.listener.on_connected("ada")
    ui.pump(frames=3)
    assert vh.panel.phase == CALL and c.root.call_phase == "call"
    assert bar_button(ui).style == "danger"  # the camera indicator on every screen
    ui.tap(ui.shown("step"))
    assert c.root.current == flow_screen

    # The staff member points at an option: it is framed on the citizen's own screen.
    target = c.runner.view.options[0].id
    client.listener.on_highlight(target)
    ui.pump(frames=3)
    mark, button = c.root.ids.mark, ui.button(target)
    bx, by = button.to_window(button.x, button.y)
    assert mark.opacity == 1 and mark.x < bx and mark.right > bx + button.width and mark.y < by

    # ... or at a part of the screen: the top bar, the step's content, its buttons; nonsense marks nothing.
    for area, widget in (("topbar", c.root.ids.topbar), ("content", c.root.manager.current_screen.ids.content),
                         ("actions", c.root.manager.current_screen.ids.options)):
        client.listener.on_highlight(f"area:{area}")
        ui.pump(frames=3)
        wx, wy = widget.to_window(widget.x, widget.y)
        assert mark.opacity == 1 and mark.x < wx and mark.right > wx + widget.width - 1, area
        assert mark.y < wy and mark.top > wy + widget.height - 1, area
    client.listener.on_highlight("area:__class__")
    ui.pump(frames=3)
    assert mark.opacity == 0

    # The staff member hangs up: the end is said, a rating asked, then back to the very step.
    client.listener.on_ended("staff_hangup")
    ui.pump(frames=3)
    assert c.root.current == "video_help" and vh.panel.phase == ENDED and mark.opacity == 0
    ui.tap(ui.shown("rate_5"))
    assert ("evaluate", 5) in client.calls and "close" in client.calls
    assert c.root.current == flow_screen and c.runner.step == step and vh.panel.phase == OFF
    assert bar_button(ui).style == "primary" and c.root.call_phase == "off"


def test_a_broken_call_says_so_and_offers_the_queue_again(ui, vh):
    c = ui.c
    step = at_guide_step(ui)
    flow_screen = c.root.current
    ui.tap(bar_button(ui))
    first = FakeClient.made[-1]
    first.listener.on_accepted("ada")
    first.listener.on_connected("ada")
    ui.tap(ui.shown("step"))
    first.listener.on_ended("network")  # the line dropped while the citizen was at their step
    ui.pump(frames=3)
    assert c.root.current == "video_help"
    assert c.s.translator.text(vh.panel.status, "zh_CN") in ui.texts()
    ui.tap(ui.shown("again"))
    assert len(FakeClient.made) == 2 and vh.panel.phase == QUEUE
    # Leaving the queue needs no screen of its own: straight back to the step.
    ui.tap(ui.shown("leave"))
    assert "hang_up" in FakeClient.made[-1].calls
    FakeClient.made[-1].listener.on_ended("left_queue")
    ui.pump(frames=3)
    assert c.root.current == flow_screen and c.runner.step == step and vh.panel.phase == OFF


def test_the_end_screen_goes_back_by_itself(ui, vh):
    c = ui.c
    step = at_guide_step(ui)
    ui.tap(bar_button(ui))
    client = FakeClient.made[-1]
    client.listener.on_accepted("ada")
    client.listener.on_connected("ada")
    client.listener.on_ended("citizen_hangup")
    ui.pump(frames=3)
    assert c.root.current == "video_help"
    c.clock.advance(21)
    c.tick()
    ui.pump(frames=3)
    assert c.root.current != "video_help" and c.runner.step == step and vh.panel.phase == OFF


def test_walking_away_ends_the_call_before_the_wipe(ui, vh):
    c = ui.c
    client = in_a_call(ui)
    c.clock.advance(c.cfg.timeouts.idle_s + 1)
    c.tick()
    assert c.root.idle_shown  # the warning comes as on every screen
    c.clock.advance(c.cfg.timeouts.idle_grace_s + 1)
    c.tick()
    ui.pump(frames=3)
    assert client.calls[-2:] == [("idle", "expired"), "close"]
    assert c.root.current == "start" and c.runner is None and vh.panel.phase == OFF
    assert c.root.call_phase == "off" and bar_button(ui).style == "primary"
    client.listener.on_ended("staff_left")  # a late report from the call's teardown: dropped
    ui.pump(frames=3)
    assert c.root.current == "start" and vh.panel.phase == OFF


def test_a_wipe_ends_the_call_and_its_late_end_report_shows_nothing(ui, vh):
    """go_start(reset=True), whatever asked for it: the call ends with the session, and the end
    report the desk sends later never puts the call's end screen over the next person's start."""
    c = ui.c
    client = in_a_call(ui)
    assert vh.panel.phase == CALL
    c.go_start(reset=True)
    ui.pump(frames=3)
    assert ("idle", "expired") in client.calls and client.calls[-1] == "close"
    assert vh.panel.phase == OFF and c.root.call_phase == "off"
    client.listener.on_ended("staff_left")
    ui.pump(frames=3)
    assert c.root.current == "start" and vh.panel.phase == OFF


def test_the_done_screen_does_not_pull_a_citizen_out_of_the_queue(ui, vh):
    """Seen in the live window: video help tapped on the done screen, and 10 s later the done
    screen's own timer took the citizen to the start screen with the call still queued."""
    from kiosk.terminal.controller import DONE_SCREEN_S

    c = ui.c
    at_guide_step(ui)
    c.runner.on_end("completed")  # the flow ends well: the done screen and its timer
    ui.pump(lambda: c.root.current == "done")
    ui.tap(bar_button(ui))
    assert c.root.current == "video_help" and vh.panel.phase == QUEUE
    c.clock.advance(DONE_SCREEN_S + 1)
    c.tick()
    ui.pump(frames=3)
    assert c.root.current == "video_help" and vh.active


def test_a_queued_call_left_on_the_start_screen_ends_when_nobody_is_there(ui, vh):
    """The start screen has no idle rule of its own; with a call in the queue it has: whoever
    walked away from it does not leave it to the next person."""
    c = ui.c
    ui.tap(bar_button(ui))  # from the start screen
    client = FakeClient.made[-1]
    ui.tap(ui.shown("step"))  # back to the start screen, the wait goes on
    assert c.root.current == "start" and vh.active
    c.clock.advance(c.cfg.timeouts.idle_s + 1)
    c.tick()
    assert c.root.idle_shown
    c.clock.advance(c.cfg.timeouts.idle_grace_s + 1)
    c.tick()
    ui.pump(frames=3)
    assert ("idle", "expired") in client.calls and vh.panel.phase == OFF and not c.root.idle_shown


def test_a_staff_request_waits_for_the_citizens_tap(ui, vh):
    c = ui.c
    client = in_a_call(ui)
    ui.tap(ui.shown("step"))
    client.requests["r1"] = {"action": "start", "arg": "queue_ticket"}
    client.listener.on_request("r1", "start", "queue_ticket")
    ui.pump(frames=3)
    assert c.root.current == "video_help" and c.session.flow_id == "service_guide"  # nothing yet
    ui.tap(ui.shown("agree"))
    ui.pump(lambda: c.runner is not None and c.session.flow_id == "queue_ticket")
    assert c.root.current != "video_help" and vh.panel.phase == CALL  # the call goes on


def test_speech_mode_reaches_video_help_and_the_replica_follows_the_focus(ui, vh):
    """Help on the help screen calls a person by video; the staff replica frames the item speech
    mode's focus is on (so they can say which key to press)."""
    from tests.ui.keypad_pad import Pad

    c = ui.c
    pad = Pad(ui)
    try:
        pad.start_speech()
        pad.press("help")
        ui.pump(lambda: c.root.current == "help")
        pad.press("help")  # again, on the help screen: video help
        ui.pump(lambda: c.root.current == "video_help")
        assert vh.panel.phase == QUEUE
        client = FakeClient.made[-1]
        pad.settle()
        pad.choose("step")  # back to where they were (the start screen), still waiting
        ui.pump(lambda: c.root.current == "start")
        pad.settle()
        pad.press("k8")
        focused = pad.nav.focus.option_id
        assert focused and client.screens[-1]["focused"] == focused and client.screens[-1]["step"] == "start"
        sent = len(client.screens)
        pad.nav._set_focus(pad.nav.focus)  # the ring re-placed on the same item: nothing new sent
        assert len(client.screens) == sent
    finally:
        pad.close()
        c.speech.end_visit()
