"""Typing a number (an application number) or search letters (pinyin initials) on big keys.

View kinds "keypad" and "search". View.data: "max_len" (int), "letters" (the letter keys to show,
e.g. "SC" for application numbers; search shows A-Z), "text" (what is typed so far, if the flow
keeps it). Sends "keypad" {text} (kind keypad) or "search" {query} (kind search) on OK.
Tibetan or full-width digits never reach the flow: kiosk.i18n.translator.normalize_digits runs first."""
from __future__ import annotations

import string
from typing import Any

from kivy.properties import StringProperty

from kiosk.i18n.translator import normalize_digits
from screens.base import KioskScreen, load_kv


class KeypadScreen(KioskScreen):
    typed = StringProperty("")

    def show(self, view: Any) -> None:
        super().show(view)
        self.typed = normalize_digits(str(view.data.get("text", "")))
        self._build_keys()

    def forget(self) -> None:
        super().forget()
        self.typed = ""

    def _letters(self) -> str:
        if self.view is not None and self.view.kind == "search":
            return string.ascii_uppercase
        return str(self.view.data.get("letters", "")) if self.view is not None else ""

    def _build_keys(self) -> None:
        from kivy.uix.button import Button
        from kivy.utils import escape_markup

        from kiosk.i18n.translator import Msg
        from screens.ui import ui
        from screens.widgets import markup_runs

        t = ui().theme
        pad = self.ids.pad
        pad.clear_widgets()
        keys = list(self._letters()) + list("1234567890") + ["del", "ok"]
        pad.cols = 6 if len(keys) > 12 else 3
        for key in keys:
            # OK and delete in the citizen's language (issue 15 #6: "OK" and a bare "⌫"), each
            # run in its script's font; letters and digits stay as they are.
            label = (markup_runs(ui().text(Msg(f"keypad.{key}")), ui().lang) if key in ("del", "ok")
                     else escape_markup(key))
            if key == "del":  # the symbol too, from the one font sure to have it
                label = f"[font=DejaVuSans]\u232b[/font] {label}"
            b = Button(text=label, markup=True, font_size=t.font_title,  # keys share the pad's height
                       font_name="DejaVuSans", background_normal="",
                       background_color=t.color("primary") if key == "ok" else t.color("secondary"),
                       color=t.color("primary_text") if key == "ok" else t.color("secondary_text"))
            b.bind(on_release=lambda _b, k=key: self.press(k))
            pad.add_widget(b)

    def press(self, key: str) -> None:
        max_len = int(self.view.data.get("max_len", 32)) if self.view is not None else 32
        if key == "del":
            self.typed = self.typed[:-1]
        elif key == "ok":
            if self.view is not None and self.view.kind == "search":
                self.emit("event", event="search", query=self.typed)
            else:
                self.emit("event", event="keypad", text=self.typed)
        elif len(self.typed) < max_len:
            self.typed = normalize_digits(self.typed + key)

    def on_kv_post(self, *_: Any) -> None:
        self.ids.options.on_choose = lambda option_id: self.emit("option", option=option_id)


load_kv(__file__)
