"""A step that asks the citizen to pick one option."""
from __future__ import annotations

from typing import Any

from screens.base import KioskScreen, load_kv


class ChoiceScreen(KioskScreen):
    def on_kv_post(self, *_: Any) -> None:
        self.ids.options.on_choose = self._chosen

    def _chosen(self, option_id: str) -> None:
        # Multi-select (evaluation reasons): taps toggle, "submit" sends the choice.
        if self.view is not None and self.view.data.get("multi") and option_id != "submit":
            self.emit("event", event="toggle", option=option_id)
        else:
            self.emit("option", option=option_id)


load_kv(__file__)
