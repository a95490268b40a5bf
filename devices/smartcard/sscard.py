"""The social security card's files: read them through any transmit function and parse them.

EF05 (issuer data, always readable) and EF06 (holder data, often protected by a PIN or a
PSAM) are record files; record n is `tag (= n) | length | value`. Every byte comes from a
card a stranger put in the slot, so every record is checked (tag, length, character set, BCD,
calendar) and any defect raises `SscardParseError` -- never an IndexError or a half record.

Privacy: an `SsCardRecord` holds personal data. Its repr shows no field values, and nothing
here logs values: only record numbers, lengths and status words.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Mapping

from devices.smartcard.apdu import (P2_EF05, P2_EF06, SW_FILE_NOT_FOUND, SW_RECORD_NOT_FOUND, CardError,
                                    ProtectedData, Transmit, exchange, read_record, select_ssse)

log = logging.getLogger(__name__)


class SscardParseError(ValueError):
    """A record that does not follow the card specification."""

    reason = "bad_card_data"


# Record number -> expected record length (tag + length + value) used as Le. 0 means "unknown":
# the card then answers 6Cxx with the right length, or (T=1) simply the record.
EF05_LE: dict[int, int] = {1: 2 + 16, 3: 2 + 4, 5: 2 + 4, 6: 2 + 4, 7: 2 + 9}
EF06_LE: dict[int, int] = {1: 2 + 18, 2: 2 + 30, 3: 2 + 1, 4: 0, 6: 2 + 4}

NAME_BYTES = 30
_CARD_ID = re.compile(r"[0-9]{6}[0-9A-Z]{10}")  # region code (6 digits) + issuer part
_CARD_NUMBER = re.compile(r"[0-9A-Z]{9}")
_SPEC_VERSION = re.compile(r"[1-9]\.[0-9]{2}")
_SSN = re.compile(r"[0-9]{17}[0-9X]")
_SEX = re.compile(r"[0-9]")  # GB/T 2261.1: 0 unknown, 1 male, 2 female, 9 not stated
_NATION = re.compile(r"[0-9]{1,3}")  # GB 3304 code, e.g. "01"
_SSN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_SSN_CHECK = "10X98765432"


@dataclass(frozen=True, repr=False)
class SsCardRecord:
    """What one read of a card yields. Holder fields are None when EF06 was not readable."""

    card_id: str
    spec_version: str
    issue_date: date
    expiry_date: date
    card_number: str
    ssn: str | None = None
    name: str | None = None
    sex: str | None = None
    nation: str | None = None
    birth_date: date | None = None

    @property
    def generation(self) -> int:
        """1, 2 or 3 for spec versions 1.00 / 2.00 / 3.00 (later majors map the same way)."""
        return int(self.spec_version.split(".", 1)[0])

    @property
    def holder_readable(self) -> bool:
        return self.ssn is not None and self.name is not None

    def to_json(self) -> dict[str, str]:
        """The CLI/JSON view. `ssn` and `name` are present only when the card let us read them
        (omitted, not null, so a consumer tests `"ssn" in obj`). Dates are YYYY-MM-DD."""
        out = {
            "card_number": self.card_number,
            "card_id": self.card_id,
            "spec_version": self.spec_version,
            "issue_date": self.issue_date.isoformat(),
            "expiry_date": self.expiry_date.isoformat(),
        }
        if self.ssn is not None:
            out["ssn"] = self.ssn
        if self.name is not None:
            out["name"] = self.name
        return out

    def __repr__(self) -> str:  # never personal data in logs or tracebacks
        return f"SsCardRecord(generation={self.generation}, holder_readable={self.holder_readable})"


# ---- field parsers --------------------------------------------------------------------------

def unwrap_record(data: bytes, record: int, file: str = "EF05") -> bytes:
    """The value of `tag | length | value`; the tag must be the record number and the length
    must cover the rest exactly."""
    if len(data) < 2:
        raise SscardParseError(f"{file} record {record}: {len(data)} bytes, too short")
    if data[0] != record:
        raise SscardParseError(f"{file} record {record}: tag {data[0]:02X}")
    if data[1] != len(data) - 2:
        raise SscardParseError(f"{file} record {record}: length byte {data[1]} for {len(data) - 2} value bytes")
    return data[2:]


def _ascii(value: bytes, pattern: re.Pattern[str], what: str, length: int | None = None) -> str:
    if length is not None and len(value) != length:
        raise SscardParseError(f"{what}: {len(value)} bytes, expected {length}")
    try:
        text = value.decode("ascii")
    except UnicodeDecodeError:
        raise SscardParseError(f"{what}: not ASCII") from None
    if not pattern.fullmatch(text):
        raise SscardParseError(f"{what}: unexpected characters ({len(value)} bytes)")
    return text


def parse_bcd_date(value: bytes, what: str = "date") -> date:
    """4 bytes packed BCD YYYYMMDD, e.g. 20 24 03 15 -> 2024-03-15."""
    if len(value) != 4:
        raise SscardParseError(f"{what}: {len(value)} bytes, expected 4")
    digits = []
    for b in value:
        hi, lo = b >> 4, b & 0x0F
        if hi > 9 or lo > 9:
            raise SscardParseError(f"{what}: byte {b:02X} is not BCD")
        digits += (hi, lo)
    year = int("".join(map(str, digits[:4])))
    month = digits[4] * 10 + digits[5]
    day = digits[6] * 10 + digits[7]
    try:
        return date(year, month, day)
    except ValueError:
        raise SscardParseError(f"{what}: not a calendar date") from None


def encode_bcd_date(d: date) -> bytes:
    return bytes.fromhex(f"{d.year:04d}{d.month:02d}{d.day:02d}")


def encode_record(tag: int, value: bytes) -> bytes:
    if len(value) > 0xFF:
        raise ValueError("record value longer than 255 bytes")
    return bytes([tag, len(value)]) + value


def ssn_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of an 18-character ID number."""
    return _SSN_CHECK[sum(int(c) * w for c, w in zip(first17, _SSN_WEIGHTS)) % 11]


