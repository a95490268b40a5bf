"""Card data: the read response payload -> text block + photo -> a typed IdRecord.

Errors never carry card content (only field names and sizes), because exception messages end
up in logs and status details.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from devices.idcard import photo as photo_plugin
from devices.idcard.layout import (CARD_TYPES, FINGERPRINT_MAX, FLAG_OFFSET, FLAGS, FOREIGN, FOREIGN_2023,
                                   GENDERS, HK_MO_TW, LAYOUTS, PHOTO_LEN, RESIDENT, TEXT_ENCODING, TEXT_LEN,
                                   Field, tables)

# Written on the card to pad fields; NUL shows up on some vendors' modules instead of spaces.
_PAD = " \x00"
_CHECK_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

# JSON keys per card type: the CLI contract. Order is the order printed.
_COMMON_HEAD = ("card_type", "name")
_COMMON_TAIL = ("birth_date", "valid_from", "valid_until", "long_term", "id_number", "id_number_valid",
                "has_photo")
JSON_KEYS: dict[str, tuple[str, ...]] = {
    RESIDENT: _COMMON_HEAD + ("gender", "nation", "nation_code") + _COMMON_TAIL + ("address", "issuer"),
    HK_MO_TW: _COMMON_HEAD + ("gender",) + _COMMON_TAIL + ("address", "issuer", "pass_number", "issue_count"),
    FOREIGN: _COMMON_HEAD + ("name_en", "gender") + _COMMON_TAIL + ("nationality", "issuer_code"),
    FOREIGN_2023: _COMMON_HEAD + ("name_en", "gender") + _COMMON_TAIL + ("nationality",),
}


class ParseError(ValueError):
    """The card data does not fit the documented layout. `reason` is a stable code; the message
    names the field, never its content."""

    reason = "unreadable_card_data"

    def __init__(self, problem: str) -> None:
        super().__init__(problem)


@dataclass(frozen=True, repr=False)
class IdRecord:
    """What one card holds. Personal data: never log it, never repr it (repr shows the type only)."""

    card_type: str
    name: str
    gender: str  # male | female | unknown | unspecified
    birth_date: date
    valid_from: date
    valid_until: date | None  # None with long_term=True
    long_term: bool
    id_number: str  # the ID number, or the permit number on I cards
    id_number_valid: bool | None  # MOD 11-2 check; None where the card type has no such check
    has_photo: bool  # photo bytes were on the card (whether or not a decoder could show them)
    name_en: str | None = None
    nation: str | None = None
    nation_code: str | None = None
    address: str | None = None
    issuer: str | None = None
    pass_number: str | None = None
    issue_count: str | None = None
    nationality: str | None = None
    issuer_code: str | None = None
    photo: bytes | None = field(default=None, compare=False)  # decoded image, only with a plug-in
    fingerprint: bytes | None = field(default=None, compare=False)

    def __repr__(self) -> str:
        return f"IdRecord(card_type={self.card_type!r}, has_photo={self.has_photo})"

    def to_json(self) -> dict[str, Any]:
        """The CLI/JSON contract: dates as YYYY-MM-DD, no photo, no raw bytes."""
        out: dict[str, Any] = {}
        for key in JSON_KEYS[self.card_type]:
            value = getattr(self, key)
            out[key] = value.isoformat() if isinstance(value, date) else value
        return out


class ReadPayload(NamedTuple):
    text: bytes
    photo: bytes
    fingerprint: bytes


def split_read_payload(data: bytes, with_fingerprint: bool) -> ReadPayload:
    """Split the data of a 30 01 / 30 10 answer (the bytes after SW3).

    30 01: TEXTLEN(2) PHOTOLEN(2) text photo  -> in the frame, text at byte 14, photo at 270.
    30 10: TEXTLEN(2) PHOTOLEN(2) FPLEN(2) text photo fingerprint -> text at frame byte 16.
    """
    n_lens = 3 if with_fingerprint else 2
    head = 2 * n_lens
    if len(data) < head:
        raise ParseError(f"read answer too short for its length fields ({len(data)} bytes)")
    lens = [(data[2 * i] & 0xFF) << 8 | (data[2 * i + 1] & 0xFF) for i in range(n_lens)]
    text_len, photo_len = lens[0], lens[1]
    fp_len = lens[2] if with_fingerprint else 0
    if text_len < FLAG_OFFSET + 2 or text_len > TEXT_LEN:
        raise ParseError(f"text length {text_len} outside {FLAG_OFFSET + 2}..{TEXT_LEN}")
    if photo_len > PHOTO_LEN or fp_len > FINGERPRINT_MAX:
        raise ParseError(f"photo/fingerprint length {photo_len}/{fp_len} too large")
    if len(data) < head + text_len + photo_len + fp_len:
        raise ParseError(f"read answer has {len(data)} bytes, lengths need {head + text_len + photo_len + fp_len}")
    text = data[head:head + text_len]
    photo = data[head + text_len:head + text_len + photo_len]
    fp = data[head + text_len + photo_len:head + text_len + photo_len + fp_len]
    # A short block that still holds the type flag is tolerated; pad it the way cards pad.
    return ReadPayload(text + (b" \x00" * (TEXT_LEN // 2))[len(text):TEXT_LEN], photo, fp)


def id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits of an ID number."""
    total = sum(int(c) * w for c, w in zip(first17, _CHECK_WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def id_number_valid(number: str) -> bool:
    if len(number) != 18 or not number[:17].isdigit() or not number[:17].isascii():
        return False
    return id_check_char(number[:17]) == number[17].upper()


def card_type_of(text: bytes) -> str:
    flag = _text(text, Field(FLAG_OFFSET, 2))
    try:
        return FLAGS[flag]
    except KeyError:
        raise ParseError(f"unknown card type flag (U+{ord(flag[0]):04X})") from None


def parse_text(text: bytes, photo: bytes = b"", fingerprint: bytes = b"") -> IdRecord:
    """The 256-byte UCS-2LE text block (+ photo) -> IdRecord, for all four card types."""
    if len(text) < TEXT_LEN:
        raise ParseError(f"text block is {len(text)} bytes, expected {TEXT_LEN}")
    card_type = card_type_of(text)
    f = {name: _text(text, where) for name, where in LAYOUTS[card_type].items()}
    valid_until, long_term = _valid_until(f["valid_until"])
    has_photo = any(photo)
    common: dict[str, Any] = dict(
        card_type=card_type,
        name=f["name"],
        gender=GENDERS.get(f["gender"], "unknown"),
        birth_date=_date(f["birth_date"], "birth_date"),
        valid_from=_date(f["valid_from"], "valid_from"),
        valid_until=valid_until,
        long_term=long_term,
        id_number=f["id_number"],
        # The old foreigner's permit number has no documented check character.
        id_number_valid=None if card_type == FOREIGN else id_number_valid(f["id_number"]),
        has_photo=has_photo,
        photo=photo_plugin.decode_photo(photo) if has_photo else None,
        fingerprint=fingerprint or None,
    )
    if card_type == RESIDENT:
        code = f["nation_code"]
        return IdRecord(**common, nation=tables().nations.get(code), nation_code=code,
                        address=f["address"], issuer=f["issuer"])
    if card_type == HK_MO_TW:
        return IdRecord(**common, address=f["address"], issuer=f["issuer"],
                        pass_number=f["pass_number"], issue_count=f["issue_count"])
    if card_type == FOREIGN:
        return IdRecord(**common, name_en=f["name_en"], nationality=f["nationality"],
                        issuer_code=f["issuer_code"])
    # 2023 edition: the English name overflows from part 1 (35 chars) into part 2.
    raw_en = text[52:122].decode(TEXT_ENCODING, "replace") + text[220:242].decode(TEXT_ENCODING, "replace")
    name_en = re.sub(" {2,}", " ", raw_en.replace("\x00", " ")).strip()
    return IdRecord(**common, name_en=name_en, nationality=f["nationality"])


def parse_read_payload(data: bytes, with_fingerprint: bool = False) -> IdRecord:
    payload = split_read_payload(data, with_fingerprint)
    return parse_text(payload.text, payload.photo, payload.fingerprint)


def _text(text: bytes, where: Field) -> str:
    # "replace": a damaged or exotic code unit must not turn a whole card into an exception.
    return text[where.offset:where.offset + where.size].decode(TEXT_ENCODING, "replace").strip(_PAD)


def _date(value: str, name: str) -> date:
    if len(value) != 8 or not value.isdigit() or not value.isascii():
        raise ParseError(f"{name} is not YYYYMMDD")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise ParseError(f"{name} is not a calendar date") from None


def _valid_until(value: str) -> tuple[date | None, bool]:
    if value == tables().long_term:
        return None, True
    return _date(value, "valid_until"), False


__all__ = ["CARD_TYPES", "IdRecord", "JSON_KEYS", "ParseError", "ReadPayload", "card_type_of", "id_check_char",
           "id_number_valid", "parse_read_payload", "parse_text", "split_read_payload"]
