"""The diagnosis beyond the devices: is the platform reachable, is the journal writable - and the
whole report (`run_diag`), JSON-ready: dates are ISO strings, never epoch numbers; no photo, card
content or raw card bytes is ever read, let alone reported. Used by `kiosk diag`, the technician
page, the fleet agent and the updater's health check.
"""
from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Mapping

from devices.status import DEGRADED, FAULT, OK, DeviceStatus
from kiosk import __version__
from kiosk.core.privacy import mask_text, redact_url
from kiosk.diag.probes import DEFAULT_TIMEOUT_S, configured_devices, probe_devices, status_json

log = logging.getLogger(__name__)

JOURNAL_FILE = "journal.sqlite3"  # the name kiosk/runtime/services.py gives it


def check_platform(cfg: Any, timeout_s: float = DEFAULT_TIMEOUT_S) -> dict[str, Any]:
    """Ask the platform for its health, once (no retries: diag reports, it does not insist).
    embedded:// starts the bundled demo server, as the app does."""
    from kiosk.platform.http_client import HttpPlatform

    p = cfg.platform
    url = p.url
    out: dict[str, Any] = {"status": FAULT, "url": redact_url(url), "detail": ""}
    server = None
    started = time.monotonic()
    try:
        if url == "embedded://":
            from kiosk.demo_platform.server import DemoPlatformServer

            server = DemoPlatformServer()
            url = server.start()
        client = HttpPlatform(url, connect_timeout_s=min(p.connect_timeout_s, timeout_s),
                              read_timeout_s=min(p.read_timeout_s, timeout_s), retries=0, backoff_s=0.0)
        try:
            health = client.health()
        finally:
            close = getattr(client, "close", None)
            if close is not None:
                close()
        state = str(health.get("status", ""))
        out["status"] = OK if state == "ok" else DEGRADED
        out["detail"] = "" if state == "ok" else f"platform says {state!r}"
        for key in ("service", "version", "time"):
            if isinstance(health.get(key), str):
                out[key if key != "time" else "server_time"] = health[key][:80]
    except Exception as e:  # noqa: BLE001 - unreachable, refused, garbage: all a fault with a reason
        out["detail"] = mask_text(f"{type(e).__name__}: {e}")[:200]
    finally:
        if server is not None:
            server.stop()
    out["latency_ms"] = round((time.monotonic() - started) * 1000)
    return out


def journal_path(cfg: Any, data_dir: str | Path | None = None) -> Path:
    base = Path(data_dir).expanduser() if data_dir is not None else Path(cfg.terminal.data_dir).expanduser()
    return base / JOURNAL_FILE


def check_journal(path: Path) -> dict[str, Any]:
    """Writable, schema version, statistics, the last incident's date."""
    from kiosk.core.journal import SCHEMA_VERSION, Journal

    out: dict[str, Any] = {"status": FAULT, "path": str(path), "writable": False,
                           "schema_version": None, "expected_schema_version": SCHEMA_VERSION, "detail": ""}
    try:
        journal = Journal(path)
    except Exception as e:  # noqa: BLE001 - newer schema, unreadable file, read-only disk
        out["detail"] = mask_text(f"{type(e).__name__}: {e}")[:300]
        return out
    try:
        out["writable"] = journal.writable()
        out["schema_version"] = journal.version
        out["stats"] = journal.stats()
        last = recent_incidents(path, 1)
        out["last_incident_at"] = last[0]["created_at"] if last else None
        if not out["writable"]:
            out["detail"] = "the journal cannot be written (disk full or read-only?)"
        else:
            out["status"] = OK
    except Exception as e:  # noqa: BLE001
        out["detail"] = mask_text(f"{type(e).__name__}: {e}")[:300]
    finally:
        journal.close()
        _give_back(path)
    return out


def _give_back(path: Path) -> None:
    """Run as root (a technician's sudo, the updater's health check), opening the journal may
    have created it or its -wal/-shm files owned by root, which the kiosk user then cannot
    write: hand them to the owner of the data directory."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    try:
        owner = path.parent.stat()
    except OSError:
        return
    if owner.st_uid == 0:
        return
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        f = path.with_name(name)
        try:
            if f.exists() and f.stat().st_uid != owner.st_uid:
                os.chown(f, owner.st_uid, owner.st_gid)
        except OSError:
            log.warning("could not give %s back to uid %d", f.name, owner.st_uid)


def recent_incidents(path: Path, limit: int = 100) -> list[dict[str, Any]]:
    """The newest incidents, newest first, details masked. A read-only connection of its own:
    diag never writes the journal beyond the writability probe, and never needs its internals."""
    if not path.is_file():
        return []
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
    try:
        rows = db.execute("SELECT id, kind, detail, created_at FROM incidents ORDER BY id DESC LIMIT ?",
                          (limit,)).fetchall()
    except sqlite3.Error:
        return []
    finally:
        db.close()
    return [{"id": r[0], "kind": mask_text(str(r[1])), "detail": mask_text(str(r[2])), "created_at": r[3]}
            for r in rows]


@dataclass(frozen=True)
class DiagReport:
    data: dict[str, Any]

    @property
    def ok(self) -> bool:
        devices_ok = all(d["status"] == OK for d in self.data["devices"].values())
        return devices_ok and self.data["platform"]["status"] == OK and self.data["journal"]["status"] == OK

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def problems(self) -> list[str]:
        """One line per thing that is not ok, for people."""
        out = [f"{n}: {d['status']}: {d['detail']}" for n, d in self.data["devices"].items() if d["status"] != OK]
        for part in ("platform", "journal"):
            if self.data[part]["status"] != OK:
                out.append(f"{part}: {self.data[part]['status']}: {self.data[part]['detail']}")
        return out


def run_diag(cfg: Any, *, timeout_s: float = DEFAULT_TIMEOUT_S, data_dir: str | Path | None = None,
             statuses: Mapping[str, DeviceStatus] | None = None,
             factory: Callable[[str, str, contextlib.ExitStack], Any] | None = None) -> DiagReport:
    """The whole diagnosis. `statuses`: live statuses from the running app's supervisors, used
    instead of opening the devices (which the app holds)."""
    devices = configured_devices(cfg)
    if statuses is not None:
        found = {n: s for n, s in statuses.items() if n in devices}
        missing = {n: u for n, u in devices.items() if n not in found}
        found.update(probe_devices(missing, timeout_s, factory) if missing else {})
    else:
        found = probe_devices(devices, timeout_s, factory)
    now_mono, now_wall = time.monotonic(), datetime.now().astimezone()
    report = {
        "version": __version__,
        "devices": {n: status_json(found[n], now_mono, now_wall) for n in devices},
        "platform": check_platform(cfg, timeout_s),
        "journal": check_journal(journal_path(cfg, data_dir)),
    }
    return DiagReport(report)