def parse_ssn(value: bytes) -> str:
    ssn = _ascii(value, _SSN, "social security number", 18)
    if ssn_check_char(ssn[:17]) != ssn[17]:
        raise SscardParseError("social security number: check character mismatch")
    return ssn


def parse_name(value: bytes) -> str:
    """30 bytes GBK, space padded. Decoded as GB18030, GBK's superset, so rare name characters
    that issuers encode with GB18030 four-byte sequences are not rejected."""
    if len(value) != NAME_BYTES:
        raise SscardParseError(f"name: {len(value)} bytes, expected {NAME_BYTES}")
    raw = value.rstrip(b" \x00")
    try:
        name = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise SscardParseError("name: not valid GBK/GB18030") from None
    if not name or any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in name):
        raise SscardParseError("name: empty or contains control characters")
    return name


# ---- whole files ----------------------------------------------------------------------------

def _require(records: Mapping[int, bytes], n: int, file: str) -> bytes:
    if n not in records:
        raise SscardParseError(f"{file} record {n} missing")
    return unwrap_record(records[n], n, file)


def parse_records(ef05: Mapping[int, bytes], ef06: Mapping[int, bytes] | None = None) -> SsCardRecord:
    """Build a record from raw READ RECORD answers (record number -> bytes). EF05 records 1, 3,
    5, 6, 7 are required; EF06 records are optional one by one (absent = not readable)."""
    card_id = _ascii(_require(ef05, 1, "EF05"), _CARD_ID, "card identification code", 16)
    spec_version = _ascii(_require(ef05, 3, "EF05"), _SPEC_VERSION, "specification version", 4)
    issue = parse_bcd_date(_require(ef05, 5, "EF05"), "issue date")
    expiry = parse_bcd_date(_require(ef05, 6, "EF05"), "expiry date")
    if expiry < issue:
        raise SscardParseError("expiry date before issue date")
    card_number = _ascii(_require(ef05, 7, "EF05"), _CARD_NUMBER, "card number", 9)

    ef06 = ef06 or {}

    def holder(n: int) -> bytes | None:
        return unwrap_record(ef06[n], n, "EF06") if n in ef06 else None

    ssn_v, name_v, sex_v, nation_v, birth_v = (holder(n) for n in (1, 2, 3, 4, 6))
    return SsCardRecord(
        card_id=card_id, spec_version=spec_version, issue_date=issue, expiry_date=expiry,
        card_number=card_number,
        ssn=parse_ssn(ssn_v) if ssn_v is not None else None,
        name=parse_name(name_v) if name_v is not None else None,
        sex=_ascii(sex_v, _SEX, "sex", 1) if sex_v is not None else None,
        nation=_ascii(nation_v, _NATION, "nation") if nation_v is not None else None,
        birth_date=parse_bcd_date(birth_v, "birth date") if birth_v is not None else None,
    )


def read_sscard(transmit: Transmit) -> SsCardRecord:
    """SELECT the SSSE application, read EF05 and whatever EF06 allows, parse.

    Raises CardRemoved / CardError / ProtocolError from the card and SscardParseError from
    the data. EF06 refused (6982/6983/6985) or absent (6A82/6A83) is not an error: the holder
    fields are then None. A protected EF06 is not asked again record by record: one refusal
    means the file is closed to us.
    """
    exchange(transmit, select_ssse(), "select SSSE")  # the FCI it may return is not needed
    ef05 = {n: exchange(transmit, read_record(n, P2_EF05, le), f"EF05 record {n}") for n, le in EF05_LE.items()}
    ef06: dict[int, bytes] = {}
    for n, le in EF06_LE.items():
        try:
            ef06[n] = exchange(transmit, read_record(n, P2_EF06, le), f"EF06 record {n}")
        except ProtectedData as e:
            log.info("EF06 protected (SW %04X): holder data not readable", e.sw)
            break
        except CardError as e:
            if e.sw == SW_FILE_NOT_FOUND:
                log.info("EF06 not found (SW %04X)", e.sw)
                break
            if e.sw == SW_RECORD_NOT_FOUND:
                log.info("EF06 record %d not found", n)
                continue
            raise
    log.debug("read EF05 %s and EF06 %s (record lengths)",
              {n: len(v) for n, v in ef05.items()}, {n: len(v) for n, v in ef06.items()})
    return parse_records(ef05, ef06)
