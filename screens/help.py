"""Help: how to use the terminal, where staff are, the staffed hours and the hotline."""
from __future__ import annotations

from typing import Any

from kivy.properties import ObjectProperty

from screens.base import KioskScreen, load_kv


class HelpScreen(KioskScreen):
    hours_text = ObjectProperty(None, allownone=True)

    def on_kv_post(self, *_: Any) -> None:
        from flows.engine import Option
        from kiosk.i18n.translator import Msg

        self.ids.options.options = (Option("back", Msg("action.back")),)
        self.ids.options.on_choose = lambda option_id: self.emit("back")

    def set_hours(self, hours: str) -> None:
        from kiosk.i18n.translator import Msg

        self.hours_text = Msg("help.hours", hours=hours)


load_kv(__file__)
