"""The citizen session: the only place personal data lives, in memory, until `wipe()`.

Everything else (journal, logs, diagnostics) gets `session.id` and the flow id, never the
holder's data. How a value is shown masked is kiosk/core/privacy.py's job.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from kiosk.core.privacy import forget_sensitive, register_sensitive

PERSONAL_KEYS = frozenset({"name", "name_en", "id_number", "address", "photo", "birth_date", "ssn", "phone"})


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
        for value in self._personal.values():
            if isinstance(value, bytearray):
                value[:] = b"\0" * len(value)
            elif isinstance(value, str):
                forget_sensitive(value)
        self._personal.clear()
        self.wiped = True
