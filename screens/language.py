"""Language chooser: each language names itself; Tibetan and Yi come with Chinese beside."""
from __future__ import annotations

from typing import Any

from screens.base import KioskScreen, load_kv



class LanguageScreen(KioskScreen):
    def on_pre_enter(self, *_: Any) -> None:
        # each time it is shown: the offered languages are the terminal's (terminal.languages)
        from flows.engine import Option
        from kiosk.i18n.languages import is_bilingual
        from kiosk.i18n.translator import Msg
        from screens.ui import ui

        # The languages this terminal offers (terminal.languages), each by its own name
        # (`language.choice.<code>`, the same text in every catalog). One script per line: Kivy
        # aligns mixed-font runs by their bottoms, not their baselines.
        self.ids.options.options = tuple(
            Option(code, Msg(f"language.choice.{code}"), Msg("language.with_chinese") if is_bilingual(code) else None)
            for code in ui().translator.languages)
        self.ids.options.on_choose = lambda code: self.emit("language", lang=code)


load_kv(__file__)
