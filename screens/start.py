"""The start screen: service tiles grouped by department, each with its pictogram (screens/icons.py
maps flow ids and catalog item ids to icons), all of equal rank; the 24-hour status line."""
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
        # The sections come ready: each service once (kiosk/terminal/start_menu.py decides that).
        for title, options in self.sections:
            box.add_widget(BiLabel(source=title, role="title"))
            grid = OptionList(options=tuple(options), columns=2, equal=True)
            grid.on_choose = lambda option_id: self.emit("start_service", item=option_id)
            box.add_widget(grid)


load_kv(__file__)
