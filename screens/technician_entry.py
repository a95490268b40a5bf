"""Technician entry: a PIN pad. The PIN is checked by the app (salted hash in the config); the
technician screens themselves come with technician mode."""
from __future__ import annotations

from typing import Any

from kivy.properties import ObjectProperty, StringProperty

from screens.base import KioskScreen, load_kv


class TechnicianEntryScreen(KioskScreen):
    pin = StringProperty("")
    message = ObjectProperty(None, allownone=True)

    def press(self, key: str) -> None:
        if key == "del":
            self.pin = self.pin[:-1]
        elif key == "ok":
            self.emit("technician_pin", pin=self.pin)
            self.pin = ""
        elif len(self.pin) < 12:
            self.pin += key

    def on_kv_post(self, *_: Any) -> None:
        from kivy.uix.button import Button

        from screens.ui import ui

        t = ui().theme
        for key in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "ok"):
            label = {"del": "\u232b", "ok": "OK"}.get(key, key)
            b = Button(text=label, font_size=t.font_title,  # keys share the pad's height (kv)
                       font_name="DejaVuSans", background_normal="", background_color=t.color("secondary"),
                       color=t.color("secondary_text"))
            b.bind(on_release=lambda btn, k=key: self.press(k))
            self.ids.pad.add_widget(b)


load_kv(__file__)
