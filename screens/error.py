"""Something failed: a plain reason, what to do now, and the way back. Never colour alone: the
mark is the error pictogram (screens/icons.py) and the text says it too."""
from __future__ import annotations

from typing import Any

from screens.base import KioskScreen, load_kv


class ErrorScreen(KioskScreen):
    def on_kv_post(self, *_: Any) -> None:
        self.ids.options.on_choose = lambda option_id: self.emit("option", option=option_id)


load_kv(__file__)
