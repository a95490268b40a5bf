"""Help: how to use the terminal, where staff are, the staffed hours and the hotline; and "leave
your number, staff call you back": the number is typed on the on-screen keyboard (digits) and sent
as intent "callback" {phone}; the composition root queues it for the platform through the outbox
(kiosk/platform/callback.py) and answers with `callback_done(ok)`."""
from __future__ import annotations

from typing import Any

from kivy.properties import ObjectProperty, OptionProperty

from screens.base import KioskScreen, load_kv
from screens.keyboard import Keyboard  # noqa: F401 - the kv rule uses it

PHONE_MAX = 16  # +86, an area code, dashes: longer is not a phone number


class HelpScreen(KioskScreen):
    hours_text = ObjectProperty(None, allownone=True)
    staff_text = ObjectProperty(None, allownone=True)
    notice = ObjectProperty(None, allownone=True)  # what became of the number (sent / not a number)
    mode = OptionProperty("info", options=["info", "callback"])
    sent = False  # a number was left during this visit: the button is not offered twice

    def on_kv_post(self, *_: Any) -> None:
        # strong references: kv ids are weak, and the part off screen is out of the tree
        self._parts = {"info": self.ids.content.__self__, "callback": self.ids.callback.__self__}
        self.ids.options.on_choose = self._choose
        self.ids.keyboard.bind(on_submit=lambda _kb, text: self.emit("callback", phone=text))
        self.on_mode()

    def set_hours(self, hours: str, duty_phone: str = "") -> None:
        """Called each time Help opens: a new visit starts with the help text."""
        from kiosk.i18n.translator import Msg, Plain

        self.hours_text = Msg("help.hours", hours=hours)
        # The duty phone with its number (terminal.duty_phone); without one, only the desk: a
        # phone named without a number helps nobody (issue 15 #6).
        self.staff_text = (Msg("help.staff.phone", phone=Plain(duty_phone)) if duty_phone
                           else Msg("help.staff.desk"))
        self.sent, self.notice = False, None
        self.mode = "info"
        self.on_mode()

    def _choose(self, option_id: str) -> None:
        if option_id == "callback":
            self.notice = None
            self.mode = "callback"
        elif option_id == "back" and self.mode == "callback":
            self.notice = None
            self.mode = "info"
        else:
            self.emit("back")

    def callback_done(self, ok: bool) -> None:
        from kiosk.i18n.translator import Msg

        if ok:
            self.sent, self.notice = True, Msg("help.callback.sent")
            self.mode = "info"
        else:
            self.notice = Msg("help.callback.bad")
        self.on_mode()

    def on_mode(self, *_: Any) -> None:
        from flows.engine import Option
        from kiosk.i18n.translator import Msg
        from screens.ui import ui

        parts = getattr(self, "_parts", None)
        if parts is None:
            return
        body = self.ids.body
        body.clear_widgets()
        body.add_widget(parts[self.mode])
        if self.mode == "callback":
            kb = self.ids.keyboard
            kb.modes, kb.max_len = ["digits"], PHONE_MAX
            kb.follow_language(ui().lang)
            if self.notice is None:
                kb.text = ""
            self.ids.options.options = (Option("back", Msg("action.back")),)
        else:
            offer = () if self.sent else (Option("callback", Msg("help.callback.button")),)
            self.ids.options.options = (*offer, Option("back", Msg("action.back")))


load_kv(__file__)
