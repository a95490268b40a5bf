from __future__ import annotations

import datetime as dt

import pytest

from kiosk.i18n.spoken_numbers import date, needed_keys, number, spell
from kiosk.i18n.voice_store import catalog


def d(*digits: int) -> list[str]:
    return [f"voice.digit.{x}" for x in digits]


TEN, YEAR, MONTH, DAY = "voice.word.ten", "voice.word.year", "voice.word.month", "voice.word.day"


def test_ticket_numbers_are_spelled():
    assert spell("A023") == ["voice.letter.A", *d(0, 2, 3)]
    with pytest.raises(ValueError):
        spell("51332619800101123X")  # an ID number is never spelled


@pytest.mark.parametrize("lang,n,keys", [
    ("zh_CN", 7, d(7)), ("zh_CN", 10, [TEN]), ("zh_CN", 15, [TEN, *d(5)]), ("zh_CN", 20, [*d(2), TEN]),
    ("zh_CN", 23, [*d(2), TEN, *d(3)]), ("ii", 15, [TEN, *d(5)]), ("zh_CN", 123, d(1, 2, 3)),
    ("bo", 15, d(1, 5)), ("en", 23, d(2, 3)),
])
def test_numbers_follow_the_language(lang, n, keys):
    assert number(n, lang) == keys


def test_dates_say_year_month_day_in_each_language_order():
    day = dt.date(2026, 3, 15)
    assert date(day, "zh_CN") == [*d(2, 0, 2, 6), YEAR, *d(3), MONTH, TEN, *d(5), DAY]  # 二〇二六年三月十五日
    assert date(day, "ii") == [*d(2, 0, 2, 6), YEAR, *d(3), MONTH, TEN, *d(5), DAY]
    assert date(day, "bo") == [YEAR, *d(2, 0, 2, 6), MONTH, *d(3), DAY, *d(1, 5)]  # ལོ་ 2026 ཟླ་བ་ 3 ཚེས་ 15


@pytest.mark.parametrize("lang", ["zh_CN", "bo", "ii", "en"])
def test_every_composed_key_is_a_speakable_catalog_prompt(lang):
    speakable = catalog(lang)
    assert set(needed_keys()) <= set(speakable)
    assert set(spell("A-F")) <= set(speakable)
