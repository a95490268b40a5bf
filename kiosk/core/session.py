"""The citizen session: the only place personal data lives, in memory, until `wipe()`.

Everything else (journal, logs, diagnostics) gets `session.id` and the flow id, never the
holder's data. Masking helpers live here too so screens and receipts mask the same way.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

PERSONAL_KEYS = frozenset({"name", "name_en", "id_number", "address", "photo", "birth_date", "ssn", "phone"})


def mask_id_number(value: str) -> str:
    """First 6 and last 4 visible: 513322********1234 (the regional code and check digits stay)."""
    v = value.strip()
    if len(v) <= 10:
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


def mask_name(value: str) -> str:
    """Keep the first character; a Tibetan or Yi name keeps its first syllable only."""
    v = value.strip()
    if not v:
        return ""
    if "\u0f0b" in v:  # Tibetan: syllables end with a tsheg
        first = v.split("\u0f0b", 1)[0]
        return first + "\u0f0b" + "*" * max(1, v.count("\u0f0b"))
    if " " in v:
        first = v.split(" ", 1)[0]
        return first + " " + "*" * 3
    return v[0] + "*" * max(1, len(v) - 1)


@dataclass
class Session:
    """One citizen at the terminal. Create a new one per visit; wipe it when the visit ends."""

    language: str
    id: str = field(default_factory=lambda: secrets.token_hex(8))
    flow_id: str | None = None
    large_text: bool = False
    _personal: dict[str, Any] = field(default_factory=dict, repr=False)
    wiped: bool = False

    def __repr__(self) -> str:  # never print personal data, even by accident in a traceback
        return f"Session(id={self.id!r}, flow={self.flow_id!r}, language={self.language!r}, wiped={self.wiped})"

    def put_personal(self, **values: Any) -> None:
        if self.wiped:
            raise RuntimeError("session already wiped")
        from kiosk.core.logs import forget_sensitive, register_sensitive

        # The new value is registered before the old one is forgotten: the same value put again
        # stays masked throughout.
        for key, value in values.items():
            if isinstance(value, str) and value.strip():
                register_sensitive(value)  # the log filter masks it, should any code log it by mistake
            old = self._personal.get(key)
            if isinstance(old, str):
                forget_sensitive(old)  # replaced (or cleared): wipe() will not see it any more
        self._personal.update(values)

    def personal(self, key: str, default: Any = None) -> Any:
        return self._personal.get(key, default)

    @property
    def has_personal(self) -> bool:
        return bool(self._personal)

    def wipe(self) -> None:
        """Drop personal data. Bytes are overwritten where Python lets us (bytearray)."""
        from kiosk.core.logs import forget_sensitive

        for value in self._personal.values():
            if isinstance(value, bytearray):
                value[:] = b"\0" * len(value)
            elif isinstance(value, str):
                forget_sensitive(value)
        self._personal.clear()
        self.wiped = True
