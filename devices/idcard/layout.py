"""Where each field sits in the 256-byte text block, per card type (REFERENCE.md section 1).

One table serves the parser and the simulator's encoder, so the two cannot drift apart.
Offsets and widths are in bytes of UCS-2LE text (two bytes per character).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

TEXT_LEN = 256
PHOTO_LEN = 1024
FINGERPRINT_MAX = 1024
TEXT_ENCODING = "utf-16-le"
FLAG_OFFSET = 248

RESIDENT = "resident"
HK_MO_TW = "hk_mo_tw_permit"
FOREIGN = "foreign_permanent"
FOREIGN_2023 = "foreign_permanent_2023"
CARD_TYPES = (RESIDENT, HK_MO_TW, FOREIGN, FOREIGN_2023)

# Type flag character at byte 248; the resident card leaves it blank.
FLAGS: dict[str, str] = {"": RESIDENT, "J": HK_MO_TW, "I": FOREIGN, "Y": FOREIGN_2023}
FLAG_OF: dict[str, str] = {v: k for k, v in FLAGS.items()}

GENDERS: dict[str, str] = {"0": "unknown", "1": "male", "2": "female", "9": "unspecified"}
GENDER_CODES: dict[str, str] = {v: k for k, v in GENDERS.items()}


class Field(NamedTuple):
    offset: int
    size: int


_RESIDENT_COMMON: dict[str, Field] = {
    "name": Field(0, 30),
    "gender": Field(30, 2),
    "nation_code": Field(32, 4),
    "birth_date": Field(36, 16),
    "address": Field(52, 70),
    "id_number": Field(122, 36),
    "issuer": Field(158, 30),
    "valid_from": Field(188, 16),
    "valid_until": Field(204, 16),
}

LAYOUTS: dict[str, dict[str, Field]] = {
    RESIDENT: dict(_RESIDENT_COMMON),
    # Same as the resident card up to byte 220; the nation field stays blank.
    HK_MO_TW: {k: v for k, v in _RESIDENT_COMMON.items() if k != "nation_code"} | {
        "pass_number": Field(220, 18),
        "issue_count": Field(238, 4),
        "flag": Field(248, 2),
    },
    FOREIGN: {
        "name_en": Field(0, 120),
        "gender": Field(120, 2),
        "id_number": Field(122, 30),
        "nationality": Field(152, 6),
        "name": Field(158, 30),
        "valid_from": Field(188, 16),
        "valid_until": Field(204, 16),
        "birth_date": Field(220, 16),
        "card_version": Field(236, 4),
        "issuer_code": Field(240, 8),
        "flag": Field(248, 2),
    },
    FOREIGN_2023: {
        "name": Field(0, 30),
        "gender": Field(30, 2),
        "renewal_count": Field(32, 4),
        "birth_date": Field(36, 16),
        "name_en_1": Field(52, 70),
        "id_number": Field(122, 36),
        "valid_from": Field(188, 16),
        "valid_until": Field(204, 16),
        "name_en_2": Field(220, 22),
        "nationality": Field(242, 6),
        "flag": Field(248, 2),
        "old_permit_link": Field(250, 6),
    },
}


class Tables(NamedTuple):
    long_term: str
    nations: dict[str, str]


@lru_cache(maxsize=1)
def tables() -> Tables:
    """Chinese text lives in a data file: code stays ASCII, and the table is reviewable as data."""
    raw = json.loads(Path(__file__).with_name("tables.json").read_text(encoding="utf-8"))
    return Tables(raw["long_term"], dict(raw["nations"]))
