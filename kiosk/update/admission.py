"""Admissions: may this terminal install a staged release yet?

A release published with `ring: "staged"` (signed by the offline `targets` key like any other)
is installed only when the delegated role `rollout` — whose key the fleet console holds, scoped
by the targets metadata to `rollouts/*` only — signs an unexpired `rollouts/<version>.json` entry
whose groups include this terminal. The entry's signed `custom`:

    {"kind": "admission", "version": "1.5.0", "rollout": 7, "prefix": "ganzi-",
     "open": [{"group": "pilot", "halls": ["ganzi-luhuo"]}, {"group": "wave1", "percent": 20}]}

A terminal is admitted when its id starts with `prefix` and it is in any open group: its hall
(the id without its sequence number) is listed, or its bucket (rings.bucket) is below `percent`.
ngclient verifies the role's signature, its version against the snapshot, and its expiry; on top
of that the terminal refuses a role that claims to live longer than MAX_ADMISSION_S (a console
key must not be able to sign a long-lived admission and then be rotated out too late).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from tuf.api import exceptions as tuf_errors
from tuf.api.metadata import Metadata, Snapshot, Targets
from tuf.ngclient import Updater as NgUpdater

from kiosk.update import rings
from kiosk.update.errors import MetadataRejected
from kiosk.update.tuf_client import tuf_errors_as_ours

ROLE = "rollout"
PATH_PREFIX = "rollouts/"
MAX_ADMISSION_S = 48 * 3600  # the console signs for 24 h; a day of slack for clocks and uploads
MAX_GROUPS = 64


@dataclass(frozen=True)
class Admission:
    admitted: bool
    reason: str  # machine code: admitted / not_in_open_groups / no_admission / admission_expired / ...


def hall_of(terminal_id: str) -> str:
    """'ganzi-luhuo-0003' -> 'ganzi-luhuo' (the console's hall for an id without an inventory)."""
    head, sep, _seq = terminal_id.rpartition("-")
    return head if sep else terminal_id


def check_entry(custom: Mapping[str, Any]) -> None:
    """Raise ValueError unless `custom` is a well-formed admission (used on both sides)."""
    if custom.get("kind") != "admission" or not rings.is_version(str(custom.get("version", ""))):
        raise ValueError("admission: kind must be 'admission' and version a version")
    if not isinstance(custom.get("prefix", ""), str):
        raise ValueError("admission: prefix must be a string")
    groups = custom.get("open")
    if not isinstance(groups, list) or len(groups) > MAX_GROUPS:
        raise ValueError(f"admission: open must be a list of at most {MAX_GROUPS} groups")
    for g in groups:
        if not isinstance(g, dict):
            raise ValueError("admission: a group is an object")
        halls, pct = g.get("halls", []), g.get("percent", 0)
        if not (isinstance(halls, list) and all(isinstance(h, str) for h in halls)):
            raise ValueError("admission: halls must be a list of names")
        if isinstance(pct, bool) or not isinstance(pct, (int, float)) or not 0 <= pct <= 100:
            raise ValueError("admission: percent must be a number in [0, 100]")


def admits(custom: Mapping[str, Any], terminal_id: str) -> bool:
    if not terminal_id.startswith(str(custom.get("prefix", ""))):
        return False
    hall, bucket = hall_of(terminal_id), rings.bucket(terminal_id)
    return any(hall in g.get("halls", []) or bucket < float(g.get("percent", 0)) for g in custom["open"])


def check(tuf: NgUpdater, metadata_dir: Path, version: str, terminal_id: str,
          now: datetime | None = None) -> Admission:
    """After tuf.refresh(): is `terminal_id` admitted to install `version`? A missing or expired
    admission is a plain no (the console stopped renewing: the rollout waits); a forged, malformed
    or over-long one raises MetadataRejected (somebody is tampering)."""
    now = now or datetime.now(timezone.utc)
    try:
        snapshot = Metadata[Snapshot].from_file(str(metadata_dir / "snapshot.json"))
    except Exception as e:  # noqa: BLE001 - ngclient just verified and wrote it
        raise MetadataRejected(f"verified snapshot unreadable: {e}") from e
    if f"{ROLE}.json" not in snapshot.signed.meta:
        return Admission(False, "no_admission")
    try:
        with tuf_errors_as_ours("metadata"):
            try:
                info = tuf.get_targetinfo(f"{PATH_PREFIX}{version}.json")
            except tuf_errors.ExpiredMetadataError:
                return Admission(False, "admission_expired")
    except MetadataRejected as e:
        raise MetadataRejected(f"admission for {version} refused: {e}") from e
    if info is None:
        return Admission(False, "no_admission")
    try:
        role = Metadata[Targets].from_file(str(metadata_dir / f"{ROLE}.json"))
    except Exception as e:  # noqa: BLE001
        raise MetadataRejected(f"verified {ROLE} metadata unreadable: {e}") from e
    if role.signed.expires > now + timedelta(seconds=MAX_ADMISSION_S):
        raise MetadataRejected(f"admission for {version} refused: valid until {role.signed.expires:%Y-%m-%d %H:%M}, "
                               f"more than {MAX_ADMISSION_S // 3600} h ahead")
    custom = info.custom if isinstance(info.custom, dict) else {}
    try:
        check_entry(custom)
    except ValueError as e:
        raise MetadataRejected(f"admission for {version} refused: {e}") from e
    if custom["version"] != version:
        raise MetadataRejected(f"admission for {version} names {custom['version']}")
    return Admission(True, "admitted") if admits(custom, terminal_id) else Admission(False, "not_in_open_groups")
