"""Showing a code to the camera: the live picture with a frame guide, so the person sees what
the camera sees. View kind "scan"; the app feeds `preview` with the newest camera frame (a
grey numpy image) — the screen never talks to the camera itself. Above it, a picture of where
the scanner is and how to hold the code under it (screens/illustrations.py)."""
from __future__ import annotations

from typing import Any

from screens.base import KioskScreen, load_kv
from screens.illustrations import ArtScreen


class ScanScreen(ArtScreen, KioskScreen):
    def on_kv_post(self, *_: Any) -> None:
        self.ids.options.on_choose = lambda option_id: self.emit("option", option=option_id)

    def set_preview(self, frame: Any) -> None:
        """A 2-D uint8 array (grey)."""
        self.ids.preview.show(frame)


load_kv(__file__)
