"""A step where the kiosk works and the citizen waits: what is happening, and that it moves. While
a printer prints, the picture is the paper coming out of its slot (screens/illustrations.py);
otherwise the waiting pictogram (screens/icons.py)."""
from __future__ import annotations

from typing import Any

from kivy.properties import ListProperty

from screens.base import KioskScreen, load_kv
from screens.illustrations import ArtScreen, scenes_for


class WaitingScreen(ArtScreen, KioskScreen):
    scenes = ListProperty([])

    def on_view(self, *_: Any) -> None:
        self.scenes = scenes_for(self.view)


load_kv(__file__)
