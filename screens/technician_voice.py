"""Recording voice prompts in technician mode: which language, then one prompt at a time with
what it says (in its own script, large), its Chinese source and the translator's context; record,
stop, listen, keep, redo or skip. Content comes ready from kiosk.i18n.voice_walk.Page; the
technician desk (kiosk/terminal/voice_desk.py) runs the steps."""
from __future__ import annotations

from typing import Any

from kivy.properties import ObjectProperty, StringProperty

from screens.base import KioskScreen, load_kv


class TechnicianVoiceScreen(KioskScreen):
    page = ObjectProperty(None, allownone=True)  # kiosk.i18n.voice_walk.Page
    say_lang = StringProperty("zh_CN")  # the script of the prompt to say

    def on_kv_post(self, *_: Any) -> None:
        self.ids.actions.on_choose = lambda action: self.emit("tech_voice", action=action)

    def on_page(self, *_: Any) -> None:
        from flows.engine import Option
        from screens.widgets import BiLabel, reuse_children

        page = self.page
        if page is None:
            return
        self.ids.title.source = page.title
        lines = reuse_children(self.ids.lines, len(page.lines), lambda: BiLabel(role="small"))
        for label, text in zip(lines, page.lines):
            label.source = text
        self.ids.say.update(page.say, self.say_lang, self.ids.say.font_px)
        self.ids.actions.options = tuple(Option(action, label, detail) for action, label, detail in page.actions)


load_kv(__file__)
