"""The technician PIN: stored as a salted scrypt hash, checked in constant time, locked out
after repeated failures.

Stored form (one line, safe in TOML): `scrypt$N$r$p$salt_b64$hash_b64`. scrypt because it is in
the standard library (hashlib, OpenSSL) and memory-hard: a PIN has little entropy, so a stolen
site.toml must make each guess expensive. N=2**14, r=8 costs ~16 MB and some 50 ms on a terminal
CPU: invisible to a technician, slow for a brute force of the config file.

A technician card works the same way: its card number (as the social security card reader reads
it) is stored hashed like a PIN, and a card presented on the entry screen counts against the
same lock-out as a PIN typed there.

The lock-out protects the touch screen: after `max_failures` wrong PINs in a row, every try is
refused for `lockout_s` without even being checked, so a passer-by cannot probe PINs at night.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from typing import Callable, Literal, Protocol, Sequence

SCHEME = "scrypt"
DEFAULT_N, DEFAULT_R, DEFAULT_P = 2 ** 14, 8, 1
SALT_BYTES, HASH_BYTES = 16, 32
PIN_MIN, PIN_MAX = 6, 16
# Bounds on parameters read from a config file: a hostile or mistyped N must not freeze the
# terminal or exhaust its memory.
MAX_N, MAX_R, MAX_P = 2 ** 20, 32, 16

Outcome = Literal["ok", "wrong", "locked"]


class PinError(ValueError):
    """Base of the PIN errors."""


class PinFormatError(PinError):
    """A new PIN does not meet the rules (digits only, PIN_MIN to PIN_MAX of them)."""


class PinHashError(PinError):
    """The stored hash is not `scrypt$N$r$p$salt$hash` with sane parameters (a config error)."""


def check_pin_format(pin: str) -> str:
    # Digits only: the technician types it on the touch screen's number pad.
    if not isinstance(pin, str) or not pin.isascii() or not pin.isdigit():
        raise PinFormatError("the PIN must be digits only")
    if not PIN_MIN <= len(pin) <= PIN_MAX:
        raise PinFormatError(f"the PIN must have {PIN_MIN} to {PIN_MAX} digits")
    if len(set(pin)) == 1 or pin in "01234567890123456789" or pin in "98765432109876543210":
        raise PinFormatError("the PIN must not be one repeated digit or a run like 123456")
    return pin


CARD_MIN, CARD_MAX = 6, 32


def normalize_card(number: str) -> str:
    """A card number as stored and compared: ASCII letters and digits, upper case."""
    text = number.strip().upper() if isinstance(number, str) else ""
    if not text.isascii() or not text.isalnum() or not CARD_MIN <= len(text) <= CARD_MAX:
        raise PinFormatError(f"a card number is {CARD_MIN} to {CARD_MAX} letters and digits")
    return text


def hash_card(number: str, *, n: int = DEFAULT_N, salt: bytes | None = None) -> str:
    """The line to store in terminal.technician_card_hashes."""
    return _hash_secret(normalize_card(number), n, DEFAULT_R, DEFAULT_P, salt)


def verify_card(number: str, stored: str) -> bool:
    try:
        text = normalize_card(number)
    except PinFormatError:
        text = ""
    return verify_pin(text, stored)


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    maxmem = 128 * r * (n + p + 2) + (1 << 20)
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def hash_pin(pin: str, *, n: int = DEFAULT_N, r: int = DEFAULT_R, p: int = DEFAULT_P,
             salt: bytes | None = None) -> str:
    """The line to store in the config. Raises PinFormatError for a weak or malformed PIN."""
    return _hash_secret(check_pin_format(pin), n, r, p, salt)


def _hash_secret(secret: str, n: int, r: int, p: int, salt: bytes | None) -> str:
    _check_params(n, r, p)
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    digest = _scrypt(secret, salt, n, r, p, HASH_BYTES)
    return f"{SCHEME}${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def _check_params(n: int, r: int, p: int) -> None:
    if n < 2 or n > MAX_N or n & (n - 1):
        raise PinHashError(f"scrypt N={n}: must be a power of two up to {MAX_N}")
    if not 1 <= r <= MAX_R or not 1 <= p <= MAX_P:
        raise PinHashError(f"scrypt r={r} p={p}: out of range")


def parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes]:
    """(N, r, p, salt, hash); raises PinHashError."""
    parts = stored.strip().split("$") if isinstance(stored, str) else []
    if len(parts) != 6 or parts[0] != SCHEME:
        raise PinHashError("expected scrypt$N$r$p$salt$hash (make one with: kiosk tech hash-pin)")
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, digest = _unb64(parts[4]), _unb64(parts[5])
    except (ValueError, binascii.Error):
        raise PinHashError("the numbers or base64 fields of the PIN hash are damaged") from None
    _check_params(n, r, p)
    if len(salt) < 8 or len(digest) < 16:
        raise PinHashError("the salt or hash of the PIN hash is too short")
    return n, r, p, salt, digest


def verify_pin(pin: str, stored: str) -> bool:
    """True when `pin` matches. The comparison is constant-time; a malformed PIN is just wrong,
    a malformed stored hash raises PinHashError (the config needs fixing, not the technician)."""
    n, r, p, salt, digest = parse_hash(stored)
    if not isinstance(pin, str) or not pin or len(pin) > 64:
        # Still hash something, so a malformed entry costs the same time as a wrong one.
        pin = "\0"
        _scrypt(pin, salt, n, r, p, len(digest))
        return False
    return hmac.compare_digest(_scrypt(pin, salt, n, r, p, len(digest)), digest)


def hash_password(password: str, salt: bytes | None = None) -> str:
    """A login password's stored form (the fleet console's and the help desk's staff): the same
    scrypt line as the PIN, without the PIN's digit rules."""
    return _hash_secret(password, DEFAULT_N, DEFAULT_R, DEFAULT_P, salt)


