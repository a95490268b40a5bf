"""The virtual social security card's contents: JSON card files (devices/smartcard/cards/) encoded
into the EF05/EF06 records a card stores. No I/O beyond reading the file."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from devices.smartcard.sscard import NAME_BYTES, encode_bcd_date, encode_record

CARDS_DIR = Path(__file__).resolve().parent / "cards"

# T=0 only ATR: TB1 = 00, TC1 = 00, six historical bytes "SSCARD". With no TD1 there is no
# TCK to get wrong, and T=0 is what makes 61xx/6Cxx the card's normal way to talk.
DEFAULT_ATR = bytes.fromhex("3B660000535343415244")


@dataclass(frozen=True)
class CardData:
    """The card's contents as raw records (record number -> tag|length|value)."""

    ef05: dict[int, bytes]
    ef06: dict[int, bytes]
    atr: bytes = DEFAULT_ATR
    protect_ef06: bool = False  # this card's EF06 needs a PIN/PSAM we do not have
    label: str = "card"  # for logs: never a name or number

    def __repr__(self) -> str:
        return f"CardData({self.label!r})"


def _date(text: str) -> date:
    return date.fromisoformat(text)


def card_from_json(obj: dict[str, Any], label: str = "card") -> CardData:
    """Fields in plain form (dates YYYY-MM-DD, name as text) encoded into records the way a card
    stores them. `records_hex` ({"ef05": {"3": "0304..."}}) overrides single raw records, to
    describe broken or hostile cards."""
    ef05 = {
        1: encode_record(1, obj["card_id"].encode("ascii")),
        3: encode_record(3, obj["spec_version"].encode("ascii")),
        5: encode_record(5, encode_bcd_date(_date(obj["issue_date"]))),
        6: encode_record(6, encode_bcd_date(_date(obj["expiry_date"]))),
        7: encode_record(7, obj["card_number"].encode("ascii")),
    }
    ef06: dict[int, bytes] = {}
    if "ssn" in obj:
        ef06[1] = encode_record(1, obj["ssn"].encode("ascii"))
    if "name" in obj:
        name = obj["name"].encode("gbk")
        if len(name) > NAME_BYTES:
            raise ValueError(f"name longer than {NAME_BYTES} GBK bytes")
        ef06[2] = encode_record(2, name.ljust(NAME_BYTES, b" "))
    if "sex" in obj:
        ef06[3] = encode_record(3, obj["sex"].encode("ascii"))
    if "nation" in obj:
        ef06[4] = encode_record(4, obj["nation"].encode("ascii"))
    if "birth_date" in obj:
        ef06[6] = encode_record(6, encode_bcd_date(_date(obj["birth_date"])))
    for file, target in (("ef05", ef05), ("ef06", ef06)):
        for n, hexdata in obj.get("records_hex", {}).get(file, {}).items():
            target[int(n)] = bytes.fromhex(hexdata)
    atr = bytes.fromhex(obj["atr"]) if "atr" in obj else DEFAULT_ATR
    return CardData(ef05, ef06, atr, bool(obj.get("protect_ef06", False)), label)


def load_card(path_or_name: str | Path) -> CardData:
    """A card file by path, or by the name of a shipped card ("han", "tibetan")."""
    path = Path(path_or_name)
    if not path.suffix and not path.exists():
        path = CARDS_DIR / f"{path_or_name}.json"
    with open(path, encoding="utf-8") as f:
        return card_from_json(json.load(f), label=path.stem)


def shipped_cards() -> list[str]:
    return sorted(p.stem for p in CARDS_DIR.glob("*.json"))
