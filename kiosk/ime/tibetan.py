"""Tibetan keyboard: the Chinese national standard layout (as xkb's `cn(tib)` symbols encode it) and
a composer that builds stacks.

Keys are named by their QWERTY position, so a key sequence is plain ASCII (`kiosk ime candidates
--mode tibetan 'fhm.'`). `m` is the standard's stacking key (ISO_Level3_Latch in xkb, labelled
"-btags", subjoin): the consonant typed after it is written in its subjoined form, which is how
stacks such as ska, rgya or spya are composed (the letters are encoded, Unicode stacks by subjoined
code points, and the shaper draws the stack). `j` is the tsheg (U+0F0B) and `'` the shad (U+0F0D).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

# from /usr/share/X11/xkb/symbols/cn, xkb_symbols "tib": level 1 and level 3 (the subjoined letters)
BASE: dict[str, str] = {
    '`': '\u0f68', '1': '\u0f21', '2': '\u0f22', '3': '\u0f23', '4': '\u0f24', '5': '\u0f25', '6': '\u0f26', '7': '\u0f27',
    '8': '\u0f28', '9': '\u0f29', '0': '\u0f20', '-': '\u0f67', '=': '\u0f5d', 'q': '\u0f45', 'w': '\u0f46', 'e': '\u0f7a',
    'r': '\u0f62', 't': '\u0f4f', 'y': '\u0f61', 'u': '\u0f74', 'i': '\u0f72', 'o': '\u0f7c', 'p': '\u0f55', '[': '\u0f59',
    ']': '\u0f5a', '\\': '\u0f5b', 'a': '\u0f60', 's': '\u0f66', 'd': '\u0f51', 'f': '\u0f56', 'g': '\u0f44', 'h': '\u0f58',
    'j': '\u0f0b', 'k': '\u0f42', 'l': '\u0f63', ';': '\u0f5e', "'": '\u0f0d', 'z': '\u0f5f', 'x': '\u0f64', 'c': '\u0f40',
    'v': '\u0f41', 'b': '\u0f54', 'n': '\u0f53', ',': '\u0f50', '.': '\u0f47', '/': '\u0f49',
}
SUBJOINED: dict[str, str] = {
    '`': '\u0fb8', '-': '\u0fb7', '=': '\u0fba', 'q': '\u0f95', 'w': '\u0f96', 'r': '\u0fb2', 't': '\u0f9f', 'y': '\u0fb1',
    'u': '\u0fad', 'p': '\u0fa5', '[': '\u0fa9', ']': '\u0faa', '\\': '\u0fab', 'a': '\u0fb0', 's': '\u0fb6', 'd': '\u0fa1',
    'f': '\u0fa6', 'g': '\u0f94', 'h': '\u0fa8', 'k': '\u0f92', 'l': '\u0fb3', ';': '\u0fae', 'z': '\u0faf', 'x': '\u0fb4',
    'c': '\u0f90', 'v': '\u0f91', 'b': '\u0fa4', 'n': '\u0fa3', ',': '\u0fa0', '.': '\u0f97', '/': '\u0f99',
}
STACK_KEY = "m"  # the standard's subjoin latch
TSHEG, SHAD = "\u0f0b", "\u0f0d"
MARKS = "\u0f0b\u0f0c\u0f0d\u0f0e"  # tsheg, non-breaking tsheg, shad, double shad


def is_consonant(ch: str) -> bool:
    return "\u0f40" <= ch <= "\u0f6c"


def compose(keys: str) -> str:
    """The text a key sequence types: `smc` -> ska (each key its level-1 letter; after `m` the
    next consonant subjoined). Unknown keys and a dangling `m` are ignored."""
    out: list[str] = []
    latched = False
    for k in keys:
        if k == STACK_KEY:
            latched = True
            continue
        if latched and k in SUBJOINED and out and out[-1] not in MARKS:
            out.append(SUBJOINED[k])
        elif k in BASE:
            out.append(BASE[k])
        latched = False
    return "".join(out)


def keys_for(text: str) -> str:
    """The inverse of compose: the key sequence that types `text` (for tests and the CLI)."""
    base = {v: k for k, v in BASE.items()}
    sub = {v: k for k, v in SUBJOINED.items()}
    out = []
    for ch in text:
        if ch in base:
            out.append(base[ch])
        elif ch in sub:
            out.append(STACK_KEY + sub[ch])
        else:
            raise ValueError(f"{ch!r} ({unicodedata.name(ch, '?')}) is not on the Tibetan keyboard")
    return "".join(out)


def core(text: str) -> str:
    """Tibetan text for comparison: NFC-insensitive, no spaces, no tsheg/shad at all (a missing or
    extra tsheg does not change what the citizen meant)."""
    text = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in text if ch not in MARKS and not ch.isspace())


@dataclass
class TibetanIME:
    """Candidates: the composed text itself, then words (catalog titles, glossary) it begins."""
    words: Iterable[str] = ()
    _words: list[str] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        seen: list[str] = []
        for w in self.words:
            w = w.strip().rstrip(MARKS + " ")
            if w and w not in seen:
                seen.append(w)
        self._words = seen

    def candidates(self, keys: str, limit: int = 20) -> list[str]:
        return self.complete(compose(keys), limit)

    def complete(self, text: str, limit: int = 20) -> list[str]:
        if not text:
            return []
        # complete the last word only: what follows the last shad/space
        head_cut = max(text.rfind(SHAD), text.rfind(" "))
        head, tail = text[:head_cut + 1], text[head_cut + 1:]
        out = [text]
        q = core(tail)
        if q:
            for w in sorted(self._words, key=len):
                if core(w).startswith(q) and head + w not in out:
                    out.append(head + w)
        return out[:limit]
