"""Version ordering and rollout rings.

A terminal's ring is a pure function of its id, so it never changes between runs or machines:
bucket = sha256(terminal_id) mod 100; the pilot ring is the buckets below the pilot percentage.
A release marked `pilot` reaches only pilot terminals; a release marked `stable` reaches all.
A release marked `staged` reaches nobody by its ring: only a signed, unexpired admission from the
delegated `rollout` role opens it, group by group (kiosk/update/admission.py). A terminal that
predates `staged` skips the unknown ring, so it never installs a staged release either.
"""
from __future__ import annotations

import hashlib
import re

RINGS = ("pilot", "stable", "staged")
_VERSION = re.compile(r"^\d{1,6}(\.\d{1,6}){0,3}$")


def parse_version(text: str) -> tuple[int, ...]:
    """'1.10.2' -> (1, 10, 2). Numeric dotted versions only: they sort without surprises."""
    if not isinstance(text, str) or not _VERSION.match(text):
        raise ValueError(f"not a version (expected digits and dots, e.g. 1.4.2): {text!r}")
    parts = tuple(int(p) for p in text.split("."))
    # 1.2 == 1.2.0: trailing zeros do not make a different version
    while len(parts) > 1 and parts[-1] == 0:
        parts = parts[:-1]
    return parts


def is_version(text: str) -> bool:
    try:
        parse_version(text)
    except ValueError:
        return False
    return True


def bucket(terminal_id: str) -> int:
    return int(hashlib.sha256(terminal_id.encode("utf-8")).hexdigest(), 16) % 100


def ring_percent(ring: str, pilot_percent: int) -> int:
    if ring == "pilot":
        return max(0, min(100, pilot_percent))
    if ring == "stable":
        return 100
    if ring == "staged":
        return 0  # gated by an admission, never by the bucket alone
    raise ValueError(f"unknown ring {ring!r} (known: {', '.join(RINGS)})")


def ring_of(terminal_id: str, pilot_percent: int) -> str:
    return "pilot" if bucket(terminal_id) < ring_percent("pilot", pilot_percent) else "stable"


def eligible(terminal_id: str, release_ring: str, pilot_percent: int) -> bool:
    return bucket(terminal_id) < ring_percent(release_ring, pilot_percent)
