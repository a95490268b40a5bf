"""Help: how to use the terminal, where staff are, the staffed hours and the hotline."""
from __future__ import annotations

from typing import Any

from kivy.properties import ObjectProperty

from screens.base import KioskScreen, load_kv


class HelpScreen(KioskScreen):
    hours_text = ObjectProperty(None, allownone=True)
    staff_text = ObjectProperty(None, allownone=True)

    def on_kv_post(self, *_: Any) -> None:
        from flows.engine import Option
        from kiosk.i18n.translator import Msg

        self.ids.options.options = (Option("back", Msg("action.back")),)
        self.ids.options.on_choose = lambda option_id: self.emit("back")

    def set_hours(self, hours: str, duty_phone: str = "") -> None:
        from kiosk.i18n.translator import Msg, Plain

        self.hours_text = Msg("help.hours", hours=hours)
        # The duty phone with its number (terminal.duty_phone); without one, only the desk: a
        # phone named without a number helps nobody (issue 15 #6).
        self.staff_text = (Msg("help.staff.phone", phone=Plain(duty_phone)) if duty_phone
                           else Msg("help.staff.desk"))


load_kv(__file__)
