"""A step that asks the citizen to pick one option."""
from __future__ import annotations

from typing import Any

from screens.base import KioskScreen, load_kv


class ChoiceScreen(KioskScreen):
    def on_kv_post(self, *_: Any) -> None:
        self.ids.options.on_choose = lambda option_id: self.emit("option", option=option_id)


load_kv(__file__)
