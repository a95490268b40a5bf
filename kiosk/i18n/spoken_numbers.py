"""Numbers, dates and ticket numbers said with recorded word clips, in any language that has them.

A terminal cannot record "A023" or "15 March" in advance, and it has no synthesiser for Tibetan or
Yi; so it says them from a handful of clips recorded once per language: the digits, the letters of
ticket prefixes, "ten", and the words for year, month and day. The composer only returns catalog
keys; `Voice.say` plays them (and says honestly which ones fall back to Chinese).

How a language builds a number from them is one row of STYLES, written from the catalogs' own
words and marked for native review like the catalogs (review: machine-draft):
- zh_CN and ii count in tens: 15 = ten five, 23 = two ten three.
- bo's tens are words of their own (nyi shu 20, nyer 21-29 ...), which would be 18 more clips per
  language; until a speaker records them, bo (and en, whose clips espeak-ng makes) say a two-digit
  number digit by digit, which is how phone and ticket numbers are read anyway.
- years are always said digit by digit (two zero two six, as people say them).
- the unit word comes after the number in zh_CN and ii (three month), before it in bo and en (month 3).
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

SPELLABLE = re.compile(r"^[A-Z0-9-]{1,12}$")  # ticket numbers and counter numbers, nothing else

DIGIT = "voice.digit.{}"
TEN = "voice.word.ten"
YEAR, MONTH, DAY = "voice.word.year", "voice.word.month", "voice.word.day"


@dataclass(frozen=True)
class NumberStyle:
    tens: bool          # 10-99 as [digit] ten [digit]; False: digit by digit
    unit_first: bool    # "month 3" (True) or "3 month" (False)


STYLES: dict[str, NumberStyle] = {
    "zh_CN": NumberStyle(tens=True, unit_first=False),
    "ii": NumberStyle(tens=True, unit_first=False),
    "bo": NumberStyle(tens=False, unit_first=True),
    "en": NumberStyle(tens=False, unit_first=True),
}
DEFAULT = NumberStyle(tens=False, unit_first=False)


def spell(text: str) -> list[str]:
    """Clip keys for a ticket number: A023 -> voice.letter.A, voice.digit.0, ... Only ticket-shaped
    strings: an ID number (18 characters) or a name can never be spelled out."""
    if not SPELLABLE.match(text):
        raise ValueError("only ticket-style numbers are spelled out")
    keys = []
    for ch in text:
        if ch.isdigit():
            keys.append(DIGIT.format(ch))
        elif ch.isalpha():
            keys.append(f"voice.letter.{ch}")
        else:
            keys.append("voice.dash")
    return keys


def digits(n: int) -> list[str]:
    if n < 0:
        raise ValueError("no negative numbers are spoken")
    return [DIGIT.format(d) for d in str(n)]


def number(n: int, lang: str) -> list[str]:
    """A count or a day of the month: 0-99 by the language's style, larger digit by digit (a
    queue of more than 99 people is read like a ticket number, which everyone understands)."""
    style = STYLES.get(lang, DEFAULT)
    if not style.tens or n < 10 or n > 99:
        return digits(n)
    tens, units = divmod(n, 10)
    keys = [] if tens == 1 else [DIGIT.format(tens)]  # 十五, not 一十五 (and ꊰꉬ alike)
    keys.append(TEN)
    if units:
        keys.append(DIGIT.format(units))
    return keys


def _with_unit(keys: list[str], unit: str, style: NumberStyle) -> list[str]:
    return [unit, *keys] if style.unit_first else [*keys, unit]


def date(d: _dt.date, lang: str) -> list[str]:
    """Year, month, day in that order (the order of Chinese and of both minority calendars'
    official use on forms), each with its word."""
    style = STYLES.get(lang, DEFAULT)
    return (_with_unit(digits(d.year), YEAR, style) + _with_unit(number(d.month, lang), MONTH, style)
            + _with_unit(number(d.day, lang), DAY, style))


def needed_keys() -> list[str]:
    """The word clips the composer can ask for (the digits, letters and dash are spell()'s)."""
    return [DIGIT.format(d) for d in range(10)] + [TEN, YEAR, MONTH, DAY]
