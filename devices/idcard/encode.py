"""The inverse of parse: a card described in JSON (the CLI contract's keys) -> the 256-byte text
block and the read answer a real module would send. Used by the simulator and by tests; kept
strict (a field that does not fit is an error, not silently cut) so sample cards stay honest.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from devices.idcard.layout import (FLAG_OF, FOREIGN_2023, GENDER_CODES, LAYOUTS, PHOTO_LEN, TEXT_ENCODING,
                                   TEXT_LEN, tables)


class CardSpecError(ValueError):
    """A card description that cannot be written onto a card."""


def encode_text(card: Mapping[str, Any]) -> bytes:
    card_type = card.get("card_type")
    if card_type not in LAYOUTS:
        raise CardSpecError(f"card_type must be one of {sorted(LAYOUTS)}")
    values = _field_values(card_type, card)
    block = bytearray(" ".encode(TEXT_ENCODING) * (TEXT_LEN // 2))
    for name, where in LAYOUTS[card_type].items():
        value = values.get(name, "")
        raw = value.encode(TEXT_ENCODING)
        if len(raw) > where.size:
            raise CardSpecError(f"{name} is longer than {where.size // 2} characters")
        block[where.offset:where.offset + where.size] = raw + " ".encode(TEXT_ENCODING) * ((where.size - len(raw)) // 2)
    return bytes(block)


def dummy_photo(seed: int = 0) -> bytes:
    """1024 bytes standing in for WLT data. The pattern never contains the frame preamble, so a
    simulator answer cannot hide a false frame inside it."""
    return bytes(((i * 7 + seed) % 0x60) + 0x10 for i in range(PHOTO_LEN))


def read_answer_data(card: Mapping[str, Any], fingerprint: bool = False, photo: bytes | None = None) -> bytes:
    """The data part of a 30 01 (or 30 10) answer: lengths, text, photo (, fingerprint)."""
    text = encode_text(card)
    if photo is None:
        photo = dummy_photo() if card.get("has_photo", True) else b""
    fp = bytes(range(256)) * 2 if fingerprint else b""
    lens = [len(text), len(photo)] + ([len(fp)] if fingerprint else [])
    return b"".join(n.to_bytes(2, "big") for n in lens) + text + photo + fp


def _field_values(card_type: str, card: Mapping[str, Any]) -> dict[str, str]:
    v: dict[str, str] = {}
    for key, value in card.items():
        if isinstance(value, str):
            v[key] = value
    gender = card.get("gender", "unknown")
    if gender not in GENDER_CODES:
        raise CardSpecError(f"gender must be one of {sorted(GENDER_CODES)}")
    v["gender"] = GENDER_CODES[gender]
    for key in ("birth_date", "valid_from"):
        v[key] = _yyyymmdd(card.get(key), key)
    if card.get("valid_until") is None:
        if not card.get("long_term"):
            raise CardSpecError("valid_until is null but long_term is not true")
        v["valid_until"] = tables().long_term
    else:
        v["valid_until"] = _yyyymmdd(card["valid_until"], "valid_until")
    if "nation_code" in card and card.get("nation") is not None:
        if tables().nations.get(card["nation_code"]) != card["nation"]:
            raise CardSpecError("nation does not match nation_code")
    v["flag"] = FLAG_OF[card_type]
    if card_type == FOREIGN_2023:
        name_en = str(card.get("name_en", ""))
        split = LAYOUTS[card_type]["name_en_1"].size // 2
        v["name_en_1"], v["name_en_2"] = name_en[:split], name_en[split:]
    return v


def _yyyymmdd(value: Any, key: str) -> str:
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    try:
        return date.fromisoformat(str(value)).strftime("%Y%m%d")
    except ValueError:
        raise CardSpecError(f"{key} must be YYYY-MM-DD") from None


__all__ = ["CardSpecError", "dummy_photo", "encode_text", "read_answer_data"]
