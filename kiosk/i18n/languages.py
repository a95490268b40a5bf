"""The languages the kiosk can speak: one table, the only place a language is declared.

Everything that differs by language reads it from here: the chooser (which languages, which are
shown with Chinese beside), the catalogs (kiosk.i18n.catalogs checks and compiles each code), the
number and date formats (Babel locale), the screen and receipt fonts (the script's font), the
receipt's type size and the voice. Adding a language is its catalog folder
(`locales/<code>/LC_MESSAGES/kiosk.po`) plus one `register(Language(...))` line below; a terminal
offers the subset named in `terminal.languages`.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str                  # gettext catalog folder and config value, e.g. "bo"
    babel: str                 # Babel locale for numbers and dates, e.g. "bo_CN"
    script: str                # font key of its script (kiosk.i18n.translator.FONT_CANDIDATES)
    bilingual: bool = False    # shown with the Chinese text beneath (official values stay Chinese)
    receipt_scale: float = 1.0  # receipt type size factor (Tibetan stacks need more height)
    espeak_voice: str | None = None  # espeak-ng voice for generated clips; None: recorded clips only


LANGUAGES: dict[str, Language] = {}


def register(lang: Language) -> Language:
    if lang.code in LANGUAGES:
        raise ValueError(f"language {lang.code!r} registered twice")
    LANGUAGES[lang.code] = lang
    return lang


def get(code: str) -> Language | None:
    return LANGUAGES.get(code)


def codes() -> tuple[str, ...]:
    return tuple(LANGUAGES)


def is_bilingual(code: str) -> bool:
    lang = LANGUAGES.get(code)
    return bool(lang and lang.bilingual)


SOURCE = "zh_CN"  # the source catalog: every other catalog carries each of its keys

register(Language("zh_CN", babel="zh_Hans_CN", script="cjk", espeak_voice="cmn"))
register(Language("bo", babel="bo_CN", script="tibetan", bilingual=True, receipt_scale=1.25))
register(Language("ii", babel="ii_CN", script="yi", bilingual=True))
register(Language("en", babel="en_US", script="latin", espeak_voice="en"))
