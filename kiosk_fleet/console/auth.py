"""Users, passwords, sessions, CSRF tokens, roles, the audit log.

Passwords: kiosk.core.techpin.hash_password / check_password (scrypt, the same line as the PIN).
Sessions: a random cookie value; only its sha256 is stored, so a copy of the database opens no
session. A session expires after `idle_s` without use and `absolute_s` after log-in. Each session
has its own CSRF token, required on every POST (form field `csrf` or header `X-CSRF-Token`).
Roles are ordered: viewer < operator < admin; the server checks the role on every action.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from kiosk_fleet.console.db import Audit, User, WebSession
from kiosk.core.techpin import check_password, hash_password  # noqa: F401 - the one scrypt home, used here and by callers

ROLES = ("viewer", "operator", "admin")
def role_at_least(role: str, needed: str) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def add_user(session: Session, name: str, password: str, role: str, now: float) -> User:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not name or len(name) > 64 or len(password) < 10:
        raise ValueError("user names are 1-64 characters; passwords at least 10")
    user = session.get(User, name)
    if user is None:
        user = User(name=name, pw_hash=hash_password(password), role=role, created_at=now)
        session.add(user)
    else:
        user.pw_hash, user.role = hash_password(password), role
    return user


# A fixed hash to check against when the user does not exist, so a missing user takes as long
# as a wrong password (no user enumeration by timing).
_DUMMY = hash_password("not-a-password", b"\0" * 16)


@dataclass(frozen=True)
class Who:
    user: str
    role: str
    csrf: str


class Sessions:
    def __init__(self, idle_s: float = 30 * 60, absolute_s: float = 12 * 3600, touch_s: float = 60.0) -> None:
        # last_used is written at most every touch_s: a session idle for idle_s - touch_s may
        # expire up to touch_s early, and an open overview costs no write a second per operator.
        self.idle_s, self.absolute_s, self.touch_s = idle_s, absolute_s, touch_s

    @staticmethod
    def _hash(token: str) -> str:
        return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()

    def login(self, session: Session, name: str, password: str, now: float) -> str | None:
        user = session.get(User, name)
        if not check_password(password, user.pw_hash if user else _DUMMY) or user is None:
            audit(session, now, name[:64] or "?", "login_failed")
            return None
        token = secrets.token_urlsafe(32)
        session.add(WebSession(token_hash=self._hash(token), user=user.name, csrf=secrets.token_urlsafe(24),
                               created_at=now, last_used=now))
        # Expired sessions go at each log-in: the table stays small without a cron job.
        session.execute(delete(WebSession).where((WebSession.last_used < now - self.idle_s)
                                                 | (WebSession.created_at < now - self.absolute_s)))
        audit(session, now, user.name, "login")
        return token

    def check(self, session: Session, token: str | None, now: float) -> Who | None:
        if not token:
            return None
        ws = session.get(WebSession, self._hash(token))
        if ws is None:
            return None
        if ws.last_used < now - self.idle_s or ws.created_at < now - self.absolute_s:
            session.delete(ws)
            return None
        user = session.get(User, ws.user)
        if user is None:
            return None
        if now - ws.last_used >= self.touch_s:
            ws.last_used = now  # not on every request: the overview refreshes every second
        return Who(user.name, user.role, ws.csrf)

    def logout(self, session: Session, token: str | None) -> None:
        if token:
            session.execute(delete(WebSession).where(WebSession.token_hash == self._hash(token)))


def csrf_ok(who: Who, supplied: str | None) -> bool:
    return bool(supplied) and hmac.compare_digest(who.csrf, str(supplied))


def audit(session: Session, now: float, user: str, action: str, target: str = "", detail: Any = None) -> None:
    text = detail if isinstance(detail, str) else json.dumps(detail, sort_keys=True, default=str) if detail else ""
    session.add(Audit(at=now, user=user, action=action, target=target[:128], detail=text[:4000]))
