"""Language chooser: each language names itself; Tibetan and Yi come with Chinese beside."""
from __future__ import annotations

from typing import Any

from screens.base import KioskScreen, load_kv

# Each language's own name (the same text in every catalog): `language.choice.<code>`.
CHOICES = ("zh_CN", "bo", "ii", "en")


class LanguageScreen(KioskScreen):
    def on_kv_post(self, *_: Any) -> None:
        from flows.engine import Option
        from kiosk.i18n.translator import Msg

        # One script per line: Kivy aligns mixed-font runs by their bottoms, not their baselines.
        self.ids.options.options = tuple(
            Option(code, Msg(f"language.choice.{code}"), Msg("language.with_chinese") if code in ("bo", "ii") else None)
            for code in CHOICES)
        self.ids.options.on_choose = lambda code: self.emit("language", lang=code)


load_kv(__file__)
