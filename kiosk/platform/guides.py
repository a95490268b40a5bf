"""Which service guides a search matches. Pure functions shared by the demo platform's search
endpoint and the service guide flow (which filters the list it already holds as the citizen
types, without a round trip per key), so both find the same guides for the same query.

A query matches a guide when it is
- a run of the guide's pinyin initials ("sbyw" finds the social insurance guide, SBYWBSZN),
- part of its title in any language: Chinese, Tibetan, Yi or English.
Spaces, case and full-width forms do not matter; Tibetan may be typed with or without the
closing tsheg or shad.
"""
from __future__ import annotations

import unicodedata
from typing import Iterable, Mapping, TypeVar

T = TypeVar("T")
_TIBETAN_MARKS = "\u0f0b\u0f0c\u0f0d\u0f0e"  # tsheg, non-breaking tsheg, shad, double shad


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if not ch.isspace())


def _core(text: str) -> str:
    return normalize(text).strip(_TIBETAN_MARKS)


def score(query: str, titles: Mapping[str, str], initials: str) -> int:
    """0: no match. Higher is better: an initials prefix, then a title prefix, then anywhere."""
    q = _core(query)
    if not q:
        return 1  # an empty query lists everything
    best = 0
    ini = initials.casefold()
    if q.isascii() and q.isalnum() and q in ini:
        best = 4 if ini.startswith(q) else 3
    for text in titles.values():
        t = normalize(text)
        if t.startswith(q):
            best = max(best, 3)
        elif q in t:
            best = max(best, 2)
    return best


def search(query: str, items: Iterable[T], titles_of, initials_of) -> list[T]:  # noqa: ANN001 - accessors
    """The items that match, best first; ties keep the catalog's order."""
    scored = [(score(query, titles_of(item), initials_of(item)), i, item) for i, item in enumerate(items)]
    return [item for s, _, item in sorted((x for x in scored if x[0] > 0), key=lambda x: (-x[0], x[1]))]
