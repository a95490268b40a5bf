"""A callback request: "leave your number, staff call you back" (the help screen, issue 17).

The number goes to the platform as a submission of kind "callback" through the outbox (nothing is
lost while the platform is down; the idempotency key makes a resend harmless). The payload names
the terminal, the hall, the language to call back in and the number: nothing else about the
citizen. The demo platform checks the number with `phone_number` too (kiosk/demo_platform/server.py).
"""
from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

KIND = "callback"
# mainland mobile (11 digits from 13-19), or a landline with its area code (0 + 2-3 digits, then
# 7-8 digits): the number must reach someone from the hall's desk phone
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_LANDLINE = re.compile(r"^0[1-9][0-9]{1,2}[0-9]{7,8}$")


def phone_number(text: Any) -> str | None:
    """The typed number as digits only (Tibetan, full-width and other digits read as 0-9; spaces,
    dashes and a +86/0086 prefix dropped), or None when it is not a callable number."""
    if not isinstance(text, str) or len(text) > 32:
        return None
    digits = ""
    for ch in unicodedata.normalize("NFKC", text):
        if ch.isdecimal():
            digits += str(unicodedata.decimal(ch))
        elif ch not in " -+()":
            return None
    for prefix in ("0086", "86"):  # the country code before a mobile number
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
    return digits if _MOBILE.match(digits) or _LANDLINE.match(digits) else None


@dataclass(frozen=True)
class CallbackRequest:
    payload: dict[str, Any]
    idempotency_key: str


def callback_request(text: str, terminal_id: str, hall: str, language: str, at: datetime) -> CallbackRequest | None:
    """The outbox item for a typed number, or None when the number is not one (the screen says so)."""
    phone = phone_number(text)
    if phone is None:
        return None
    payload = {"terminal": terminal_id, "hall": hall, "phone": phone, "language": language,
               "at": at.isoformat(timespec="seconds")}
    return CallbackRequest(payload, f"callback-{terminal_id}-{secrets.token_hex(6)}")
