"""The console's half of gated rollouts: sign, with the narrow `rollout` key only, which groups
of each rollout are open, and hand the file to the repository host (kiosk_fleet/rollout_role.py).

Open groups: running or paused — every group up to the current one (pausing stops the next group
from opening, not the ones already open); done — all groups; halted or aborted — none: the entry
disappears, so terminals that have not installed yet no longer may (a halt really stops the
rollout, it does not only stop the console asking). Re-signed whenever that changes and every
`renew_s` (the signature lives DEFAULT_TTL_S; if the console dies, admissions lapse within a day
and the rollout simply waits).
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from securesystemslib.signer import CryptoSigner
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk_fleet import rollout_role
from kiosk_fleet.console.db import Rollout

log = logging.getLogger(__name__)

Sink = Callable[[bytes, Mapping[str, bytes]], None]  # (rollout.json, {rollouts/<v>.json: bytes})


def admissions(db: Session) -> list[dict[str, Any]]:
    """One entry per version (the newest rollout of a version decides)."""
    by_version: dict[str, dict[str, Any]] = {}
    for r in db.scalars(select(Rollout).order_by(Rollout.id)):
        groups = r.groups or []
        if r.state in ("halted", "aborted") or not groups:
            by_version.pop(r.version, None)
            continue
        open_groups = groups if r.state == "done" else groups[:r.current_group + 1]
        by_version[r.version] = {"version": r.version, "rollout": r.id, "prefix": r.prefix or "",
                                 "open": [dict(g) for g in open_groups]}
    return [by_version[v] for v in sorted(by_version)]


class Gate:
    def __init__(self, signer: CryptoSigner, sink: Sink, *, renew_s: float = 6 * 3600,
                 ttl_s: float = rollout_role.DEFAULT_TTL_S) -> None:
        self.signer, self.sink, self.renew_s, self.ttl_s = signer, sink, renew_s, ttl_s
        self.last: str | None = None
        self.last_at = 0.0
        self.version = 0

    def maybe_publish(self, db: Session, now: float) -> bool:
        entries = admissions(db)
        key = json.dumps(entries, sort_keys=True)
        if key == self.last and now - self.last_at < self.renew_s:
            return False
        # The metadata version must grow across console restarts too: derive it from the clock.
        self.version = max(self.version + 1, int(now))
        data, files = rollout_role.sign_admissions(self.signer, self.version, entries,
                                                   now=datetime.fromtimestamp(now, timezone.utc), ttl_s=self.ttl_s)
        self.sink(data, files)
        self.last, self.last_at = key, now
        log.info("rollout admissions v%d signed: %s", self.version, key[:300])
        return True
