"""What the updater records and reports: `state.json` (the commit record) and the results of a
check, an apply and a content fetch. Plain data; the updater (kiosk/update/updater.py) writes it."""
from __future__ import annotations

import json
import time
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kiosk.core.durable import atomic_write_json
from kiosk.update.errors import UpdateError
from kiosk.update.health import HealthResult

log = logging.getLogger(__name__)

MARKER = ".kiosk-release.json"
KEEP_RELEASES = 3
MAX_INTERRUPTED = 2  # a version whose health check was cut short this often is marked bad


@dataclass
class UpdateState:
    current: str | None = None
    previous: str | None = None
    pending: str | None = None
    bad: list[str] = field(default_factory=list)
    interrupted: dict[str, int] = field(default_factory=dict)
    content: dict[str, str] = field(default_factory=dict)
    updated_at: int = 0

    @classmethod
    def load(cls, path: Path) -> UpdateState:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as e:
            # Written atomically, so this means manual damage; start from the symlink instead.
            log.warning("unreadable %s (%s); rebuilding from the current link", path, e)
            return cls()
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def save(self, path: Path) -> None:
        self.updated_at = int(time.time())
        atomic_write_json(path, asdict(self))


# -- results -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckResult:
    current: str | None
    available: str | None
    ring: str
    eligible: bool
    bucket: int
    release_ring: str | None = None
    admission: str | None = None  # for a staged release: admitted / not_in_open_groups / ...

    def to_dict(self) -> dict[str, Any]:
        return {"current": self.current, "available": self.available, "ring": self.ring,
                "eligible": self.eligible, "bucket": self.bucket, "release_ring": self.release_ring,
                "admission": self.admission}


@dataclass(frozen=True)
class ApplyResult:
    # up_to_date | waiting_idle | committed | rolled_back | failed
    outcome: str
    current: str | None
    version: str | None = None
    error: UpdateError | None = None
    health: HealthResult | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in ("up_to_date", "waiting_idle", "committed")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"outcome": self.outcome, "current": self.current, "version": self.version}
        if self.error is not None:
            out.update(self.error.to_dict())
        if self.health is not None:
            out["health"] = self.health.to_dict()
        return out


@dataclass(frozen=True)
class _Candidate:
    version: str
    ring: str
    path: str


@dataclass(frozen=True)
class ContentResult:
    kind: str
    version: str
    path: Path


