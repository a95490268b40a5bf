"""Yi keyboard: Liangshan romanisation -> Yi syllables (U+A000-U+A48C).

The table is Unicode's own: every Yi syllable's character name is its romanisation
("YI SYLLABLE NUO" is U+A188, "YI SYLLABLE SU" is U+A320), the same spelling m17n's ii-phonetic table uses,
tone letters included (t high, x mid-rising, none mid, p low-falling). So the table ships with
Python: 1,165 syllables, no data file.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

FIRST, LAST = 0xA000, 0xA48C
ITERATION = "\ua015"  # ꀕ 'w': repeats the syllable before it


@lru_cache(maxsize=1)
def table() -> dict[str, str]:
    """romanisation -> syllable."""
    out: dict[str, str] = {}
    for cp in range(FIRST, LAST + 1):
        name = unicodedata.name(chr(cp), "")
        if name.startswith("YI SYLLABLE ") and cp != 0xA015:
            out.setdefault(name[len("YI SYLLABLE "):].lower(), chr(cp))
    return out


@lru_cache(maxsize=1)
def reverse() -> dict[str, str]:
    return {v: k for k, v in table().items()}


def romanise(text: str) -> str:
    """Yi text -> its romanisation (non-Yi characters dropped), for matching typed keys to titles."""
    rev = reverse()
    return "".join(rev.get(ch, "") for ch in text)


def is_yi(ch: str) -> bool:
    return FIRST <= ord(ch) <= LAST


@lru_cache(maxsize=1)
def _prefixes() -> frozenset[str]:
    return frozenset(r[:i] for r in table() for i in range(1, len(r) + 1))


def segment(keys: str) -> tuple[list[str], str]:
    """Split keys into whole syllables and an unfinished tail, fewest syllables first (DP).
    ("nuosu" -> ["nuo", "su"], ""; "nuos" -> ["nuo"], "s")."""
    t, pre = table(), _prefixes()
    n = len(keys)
    best: list[tuple[int, list[str]] | None] = [None] * (n + 1)
    best[0] = (0, [])
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + 1, min(n, i + 6) + 1):
            piece = keys[i:j]
            if piece in t:
                cand = (best[i][0] + 1, best[i][1] + [piece])
                if best[j] is None or cand[0] < best[j][0]:
                    best[j] = cand
    for end in range(n, -1, -1):  # the longest whole prefix whose rest is still a syllable start
        if best[end] is not None and (end == n or keys[end:] in pre):
            return best[end][1], keys[end:]
    return [], keys


@dataclass
class YiIME:
    words: Iterable[str] = ()
    _words: list[tuple[str, str]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        for w in self.words:
            w = "".join(ch for ch in w if is_yi(ch))
            if w and w not in seen:
                seen[w] = romanise(w)
        self._words = sorted(seen.items(), key=lambda x: len(x[0]))

    def candidates(self, keys: str, limit: int = 20) -> list[str]:
        """The syllable strip: the whole conversion first, then (for an unfinished or toneless last
        syllable) every syllable it can still become, then catalog words the keys spell."""
        keys = "".join(ch for ch in keys.lower() if ch.isalpha())
        if not keys:
            return []
        t = table()
        done, tail = segment(keys)
        head = "".join(t[s] for s in done)
        out: list[str] = []
        if not tail:
            out.append(head)
            last = done[-1] if done else ""
            base, stem = head[:-1], last
        else:
            base, stem = head, tail
        # the same syllable in the other tones / the syllables the tail can become
        for rom, ch in sorted(t.items(), key=lambda x: (len(x[0]), x[0])):
            if rom.startswith(stem) and len(rom) <= len(stem) + 2 and base + ch not in out:
                out.append(base + ch)
        for w, rom in self._words:
            if rom.startswith(keys) and w not in out:
                out.insert(1 if not tail else 0, w) if rom == keys else out.append(w)
        return out[:limit]
