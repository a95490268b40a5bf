"""Device probes for diagnostics: build each configured device from its URL, self-test it in a
worker thread with a deadline (a hung driver cannot hang the diagnosis), and the live statuses a
running kiosk publishes for a diagnosis from a shell.

`sim://` here means "start that device's simulator and test the real driver against it", so
the demo exercises the production code path. `none` (or no key) means not configured: the
device is left out of the report and does not make the diagnosis fail.

The running kiosk holds its serial ports exclusively: while it runs, `kiosk diag` from a shell
reports the ID card reader as "busy". In technician mode the app passes its supervisors' live
statuses instead (`run_diag(cfg, statuses=...)`, in kiosk.diag.checks).

The rest of the diagnosis: kiosk.diag.checks (platform, journal, the report), kiosk.diag.bundle
(the zip for the vendor).
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Mapping

from devices import registry
from devices.status import DEGRADED, FAULT, OK, DeviceStatus
from kiosk.core.privacy import mask_text

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 8.0
NOT_CONFIGURED = ("", "none")


# -- configuration -----------------------------------------------------------------------------

def configured_devices(cfg: Any) -> dict[str, str]:
    """name -> URL for every configured device. getattr: the config grows these keys over time,
    and diag must work with the config of any version."""
    devices = getattr(cfg, "devices", None)
    out: dict[str, str] = {}
    for name in registry.names():
        url = getattr(devices, name, None)
        if isinstance(url, str) and url.strip().lower() not in NOT_CONFIGURED:
            out[name] = url.strip()
    return out


# -- devices -----------------------------------------------------------------------------------

def device_factory(name: str, url: str, resources: contextlib.ExitStack) -> Any:
    """The driver for a configured device URL, built by its family (devices/registry.py) exactly
    as the running kiosk builds it. Simulators started for `sim://` are stopped by `resources`.
    Raises UnsupportedDeviceUrl for a URL the family does not take."""
    from kiosk.i18n.receipt_shaper import SHAPER

    return registry.build(name, url, registry.BuildContext(name, resources, shaper=SHAPER))


def _failed(e: BaseException) -> DeviceStatus:
    reason = str(getattr(e, "reason", "") or type(e).__name__)
    return DeviceStatus(FAULT, reason, str(e)[:200], time.monotonic())


def self_test(name: str, driver: Any, timeout_s: float) -> DeviceStatus:
    """Exercise one driver the way its family says, then close it. Never raises."""
    try:
        return registry.self_test(name, driver, timeout_s)
    except Exception as e:  # noqa: BLE001 - every driver failure is a fault with a reason
        return _failed(e)
    finally:
        close = getattr(driver, "close", None)
        if close is not None:
            try:
                close()
            except Exception:  # noqa: BLE001
                log.debug("close after self-test failed", exc_info=True)


@dataclass
class _Probe:
    name: str
    url: str
    status: DeviceStatus | None = None
    thread: threading.Thread | None = None


def probe_devices(devices: Mapping[str, str], timeout_s: float = DEFAULT_TIMEOUT_S,
                  factory: Callable[[str, str, contextlib.ExitStack], Any] | None = None) -> dict[str, DeviceStatus]:
    """Build and self-test every device in parallel, each bounded by `timeout_s`."""
    make = factory or device_factory
    probes = [_Probe(name, url) for name, url in devices.items()]

    def work(probe: _Probe) -> None:
        with contextlib.ExitStack() as resources:
            try:
                driver = make(probe.name, probe.url, resources)
            except Exception as e:  # noqa: BLE001 - a bad URL or a simulator that cannot start
                probe.status = _failed(e)
                return
            probe.status = self_test(probe.name, driver, timeout_s)

    for p in probes:
        p.thread = threading.Thread(target=work, args=(p,), name=f"diag-{p.name}", daemon=True)
        p.thread.start()
    deadline = time.monotonic() + timeout_s + 1.0  # the driver's own bound first, ours after
    out: dict[str, DeviceStatus] = {}
    for p in probes:
        assert p.thread is not None
        p.thread.join(max(0.0, deadline - time.monotonic()))
        if p.thread.is_alive() or p.status is None:
            # Abandoned, not killed: a call blocked in a driver cannot be interrupted. The
            # thread is a daemon and dies with the process.
            out[p.name] = DeviceStatus(FAULT, "self_test_timeout", f"no answer within {timeout_s:g} s",
                                       time.monotonic())
        else:
            out[p.name] = p.status
    return out


# -- the report --------------------------------------------------------------------------------

def _wall(monotonic_t: float, now_mono: float, now_wall: datetime) -> str:
    """A monotonic instant as a local ISO datetime (0.0: unknown, taken as now)."""
    if monotonic_t <= 0 or monotonic_t > now_mono:
        return now_wall.isoformat(timespec="seconds")
    return (now_wall - timedelta(seconds=now_mono - monotonic_t)).isoformat(timespec="seconds")


def status_json(status: DeviceStatus, now_mono: float | None = None, now_wall: datetime | None = None) -> dict[str, str]:
    """{"status", "detail", "since"} for one device."""
    now_mono = time.monotonic() if now_mono is None else now_mono
    now_wall = datetime.now().astimezone() if now_wall is None else now_wall
    state = status.state if status.state in (OK, DEGRADED, FAULT) else FAULT
    if status.reason and status.detail and status.detail != status.reason:
        detail = f"{status.reason}: {status.detail}"
    else:
        detail = status.reason or status.detail
    return {"status": state, "detail": mask_text(detail), "since": _wall(status.since, now_mono, now_wall)}


# -- live statuses from the running kiosk -----------------------------------------------------
# The kiosk holds its devices (serial ports exclusively, one TCP connection to the printer), so a
# diagnosis from a shell or from the updater's health check cannot open them while it runs. The
# app publishes its supervisors' statuses to a small file instead (on tmpfs under /run when
# systemd gives it a RuntimeDirectory, so the SD card is not worn), and diag reads it when fresh.

LIVE_STATUS_FILE = "devices.json"
LIVE_MAX_AGE_S = 60.0  # the app rewrites it at every watchdog ping (15 s) and status change
RUN_DIR = Path("/run/kiosk")


def live_status_path(data_dir: str | Path) -> Path:
    """Where the app writes its device statuses: /run/kiosk when it exists and is writable,
    else <data_dir>/run."""
    if RUN_DIR.is_dir() and os.access(RUN_DIR, os.W_OK):
        return RUN_DIR / LIVE_STATUS_FILE
    return Path(data_dir).expanduser() / "run" / LIVE_STATUS_FILE


def find_live_status(data_dir: str | Path, max_age_s: float = LIVE_MAX_AGE_S) -> dict[str, DeviceStatus] | None:
    """The fresh statuses a running kiosk published, wherever it could write them (a technician
    reading them cannot write /run/kiosk, so where *they* would write says nothing)."""
    for path in (RUN_DIR / LIVE_STATUS_FILE, Path(data_dir).expanduser() / "run" / LIVE_STATUS_FILE):
        found = read_live_status(path, max_age_s)
        if found is not None:
            return found
    return None


def write_live_status(path: str | Path, statuses: Mapping[str, DeviceStatus]) -> None:
    """Publish the app's device statuses (atomically: a reader never sees half a file)."""
    path = Path(path)
    now_mono, now_wall = time.monotonic(), datetime.now().astimezone()
    data = {"written_at": now_wall.isoformat(timespec="seconds"), "pid": os.getpid(),
            "devices": {n: {"state": s.state, "reason": s.reason, "detail": mask_text(s.detail)[:200],
                            "since": _wall(s.since, now_mono, now_wall)} for n, s in statuses.items()}}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def read_live_status(path: str | Path, max_age_s: float = LIVE_MAX_AGE_S) -> dict[str, DeviceStatus] | None:
    """The statuses a running kiosk published, or None when there are none, they are stale, or
    their writer is gone (a crashed kiosk's last words are not the devices' state now)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        written = datetime.fromisoformat(data["written_at"])
        pid = int(data["pid"])
        devices = data["devices"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    now_wall, now_mono = datetime.now().astimezone(), time.monotonic()
    if abs((now_wall - written).total_seconds()) > max_age_s or not _alive(pid):
        return None
    out: dict[str, DeviceStatus] = {}
    for name, d in devices.items():
        try:
            since = now_mono - (now_wall - datetime.fromisoformat(d["since"])).total_seconds()
            out[name] = DeviceStatus(str(d["state"]), str(d.get("reason", "")), str(d.get("detail", "")),
                                     max(since, 1e-6))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by the kiosk user
    return True

