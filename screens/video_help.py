"""Video help (issue 18): the call with a remote staff member. The staff member's face large, the
citizen's own picture small, a "camera on" indicator whenever the picture leaves the kiosk, the
queue place and wait before, and one clear hang-up. A staff request ("open this service for you")
waits for the citizen's tap. The screen draws a Panel (kiosk/videohelp/session.py, duck-typed:
screens do not import it) and frames handed in by the app; it emits intents only."""
from __future__ import annotations

from typing import Any

from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ObjectProperty

from screens.base import KioskScreen, load_kv


class VideoHelpScreen(KioskScreen):
    panel = ObjectProperty(None, allownone=True)
    status_text = ObjectProperty(None, allownone=True)
    request_text = ObjectProperty(None, allownone=True)
    camera_on = BooleanProperty(False)
    remote_texture = ObjectProperty(None, allownone=True)
    self_texture = ObjectProperty(None, allownone=True)

    def on_kv_post(self, *_: Any) -> None:
        self.ids.options.on_choose = lambda option_id: self.emit("videohelp_" + option_id)
        self.show_panel(None)

    def show_panel(self, panel: Any) -> None:
        from flows.engine import Option
        from kiosk.i18n.translator import Msg

        self.panel = panel
        phase = getattr(panel, "phase", "off")
        self.status_text = getattr(panel, "status", None) or Msg("videohelp.button")
        self.camera_on = bool(getattr(panel, "camera_on", False))
        self.request_text = getattr(panel, "request", None)
        if self.request_text is not None:
            options = (Option("agree", Msg("videohelp.agree")), Option("decline", Msg("videohelp.decline")))
        elif phase in ("connecting", "call"):
            options = (Option("hangup", Msg("videohelp.hangup")),)
        elif phase == "queue":
            options = (Option("leave", Msg("videohelp.queue.leave")),)
        else:
            options = (Option("back", Msg("action.back")),)
        self.ids.options.options = options
        if phase not in ("connecting", "call"):
            self.remote_texture = self.self_texture = None

    def set_frame(self, which: str, rgb: Any) -> None:
        """`rgb`: a height x width x 3 uint8 array (the newest decoded frame), or None."""
        if rgb is None:
            setattr(self, f"{which}_texture", None)
            return
        h, w = rgb.shape[:2]
        tex = getattr(self, f"{which}_texture")
        if tex is None or tex.size != (w, h):
            tex = Texture.create(size=(w, h), colorfmt="rgb")
            tex.flip_vertical()
        tex.blit_buffer(rgb.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
        setattr(self, f"{which}_texture", None)  # reassign so the Image redraws
        setattr(self, f"{which}_texture", tex)


load_kv(__file__)
