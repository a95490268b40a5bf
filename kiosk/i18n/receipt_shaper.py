"""The receipt layout's TextShaper (devices/printer/shaper.py), implemented with kiosk.i18n.translator: the
same line breaker and per-script fonts the screens use, so a receipt breaks its Tibetan after a
tsheg exactly like the screen does."""
from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.i18n import languages
from kiosk.i18n import translator as i18n

if TYPE_CHECKING:
    from devices.printer.shaper import Font


class I18nShaper:
    def break_lines(self, text: str, lang: str, max_width_px: int, font_size_px: int) -> list[str]:
        return i18n.break_lines(text, lang, max_width_px, font_size_px)

    def runs(self, text: str, lang: str, font_size_px: int) -> list[tuple[Font, str]]:
        return [(i18n.pil_font(key, font_size_px), run) for key, run in i18n.font_runs(text, lang)]

    def size_scale(self, lang: str) -> float:
        found = languages.get(lang)
        return found.receipt_scale if found else 1.0


SHAPER = I18nShaper()
