"""Toneless pinyin readings of Chinese characters, for matching a typed key sequence against a word.

The table is pypinyin's character dictionary (41,923 characters), read as JSON straight from the
installed package: importing pypinyin itself loads its phrase dictionary too (0.8 s, 66 MB
measured), the bare table costs 12 ms and 10 MB. Polyphones keep every reading, so Chongqing matches
both "chongqing" and "zhongqing" - for search, finding too much beats finding nothing.
"""
from __future__ import annotations

import importlib.util
import json
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

_lock = threading.Lock()
_table: dict[int, tuple[str, ...]] | None = None


def _strip_tone(syllable: str) -> str:
    base = unicodedata.normalize("NFD", syllable).replace("u\u0308", "v")  # ü is typed v
    return "".join(ch for ch in base if not unicodedata.combining(ch))


def _load() -> dict[int, tuple[str, ...]]:
    global _table
    with _lock:
        if _table is None:
            spec = importlib.util.find_spec("pypinyin")
            if spec is None or spec.origin is None:
                raise RuntimeError("pypinyin is not installed (pip install pypinyin)")
            raw = json.loads((Path(spec.origin).parent / "pinyin_dict.json").read_text(encoding="utf-8"))
            table: dict[int, tuple[str, ...]] = {}
            for code, readings in raw.items():
                seen: list[str] = []
                for r in readings.split(","):
                    s = _strip_tone(r.strip())
                    if s and s not in seen:
                        seen.append(s)
                table[int(code)] = tuple(seen)
            _table = table
        return _table


def is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def readings(ch: str) -> tuple[str, ...]:
    """The toneless readings of one character, most common first; () for a non-Han character."""
    return _load().get(ord(ch), ()) if is_han(ch) else ()


@lru_cache(maxsize=4096)
def syllables(text: str) -> tuple[tuple[str, ...], ...]:
    """One tuple of alternative readings per Han character of `text` (other characters skipped)."""
    return tuple(r for r in (readings(ch) for ch in text) if r)


# Fuzzy pinyin: the confusions of south-western and Tibetan/Yi-area Mandarin speakers (zh/z, ch/c,
# sh/s, n/l, -ng/-n) - the same pairs librime's fuzzy algebra in pinyin.py adds.
def fuzzy(syllable: str) -> str:
    s = syllable
    for retro, flat in (("zh", "z"), ("ch", "c"), ("sh", "s")):
        if s.startswith(retro):
            s = flat + s[2:]
            break
    if s.startswith("l"):
        s = "n" + s[1:]
    if s.endswith("ng") and s[:-2].endswith(("a", "e", "i")):
        s = s[:-1]
    return s


def keys_match(keys: str, word: str) -> int:
    """How well a key sequence spells `word`: 0 no match; 3 every syllable typed in full; 2 a mix of
    full syllables and initials/prefixes (`sfz`, `shenfz`); 1 only with fuzzy pinyin (`sengfenzeng`).

    The keys must split into exactly one non-empty piece per character, each piece a prefix of one
    of that character's readings (exact first, then fuzzy)."""
    sylls = syllables(word)
    if not sylls or len(sylls) != sum(1 for ch in word if is_han(ch)):
        return 0
    keys = keys.lower().replace("'", "")
    # cheap bounds first (most words fail them): one key per syllable at least, at most a whole
    # reading (+1 for a fuzzy -ng) per syllable, and the first key one of the first syllable's
    if not (len(sylls) <= len(keys) <= sum(max(map(len, r)) + 1 for r in sylls)) or \
            keys[0] not in _FIRST_LETTERS.get(sylls[0], _first_letters(sylls[0])):
        return 0
    for fuzz in (False, True):
        best = _split(keys, sylls, fuzz)
        if best:
            return (3 if best == 2 else 2) if not fuzz else 1
    return 0


_FIRST_LETTERS: dict[tuple[str, ...], frozenset[str]] = {}


def _first_letters(readings_: tuple[str, ...]) -> frozenset[str]:
    letters = {r[0] for r in readings_} | {fuzzy(r)[0] for r in readings_}
    if letters & {"n", "l"}:
        letters |= {"n", "l"}
    out = _FIRST_LETTERS[readings_] = frozenset(letters)
    return out


def run_match(keys: str, text: str) -> tuple[int, int]:
    """Where in `text` the keys spell a run of consecutive characters: (quality as keys_match, index
    of the run's first character); (0, -1) when nowhere. For search: "baozheng" finds canbao zhengming."""
    keys = keys.lower().replace("'", "")
    han = [ch for ch in text if is_han(ch)]
    sylls = syllables("".join(han))
    if not keys or not sylls or len(sylls) != len(han):
        return 0, -1
    for fuzz in (False, True):
        for start in range(len(sylls)):
            q = _split(keys, sylls[start:], fuzz, whole=False)
            if q:
                return (1 if fuzz else (3 if q == 2 else 2)), start
    return 0, -1


def _split(keys: str, sylls: tuple[tuple[str, ...], ...], fuzz: bool, whole: bool = True) -> int:
    """0 no split; 2 a split where every piece is a whole syllable; 1 some piece is a prefix.
    whole=False: the keys may end before the syllables do (a run at the start of `sylls`)."""
    n = len(sylls)
    # state: (position in keys, syllable index) -> best quality reachable
    memo: dict[tuple[int, int], int] = {}

    def go(pos: int, i: int) -> int:
        if pos == len(keys):
            return 2 if i == n or (not whole and i > 0) else 0
        if i == n:
            return 0
        key = (pos, i)
        if key in memo:
            return memo[key]
        best = 0
        for reading in sylls[i]:
            forms = {reading, fuzzy(reading)} if fuzz else {reading}
            for form in forms:
                for end in range(pos + 1, min(len(keys), pos + len(form) + 1) + 1):  # +1: "seng" for fuzzy "sen"
                    piece = keys[pos:end]
                    cand = fuzzy(piece) if fuzz else piece
                    if not (form.startswith(piece) or (fuzz and form.startswith(cand))):
                        continue
                    rest = go(end, i + 1)
                    if rest:
                        full = piece == form or (fuzz and cand == form)
                        best = max(best, 2 if full and rest == 2 else 1)
                        if best == 2:
                            memo[key] = 2
                            return 2
        memo[key] = best
        return best

    return go(0, 0)
