"""Chinese pinyin input: the project's government vocabulary first, then librime's candidates.

librime does not know that on this kiosk dianzi zhengzhao means e-licence, not an electronic omen, so
words of kiosk/ime/gov_words.txt that the keys spell (full, initials or fuzzy, readings.keys_match)
come first; librime fills the rest. Without librime (a dev machine without the Debian packages) the
vocabulary alone answers, and `available_engine` says so.
"""
from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path

from kiosk.ime import readings
from kiosk.ime.rime import Engine, RimeUnavailable

log = logging.getLogger(__name__)
WORDS_FILE = Path(__file__).with_name("gov_words.txt")


@lru_cache(maxsize=1)
def gov_words() -> tuple[str, ...]:
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def vocabulary_matches(keys: str) -> list[str]:
    """Government words the keys spell, best first: exact syllables, then prefixes/initials, then
    fuzzy; shorter words first within each (the citizen is more likely typing "shebao" for the short word than for a title)."""
    keys = keys.lower()
    scored = [(q, w) for w in gov_words() if (q := readings.keys_match(keys, w))]
    return [w for q, w in sorted(scored, key=lambda x: (-x[0], len(x[1])))]


class PinyinIME:
    def __init__(self, user_dir: Path | None = None) -> None:
        self._engine: Engine | None = None
        self._user_dir = user_dir
        self._lock = threading.Lock()
        self.error: str | None = None

    def engine(self) -> Engine | None:
        with self._lock:
            if self._engine is None and self.error is None:
                try:
                    self._engine = Engine(self._user_dir)
                except RimeUnavailable as e:
                    self.error = str(e)
                    log.warning("pinyin without librime: %s", e)
            return self._engine

    @property
    def available_engine(self) -> str:
        return "librime" if self.engine() else "vocabulary only"

    def candidates(self, keys: str, limit: int = 20) -> list[str]:
        out = vocabulary_matches(keys)[:limit]
        eng = self.engine()
        if eng is not None:
            for word in eng.candidates(keys, limit):
                if word not in out:
                    out.append(word)
        return out[:limit]
