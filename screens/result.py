"""A step that shows what the platform answered: rows of label and value (already masked)."""
from __future__ import annotations

from typing import Any

from screens.base import KioskScreen, load_kv


class ResultScreen(KioskScreen):
    def on_kv_post(self, *_: Any) -> None:
        self.ids.options.on_choose = lambda option_id: self.emit("option", option=option_id)

    def on_view(self, *_: Any) -> None:
        from screens.widgets import BiLabel

        rows = self.ids.rows
        rows.clear_widgets()
        for key, value in (self.view.data.get("rows", ()) if self.view else ()):
            rows.add_widget(BiLabel(source=key, role="small"))
            rows.add_widget(BiLabel(source=value))


load_kv(__file__)