def check_password(password: str, stored: str) -> bool:
    """Constant-time check; a damaged stored hash is a failed login, never an exception."""
    try:
        n, r, p, salt, digest = parse_hash(stored)
    except PinHashError:
        return False
    return hmac.compare_digest(_scrypt(password, salt, n, r, p, len(digest)), digest)


class MonotonicClock(Protocol):
    def monotonic(self) -> float: ...


class PinGate:
    """Counts failures and locks out. `try_pin()` returns "ok", "wrong" or "locked"; while
    locked, `seconds_left` says for how long (the screen shows it). The failure that reaches
    `max_failures` already answers "locked". Success resets the count. State is in memory: a
    restart clears it, but a restart takes seconds and is journaled, so it is no shortcut."""

    def __init__(self, stored_hash: str, clock: MonotonicClock, max_failures: int = 5,
                 lockout_s: float = 300.0, card_hashes: Sequence[str] = ()) -> None:
        # Fail at start-up on a bad config, not at the first try. An empty PIN hash: cards only.
        for stored in ([stored_hash] if stored_hash else []) + list(card_hashes):
            parse_hash(stored)
        if max_failures < 1 or lockout_s <= 0:
            raise ValueError("max_failures must be >= 1 and lockout_s positive")
        self.stored_hash = stored_hash
        self.card_hashes = tuple(card_hashes)
        self.clock = clock
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self.failures = 0
        self._locked_until: float | None = None

    @property
    def seconds_left(self) -> float:
        if self._locked_until is None:
            return 0.0
        left = self._locked_until - self.clock.monotonic()
        if left <= 0:
            return 0.0
        return left

    @property
    def locked(self) -> bool:
        return self.seconds_left > 0

    def try_pin(self, pin: str) -> Outcome:
        return self._try(lambda: bool(self.stored_hash) and verify_pin(pin, self.stored_hash))

    def try_card(self, number: str) -> Outcome:
        # Every configured card is checked (no early exit), so the time says nothing about which.
        return self._try(lambda: any([verify_card(number, stored) for stored in self.card_hashes]))

    def is_card(self, number: str) -> bool:
        """A card read on the start screen: is it a technician's? Not counted as a try (a citizen's
        card there is no failed entry and must never lock the technician out); no early exit."""
        return bool(number) and any([verify_card(number, stored) for stored in self.card_hashes])

    def _try(self, check: Callable[[], bool]) -> Outcome:
        if self._locked_until is not None:
            if self.locked:
                return "locked"
            self._locked_until, self.failures = None, 0  # the lock ran out: a fresh count
        if check():
            self.failures = 0
            return "ok"
        self.failures += 1
        if self.failures >= self.max_failures:
            self._locked_until = self.clock.monotonic() + self.lockout_s
            return "locked"
        return "wrong"
