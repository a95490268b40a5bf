"""The one guide-search matcher: the demo platform's search endpoint and the kiosk's service guide
flow (through kiosk/platform/guides.py) both rank with `score`, so the same query finds the same
guides in the same order everywhere.

A query matches a title
- Chinese by characters, full pinyin (shebao, baozheng: any run of the title), initials
  (sb, or the catalog's initials field), mixed (shenfz) and fuzzy pinyin (sebao);
- Tibetan by its letters, ignoring tsheg, shad and spaces (a missing or extra tsheg still matches);
- Yi by its syllables or by their Liangshan romanisation (nuosu);
- English by words.
Case, spaces and full-width forms never matter.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from kiosk.ime import readings, tibetan, yi

T = TypeVar("T")

# score levels, best first
EXACT, PREFIX, INITIALS_PREFIX, PINYIN_START, CONTAINS, PINYIN_RUN, INITIALS_IN, FUZZY = 9, 8, 7, 6, 5, 4, 3, 2


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if not ch.isspace())


def _core(text: str) -> str:
    """Comparable form of any title or query: normalized, and Tibetan without tsheg/shad."""
    t = normalize(text)
    return tibetan.core(t) if any("\u0f00" <= ch <= "\u0fff" for ch in t) else t


def score(query: str, titles: Mapping[str, str] | Iterable[str], initials: str = "") -> int:
    """0: no match; higher is better (the levels above). An empty query matches everything (1)."""
    q = _core(query)
    if not q:
        return 1
    texts = list(titles.values()) if isinstance(titles, Mapping) else list(titles)
    best = 0
    for text in texts:
        t = _core(text)
        if not t:
            continue
        if t == q:
            best = max(best, EXACT)
        elif t.startswith(q):
            best = max(best, PREFIX)
        elif q in t:
            best = max(best, CONTAINS)
    if q.isascii() and q.isalpha():
        best = max(best, _latin(q, texts, initials))
    return best


def _latin(q: str, texts: list[str], initials: str) -> int:
    best = 0
    ini = initials.casefold()
    if ini.startswith(q):
        best = INITIALS_PREFIX
    elif q in ini:
        best = INITIALS_IN
    for text in texts:
        if any(readings.is_han(ch) for ch in text):
            quality, start = readings.run_match(q, text)
            if quality == 1:
                best = max(best, FUZZY)
            elif quality:
                best = max(best, PINYIN_START if start == 0 else PINYIN_RUN)
        if any(yi.is_yi(ch) for ch in text):
            rom = yi.romanise(text)
            if rom.startswith(q):
                best = max(best, PINYIN_START)
            elif len(q) >= 2 and q in rom:
                best = max(best, PINYIN_RUN)
    return best


def search(query: str, items: Iterable[T], titles_of: Callable[[T], Mapping[str, str] | Iterable[str]],
           initials_of: Callable[[T], str] = lambda _: "") -> list[T]:
    """The items that match, best first; ties keep the catalog's order."""
    scored = [(score(query, titles_of(item), initials_of(item)), i, item) for i, item in enumerate(items)]
    return [item for s, _, item in sorted((x for x in scored if x[0] > 0), key=lambda x: (-x[0], x[1]))]
