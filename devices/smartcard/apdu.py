"""Command APDUs for the social security card and the status-word loop around them.

Pure code: nothing here touches PC/SC. `exchange()` takes any `transmit(apdu) -> response`
function (pyscard in production, the virtual card's applet or a fake in tests), so the 61xx /
6Cxx handling is tested without a reader.

Errors are typed so callers decide by class, never by parsing messages:
- `CardRemoved`: the card left (or stopped answering) in the middle of a command.
- `CardError(sw)`: the card answered with a status word we cannot use.
- `ProtectedData(sw)`: the data exists but the card refuses it without a PIN/PSAM (6982...).
- `ProtocolError`: the card does not follow the 61xx/6Cxx rules (loops, short answers).
"""
from __future__ import annotations

from typing import Callable

# SSSE application DDF name: "sx1.sh." followed by the GBK bytes of the four-character
# word "social security" (she hui bao zhang). Kept as bytes: it is a card identifier, not text.
SSSE_DDF_NAME = bytes.fromhex("7378312E73682E C9E7BBE1B1A3D5CF".replace(" ", ""))

# READ RECORD P2 = (SFI << 3) | 0b100 ("P1 is a record number").
P2_EF05 = 0x2C  # SFI 5: issuer data (card id, version, dates, card number)
P2_EF06 = 0x34  # SFI 6: holder data (social security number, name, ...)

SW_OK = 0x9000
# Status words that mean "this data is there but not for you" (security status not
# satisfied, authentication method blocked, conditions of use not satisfied).
PROTECTED_SWS = frozenset({0x6982, 0x6983, 0x6985})
SW_FILE_NOT_FOUND = 0x6A82
SW_RECORD_NOT_FOUND = 0x6A83

# A well-behaved card needs at most a handful of rounds (one 6Cxx, a few 61xx chunks for a
# 256-byte answer). A bound stops a broken or hostile card from keeping us in a loop forever.
MAX_ROUNDS = 16

Transmit = Callable[[bytes], bytes]


class SmartCardError(Exception):
    """Base of every smart card error; `reason` is a stable code for status and logs."""

    reason = "card_error"


class CardRemoved(SmartCardError):
    reason = "card_removed"


class CardError(SmartCardError):
    reason = "card_error"

    def __init__(self, sw: int, what: str = "") -> None:
        self.sw = sw
        super().__init__(f"{what or 'command'} failed: SW {sw:04X}")


class ProtectedData(CardError):
    reason = "protected"


class ProtocolError(SmartCardError):
    reason = "protocol_error"


def _le_byte(le: int) -> int:
    if not 0 <= le <= 256:
        raise ValueError(f"Le out of range: {le}")
    return le & 0xFF  # short Le: 0x00 means 256


def select_ssse() -> bytes:
    """SELECT by DF name (P1=04), first occurrence, FCI wanted (P2=00); no Le (case 3)."""
    return bytes([0x00, 0xA4, 0x04, 0x00, len(SSSE_DDF_NAME)]) + SSSE_DDF_NAME


def read_record(record: int, p2: int, le: int) -> bytes:
    """READ RECORD `record` of the file named by `p2` (P2_EF05 / P2_EF06), expecting `le` bytes."""
    if not 1 <= record <= 0xFE:
        raise ValueError(f"record number out of range: {record}")
    if not 0 <= p2 <= 0xFF:
        raise ValueError(f"P2 out of range: {p2}")
    return bytes([0x00, 0xB2, record, p2, _le_byte(le)])


def get_response(le: int) -> bytes:
    return bytes([0x00, 0xC0, 0x00, 0x00, _le_byte(le)])


def with_le(apdu: bytes, le: int) -> bytes:
    """The same command with a corrected Le (for 6Cxx). A case-1/3 command gets one appended."""
    if len(apdu) < 4:
        raise ValueError("APDU shorter than its header")
    if len(apdu) == 4:  # case 1: no body at all
        return apdu + bytes([_le_byte(le)])
    if len(apdu) == 5:  # case 2: the fifth byte is Le
        return apdu[:4] + bytes([_le_byte(le)])
    lc = apdu[4]
    if len(apdu) == 5 + lc:  # case 3: data, no Le yet
        return apdu + bytes([_le_byte(le)])
    return apdu[:5 + lc] + bytes([_le_byte(le)])  # case 4: replace Le


def split_sw(response: bytes) -> tuple[bytes, int]:
    if len(response) < 2:
        raise ProtocolError(f"response of {len(response)} bytes has no status word")
    return response[:-2], (response[-2] << 8) | response[-1]


def exchange(transmit: Transmit, apdu: bytes, what: str = "", max_rounds: int = MAX_ROUNDS) -> bytes:
    """Send `apdu`, follow 61xx (GET RESPONSE, maybe repeated) and 6Cxx (resend with the Le the
    card names), and return the data of a 9000 answer. Anything else raises a typed error.

    `transmit` raises CardRemoved itself when the card is gone; it returns data + SW1 SW2.
    """
    data = bytearray()
    command = apdu
    for _ in range(max_rounds):
        body, sw = split_sw(transmit(command))
        sw1, sw2 = sw >> 8, sw & 0xFF
        if sw == SW_OK:
            data += body
            return bytes(data)
        if sw1 == 0x61:
            # xx more bytes are waiting; xx = 00 means "256 or more". Data sent along with a
            # 61xx (T=1 cards may) belongs to the answer too.
            data += body
            command = get_response(sw2 or 256)
            continue
        if sw1 == 0x6C:
            # Wrong Le: resend the command that got it (which may be a GET RESPONSE).
            command = with_le(command, sw2 or 256)
            continue
        if sw in PROTECTED_SWS:
            raise ProtectedData(sw, what)
        raise CardError(sw, what)
    raise ProtocolError(f"{what or 'command'}: no final status word after {max_rounds} rounds")
