"""Staff accounts, passwords and web sessions of the help desk.

Passwords as the fleet console keeps them: kiosk.core.techpin.hash_password / check_password
(scrypt, n=2**14, r=8, p=1, 16-byte salt, constant-time compare); a session is a random
cookie whose sha256 alone is kept, that expires after `idle_s` unused or `absolute_s` after log-in,
with its own CSRF token for every POST. Accounts live in a small JSON file the site edits with
`python -m kiosk.helpdesk.server add-staff` (a help desk has tens of staff, not a database's worth).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kiosk.helpdesk.queue import Staff
from kiosk.core.techpin import check_password, hash_password  # noqa: F401 - the one scrypt home, used here and by callers

ROLES = ("agent", "supervisor")
_DUMMY = hash_password("not-a-password", b"\0" * 16)  # a missing user costs as long as a wrong password


@dataclass
class Account:
    staff: Staff
    pw_hash: str


@dataclass
class WebSession:
    user: str
    csrf: str
    created: float
    used: float


class Directory:
    def __init__(self, path: Path | None = None, clock: Callable[[], float] = time.time,
                 idle_s: float = 30 * 60, absolute_s: float = 12 * 3600) -> None:
        self.path, self.clock, self.idle_s, self.absolute_s = path, clock, idle_s, absolute_s
        self.accounts: dict[str, Account] = {}
        self._sessions: dict[str, WebSession] = {}
        if path is not None and path.exists():
            for name, row in json.loads(path.read_text(encoding="utf-8")).items():
                self.accounts[name] = Account(Staff(name, row["role"], tuple(row["languages"])), row["pw_hash"])

    def add(self, name: str, password: str, role: str, languages: tuple[str, ...]) -> Staff:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if not name or len(name) > 64 or len(password) < 10:
            raise ValueError("user names are 1-64 characters; passwords at least 10")
        staff = Staff(name, role, tuple(languages) or ("zh_CN",))
        self.accounts[name] = Account(staff, hash_password(password))
        if self.path is not None:
            self.path.write_text(json.dumps({n: {"role": a.staff.role, "languages": list(a.staff.languages),
                                                 "pw_hash": a.pw_hash} for n, a in self.accounts.items()},
                                            indent=1, ensure_ascii=False), encoding="utf-8")
        return staff

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()

    def login(self, name: str, password: str) -> str | None:
        acc = self.accounts.get(name)
        if not check_password(password, acc.pw_hash if acc else _DUMMY) or acc is None:
            return None
        now = self.clock()
        self._sessions = {k: s for k, s in self._sessions.items() if not self._expired(s, now)}
        token = secrets.token_urlsafe(32)
        self._sessions[self._key(token)] = WebSession(name, secrets.token_urlsafe(24), now, now)
        return token

    def _expired(self, s: WebSession, now: float) -> bool:
        return s.used < now - self.idle_s or s.created < now - self.absolute_s

    def check(self, token: str | None) -> tuple[Staff, str] | None:
        """(staff, csrf token) of a live session."""
        if not token:
            return None
        s = self._sessions.get(self._key(token))
        now = self.clock()
        if s is None or s.user not in self.accounts:
            return None
        if self._expired(s, now):
            del self._sessions[self._key(token)]
            return None
        s.used = now
        return self.accounts[s.user].staff, s.csrf

    def logout(self, token: str | None) -> None:
        if token:
            self._sessions.pop(self._key(token), None)


def csrf_ok(expected: str, supplied: str | None) -> bool:
    return bool(supplied) and hmac.compare_digest(expected, str(supplied))
