"""Video help (issue 18): the call with a remote staff member. The staff member's face large, the
citizen's own picture small, a "camera on" indicator whenever the picture leaves the kiosk, the
queue place and wait before, and one clear hang-up. A staff request ("open this service for you")
waits for the citizen's tap. The screen draws a Panel (kiosk/videohelp/session.py, duck-typed:
screens do not import it) and frames handed in by the app; it emits intents only."""
from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ObjectProperty

from screens.base import KioskScreen, load_kv


class VideoHelpScreen(KioskScreen):
    panel = ObjectProperty(None, allownone=True)
    status_text = ObjectProperty(None, allownone=True)
    request_text = ObjectProperty(None, allownone=True)
    stage_text = ObjectProperty(None, allownone=True)
    camera_on = BooleanProperty(False)
    remote_texture = ObjectProperty(None, allownone=True)
    self_texture = ObjectProperty(None, allownone=True)
    drawn = 0  # pictures put on screen (bench/videohelp.py --with-window counts the frame rate)
    # The app's source of pictures: a callable returning {"remote": rgb, "self": rgb}; pulled at
    # the camera's rate while this screen is shown, never otherwise.
    frames = ObjectProperty(None, allownone=True)
    FPS = 15

    def on_kv_post(self, *_: Any) -> None:
        self.ids.options.on_choose = self._choose
        self._puller: Any = None
        self.show_panel(None)

    def _choose(self, option_id: str) -> None:
        if option_id.startswith("rate_"):
            self.emit("videohelp_rate", level=int(option_id[5:]))
        else:
            self.emit("videohelp_" + option_id)

    def on_enter(self, *_: Any) -> None:
        if self._puller is None:
            self._puller = Clock.schedule_interval(lambda dt: self.pull_frames(), 1 / self.FPS)

    def on_leave(self, *_: Any) -> None:
        if self._puller is not None:
            self._puller.cancel()
            self._puller = None

    def pull_frames(self) -> None:
        if self.frames is None:  # nothing wired (a render, a test that hands frames in itself)
            return
        got = self.frames()
        for which in ("remote", "self"):
            rgb = got.get(which)
            if rgb is not None or getattr(self, f"{which}_texture") is not None:
                self.set_frame(which, rgb)

    def show_panel(self, panel: Any) -> None:
        from flows.engine import Option
        from kiosk.i18n.translator import Msg

        self.panel = panel
        phase = getattr(panel, "phase", "off")
        self.status_text = getattr(panel, "status", None) or Msg("videohelp.button")
        # While waiting, the dark stage says what comes: a person, and the camera on (no recording).
        self.stage_text = Msg("videohelp.queue.note") if phase == "queue" else None
        self.camera_on = bool(getattr(panel, "camera_on", False))
        self.request_text = getattr(panel, "request", None)
        back = Option("back", Msg("videohelp.back"))
        if self.request_text is not None:
            options = (Option("agree", Msg("videohelp.agree")), Option("decline", Msg("videohelp.decline")))
        elif phase in ("connecting", "call"):
            # The flow goes on during the call: "my step" shows it (the bar leads back here).
            options = (Option("hangup", Msg("videohelp.hangup")), Option("step", Msg("videohelp.show_step")))
        elif phase == "queue":
            options = (Option("leave", Msg("videohelp.queue.leave")), Option("step", Msg("videohelp.show_step")))
        elif getattr(panel, "can_evaluate", False):
            # 好差评 of the staff member: five levels, as in every evaluation; skipping is "back".
            self.request_text = Msg("videohelp.evaluate")
            options = (back, *(Option(f"rate_{n}", Msg(f"evaluation.level.{n}")) for n in (5, 4, 3, 2, 1)))
        elif getattr(panel, "can_retry", False):
            options = (back, Option("again", Msg("videohelp.again")))
        else:
            options = (back,)
        self.ids.options.options = options
        if phase not in ("connecting", "call"):
            self.remote_texture = self.self_texture = None

    def set_frame(self, which: str, rgb: Any) -> None:
        """`rgb`: a height x width x 3 uint8 array (the newest decoded frame), or None."""
        if rgb is None:
            setattr(self, f"{which}_texture", None)
            return
        self.drawn += 1
        h, w = rgb.shape[:2]
        tex = getattr(self, f"{which}_texture")
        if tex is None or tex.size != (w, h):
            tex = Texture.create(size=(w, h), colorfmt="rgb")
            tex.flip_vertical()
        tex.blit_buffer(rgb.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
        setattr(self, f"{which}_texture", None)  # reassign so the Image redraws
        setattr(self, f"{which}_texture", tex)


load_kv(__file__)
