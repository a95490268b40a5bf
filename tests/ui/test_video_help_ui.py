"""The video help call screen in the real window (issue 18): the staff member's face large, the
citizen's picture small, the camera indicator while the picture leaves the kiosk, the buttons of
each phase, and a staff request that waits for the citizen's tap. Frames come from the synthetic
camera; the Panel from kiosk/videohelp/session.py."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from kiosk.i18n.translator import Msg
from kiosk.videohelp.session import Panel

SHOTS = Path(os.environ.get("KIOSK_VIDEOHELP_SHOTS", "/tmp/videohelp-shots"))


def test_the_call_screen_in_each_phase(ui):
    from kivy.core.window import Window

    screen = ui.c.root.show_screen("video_help")
    intents = []
    screen.intent = lambda name, **data: intents.append(name)
    source, screen.frames = screen.frames, None  # frames are handed in below, not pulled from a call
    try:
        screen.show_panel(Panel(phase="queue", status=Msg("videohelp.queue.place", ahead=2, minutes=4)))
        ui.pump(frames=3)
        assert "2" in ui.texts() and screen.ids.camera_indicator.opacity == 0
        ui.tap(ui.shown("leave"))
        assert intents == ["videohelp_leave"]

        screen.show_panel(Panel(phase="call", staff="ada", camera_on=True, status=Msg("videohelp.camera_on")))
        face = np.zeros((480, 640, 3), np.uint8)
        face[:, :, 2] = 200
        screen.set_frame("remote", face)
        screen.set_frame("self", np.full((480, 640, 3), 120, np.uint8))
        ui.pump(frames=3)
        assert screen.ids.camera_indicator.opacity == 1 and screen.ids.remote.opacity == 1
        assert screen.ids.remote.width > 2 * screen.ids.self_view.width  # the staff member large, the citizen small
        Window.screenshot(name=str(SHOTS / "kiosk-call.png"))
        ui.tap(ui.shown("hangup"))
        assert intents[-1] == "videohelp_hangup"
        ui.tap(ui.shown("step"))  # the citizen's step, the call going on
        assert intents[-1] == "videohelp_step"

        screen.show_panel(Panel(phase="call", camera_on=True, request_id="r1",
                                request=Msg("videohelp.request.start", service="社保卡")))
        ui.pump(frames=3)
        assert "社保卡" in ui.texts()
        ui.tap(ui.shown("agree"))
        assert intents[-1] == "videohelp_agree"

        screen.show_panel(Panel(phase="ended", status=Msg("videohelp.network_lost")))
        ui.pump(frames=3)
        assert screen.remote_texture is None and screen.ids.camera_indicator.opacity == 0
        ui.shown("back")
    finally:
        screen.intent = ui.c.root.screens["start"].intent
        screen.frames = source
