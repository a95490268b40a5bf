"""A step that tells the citizen what to do, with a picture of where and how (screens/
illustrations.py): the identify step shows each way it accepts (ID card on the reader pad, social
security card into the slot, code under the camera), the face step the face inside the camera's
frame (issue 15 #6: the face step showed the card). The picture moves while the screen shows."""
from __future__ import annotations

from typing import Any

from kivy.properties import ListProperty

from screens.base import KioskScreen, load_kv
from screens.illustrations import ArtScreen, scenes_for


class InstructionScreen(ArtScreen, KioskScreen):
    scenes = ListProperty([])

    def on_kv_post(self, *_: Any) -> None:
        self.ids.options.on_choose = lambda option_id: self.emit("option", option=option_id)

    def on_view(self, *_: Any) -> None:
        self.scenes = scenes_for(self.view)


load_kv(__file__)
