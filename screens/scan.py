"""Showing a code to the camera: the live picture with a frame guide, so the person sees what
the camera sees. View kind "scan"; the app feeds `preview` with the newest camera frame (a
grey numpy image) — the screen never talks to the camera itself."""
from __future__ import annotations

from typing import Any

from kivy.graphics.texture import Texture
from kivy.properties import ObjectProperty

from screens.base import KioskScreen, load_kv


class ScanScreen(KioskScreen):
    texture = ObjectProperty(None, allownone=True)

    def on_kv_post(self, *_: Any) -> None:
        self.ids.options.on_choose = lambda option_id: self.emit("option", option=option_id)

    def set_preview(self, frame: Any) -> None:
        """A 2-D uint8 array (grey). Kivy textures start at the bottom row: flip once here."""
        if frame is None:
            return
        h, w = frame.shape[:2]
        if self.texture is None or self.texture.size != (w, h):
            self.texture = Texture.create(size=(w, h), colorfmt="luminance")
        self.texture.blit_buffer(frame[::-1].tobytes(), colorfmt="luminance", bufferfmt="ubyte")
        self.ids.preview.canvas.ask_update()


load_kv(__file__)
