"""A Tibetan citizen's name in Tibetan script, from the Chinese transcription the ID card carries.

Tibetan names are built from a small stock of two-syllable parts (Tashi, Drolma, Tsering, Dorje...),
each transcribed into two Chinese characters, in a few variant spellings. locales/tibetan_names.tsv
lists the common parts; a name made only of listed parts gets its Tibetan spellings, any other name
none (kiosk.core.privacy then still removes the name as the card has it).
"""
from __future__ import annotations

import functools
from pathlib import Path

TABLE = Path(__file__).resolve().parents[2] / "locales" / "tibetan_names.tsv"
TSHEG = "\u0f0b"
MAX_SPELLINGS = 16  # variant spellings multiply; a name of four parts with four variants each stops here


@functools.lru_cache(maxsize=1)
def parts() -> dict[str, tuple[str, ...]]:
    """Chinese transcription of a name part -> its Tibetan spellings."""
    table: dict[str, tuple[str, ...]] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines()[1:]:
        bo, zh, *_ = line.split("\t") + [""]
        for z in zh.split():
            table[z] = table.get(z, ()) + (bo,)
    return table


def tibetan_spellings(name: str) -> list[str]:
    """The Tibetan spellings of a name given in Chinese transcription (two characters per part):
    empty unless every part is in the table."""
    if not name or len(name) % 2:
        return []
    table = parts()
    spellings = [""]
    for i in range(0, len(name), 2):
        found = table.get(name[i:i + 2])
        if not found:
            return []
        spellings = [s + TSHEG + p if s else p for s in spellings for p in found][:MAX_SPELLINGS]
    return spellings
