"""The start screen: service tiles grouped by department, the 24-hour status line."""
from __future__ import annotations

from typing import Any

from kivy.properties import ListProperty, ObjectProperty

from screens.base import KioskScreen, load_kv


class StartScreen(KioskScreen):
    # [(department title, (Option, ...)), ...] built by the app from the platform catalog
    sections = ListProperty([])
    notice = ObjectProperty(None, allownone=True)  # e.g. "platform unreachable" as a Msg

    def on_sections(self, *_: Any) -> None:
        self._rebuild()

    def _rebuild(self) -> None:
        from screens.options import OptionList
        from screens.widgets import BiLabel

        box = self.ids.sections
        box.clear_widgets()
        shown: set[str] = set()
        for title, options in self.sections:
            # A service already offered in an earlier section (e.g. "common") is not listed again.
            fresh = tuple(o for o in options if o.id not in shown)
            shown.update(o.id for o in fresh)
            if not fresh:
                continue
            box.add_widget(BiLabel(source=title, role="title"))
            grid = OptionList(options=fresh, columns=2)
            grid.on_choose = lambda option_id: self.emit("start_service", item=option_id)
            box.add_widget(grid)


load_kv(__file__)
