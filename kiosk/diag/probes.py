"""Diagnostics for technicians and for the updater's health check: is every configured device
answering, is the platform reachable, is the journal writable - and since when not.

`run_diag(cfg)` opens each configured device from its URL (`device_factory`), runs its
self-test in a worker thread with a deadline (a hung driver cannot hang the diagnosis), asks the
platform for its health and opens the journal. The report is JSON-ready: dates are ISO strings,
never epoch numbers; no photo, card content or raw card bytes is ever read, let alone reported.

`sim://` here means "start that device's simulator and test the real driver against it", so
the demo exercises the production code path. `none` (or no key) means not configured: the
device is left out of the report and does not make the diagnosis fail.

The running kiosk holds its serial ports exclusively: while it runs, `kiosk diag` from a shell
reports the ID card reader as "busy". In technician mode the app passes its supervisors' live
statuses instead (`run_diag(cfg, statuses=...)`).
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import platform as pyplatform
import sqlite3
import sys
import threading
import time
import tomllib
import zipfile
from dataclasses import dataclass
from importlib import metadata
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import parse_qs, urlsplit, urlunsplit

from devices.status import DEGRADED, FAULT, OK, DeviceStatus
from kiosk import __version__
from kiosk.core.logs import log_files, mask_text, mask_value

log = logging.getLogger(__name__)

DEVICE_NAMES = ("printer", "idcard", "sscard", "scanner")
DEFAULT_TIMEOUT_S = 8.0
NOT_CONFIGURED = ("", "none")
VPCD_READER = "Virtual PCD"  # the reader name vsmartcard-vpcd gives pcscd
JOURNAL_FILE = "journal.sqlite3"  # the name kiosk/runtime/services.py gives it


class DiagError(Exception):
    """A device cannot even be built from its configuration; `reason` is a stable code."""

    reason = "diag_error"

    def __init__(self, detail: str, reason: str | None = None) -> None:
        super().__init__(detail)
        if reason:
            self.reason = reason


class UnsupportedDeviceUrl(DiagError):
    reason = "bad_url"


# -- configuration -----------------------------------------------------------------------------

def configured_devices(cfg: Any) -> dict[str, str]:
    """name -> URL for every configured device. getattr: the config grows these keys over time,
    and diag must work with the config of any version."""
    devices = getattr(cfg, "devices", None)
    out: dict[str, str] = {}
    for name in DEVICE_NAMES:
        url = getattr(devices, name, None)
        if isinstance(url, str) and url.strip().lower() not in NOT_CONFIGURED:
            out[name] = url.strip()
    return out


def redact_url(url: str) -> str:
    """A URL without a password in it (user:pass@host)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable url>"
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


# -- devices -----------------------------------------------------------------------------------

def device_factory(name: str, url: str, resources: contextlib.ExitStack) -> Any:
    """The driver for a configured device URL. Simulators started for `sim://` are stopped by
    `resources`. Raises UnsupportedDeviceUrl for a URL no driver understands."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if name == "printer":
        return _printer(url, scheme, resources)
    if name == "idcard":
        return _idcard(url, scheme, resources)
    if name == "sscard":
        return _sscard(url, scheme)
    if name == "scanner":
        return _scanner(url, scheme, resources)
    raise UnsupportedDeviceUrl(f"unknown device {name!r} (known: {', '.join(DEVICE_NAMES)})")


def _printer(url: str, scheme: str, resources: contextlib.ExitStack) -> Any:
    if scheme == "memory":
        from devices.printer.memory import MemoryPrinter

        return MemoryPrinter()
    if scheme == "sim":
        from devices.printer.emulator import PrinterEmulator

        emulator = PrinterEmulator()
        url = emulator.start()
        resources.callback(emulator.stop)
        scheme = "tcp"
    if scheme in ("tcp", "serial", "usb", "file"):
        from devices.printer.driver import EscPosPrinter
        from kiosk.i18n.receipt_shaper import SHAPER

        return EscPosPrinter(url, shaper=SHAPER)
    raise UnsupportedDeviceUrl(f"printer {url!r}: use tcp://, serial://, usb://, file://, memory:// or sim://")


def _idcard(url: str, scheme: str, resources: contextlib.ExitStack) -> Any:
    from devices.idcard.reader import IdCardReader

    if scheme == "sim":
        from devices.idcard.simulator import IdCardSimulator

        sim = IdCardSimulator()  # no card in it: the self-test asks the SAM only
        path = sim.start()
        resources.callback(sim.stop)
        return IdCardReader(path)
    if scheme in ("serial", "rfc2217") or url.startswith("/dev/"):
        return IdCardReader(url)
    raise UnsupportedDeviceUrl(f"idcard {url!r}: use serial:///dev/ttyUSB0?baud=115200 or sim://")


def _sscard(url: str, scheme: str) -> Any:
    from devices.smartcard.reader import SmartCardReader

    if scheme == "sim":
        # The virtual card lives in pcscd through vpcd; the reader exists with or without a card.
        return SmartCardReader(VPCD_READER)
    if scheme == "pcsc":
        query = parse_qs(urlsplit(url).query)
        return SmartCardReader(query.get("reader", [""])[-1])
    raise UnsupportedDeviceUrl(f"sscard {url!r}: use pcsc://?reader=NAME or sim://")


def _scanner(url: str, scheme: str, resources: contextlib.ExitStack) -> Any:
    if scheme == "sim":
        from devices.scanner.serial_scanner import SerialScanner
        from devices.scanner.serial_sim import ScannerSimulator

        sim = ScannerSimulator()
        resources.callback(sim.close)
        return SerialScanner(f"serial://{sim.path}")
    if scheme == "serial":
        from devices.scanner.serial_scanner import SerialScanner

        return SerialScanner(url)
    if scheme in ("camera", "file", "rtsp"):
        from devices.scanner.camera import FrameSource

        return FrameSource(url, watchdog=False)
    raise UnsupportedDeviceUrl(f"scanner {url!r}: use camera://N, file:///path, serial:///dev/ttyACM0 or sim://")


def _instance_of(obj: Any, module: str, cls: str) -> bool:
    # Only modules already imported are asked: checking for a camera must not import OpenCV.
    # A module another probe thread is still importing may not define the class yet; then no
    # object can be an instance of it either.
    kind = getattr(sys.modules.get(module), cls, None)
    return isinstance(kind, type) and isinstance(obj, kind)


def _failed(e: BaseException) -> DeviceStatus:
    reason = str(getattr(e, "reason", "") or type(e).__name__)
    return DeviceStatus(FAULT, reason, str(e)[:200], time.monotonic())


def self_test(driver: Any, timeout_s: float) -> DeviceStatus:
    """Exercise one driver the way it has to be exercised, then close it. Never raises."""
    if isinstance(getattr(driver, "status_timeout_s", None), (int, float)):
        # A printer that says nothing is "not responding" within our bound, not abandoned.
        driver.status_timeout_s = min(driver.status_timeout_s, max(0.5, timeout_s * 0.8))
    try:
        if _instance_of(driver, "devices.scanner.camera", "FrameSource"):
            return _frame_test(driver, timeout_s)
        if _instance_of(driver, "devices.idcard.reader", "IdCardReader"):
            driver.open()  # its self-test asks the SAM over an open port
        test = getattr(driver, "self_test", None)
        return test() if test is not None else driver.status()
    except Exception as e:  # noqa: BLE001 - every driver failure is a fault with a reason
        return _failed(e)
    finally:
        close = getattr(driver, "close", None)
        if close is not None:
            try:
                close()
            except Exception:  # noqa: BLE001
                log.debug("close after self-test failed", exc_info=True)


def _frame_test(source: Any, timeout_s: float) -> DeviceStatus:
    from devices.scanner.camera import EndOfStream

    source.open()
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            if source.read(min(0.5, timeout_s)) is not None:
                return DeviceStatus(OK, "", "frames arriving", time.monotonic())
    except EndOfStream:
        return DeviceStatus(OK, "", "file source readable", time.monotonic())
    return DeviceStatus(FAULT, "no_frames", f"no frame within {timeout_s:g} s", time.monotonic())


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
            probe.status = self_test(driver, timeout_s)

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
        out["detail"] = mask_text(f"{type(e).__name__}: {e}"[:200])
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
        out["detail"] = mask_text(f"{type(e).__name__}: {e}"[:300])
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
        out["detail"] = mask_text(f"{type(e).__name__}: {e}"[:300])
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


# -- the diagnostics bundle --------------------------------------------------------------------
# What a technician sends to the vendor: enough to find the fault, nothing about any citizen.
# Everything free-form (logs, incident details) passes through kiosk.core.logs.mask_text again here:
# the logs were masked when written, but a bundle must be safe even for a log written by an
# older version or copied in by hand.

SECRET_WORDS = ("password", "passwd", "secret", "pin", "token", "key", "credential")
REDACTED = "<redacted>"
LOG_BUNDLE_MAX_BYTES = 20 * 1024 * 1024  # newest logs first, up to this much
BUNDLE_INCIDENTS = 200
KEY_PACKAGES = ("kivy", "requests", "pyserial", "pyscard", "python-escpos", "opencv-python-headless",
                "pyzbar", "numpy", "pillow", "babel", "tuf", "securesystemslib", "paho-mqtt", "segno")


def is_secret_key(key: object) -> bool:
    k = str(key).lower()
    return any(word in k for word in SECRET_WORDS)


def redact_text(value: str) -> str:
    """A string that may be a URL: no password, no secret-looking query parameter."""
    if "://" not in value:
        return value
    url = redact_url(value)
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    pairs = [p.split("=", 1) for p in parts.query.split("&")]
    query = "&".join(f"{p[0]}={REDACTED}" if len(p) == 2 and is_secret_key(p[0]) else "=".join(p) for p in pairs)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def redact(obj: Any) -> Any:
    """Config data with every value under a secret-looking key replaced, at any depth."""
    if isinstance(obj, dict):
        return {k: (REDACTED if is_secret_key(k) else redact(v)) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [redact(v) for v in obj]
    if isinstance(obj, str):
        return redact_text(obj)
    return obj


def config_plain(obj: Any) -> Any:
    """A config object (dataclasses, or any object with attributes) as plain JSON data."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: config_plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): config_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [config_plain(v) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    if hasattr(obj, "__dict__"):
        return {k: config_plain(v) for k, v in vars(obj).items() if not k.startswith("_")}
    return str(obj)


def config_files(cfg: Any) -> dict[str, Any]:
    """The TOML files the config came from, parsed and redacted (never their raw text: a comment
    or a malformed line could hold a secret)."""
    out: dict[str, Any] = {}
    for name in str(getattr(cfg, "source", "")).split(" + "):
        path = Path(name.strip())
        if not name.strip() or name.startswith("<") or not path.is_file():
            continue
        try:
            with path.open("rb") as f:
                out[str(path)] = redact(tomllib.load(f))
        except (OSError, tomllib.TOMLDecodeError) as e:
            out[str(path)] = {"error": f"cannot read: {type(e).__name__}"}
    return out


def versions() -> dict[str, Any]:
    packages: dict[str, str | None] = {}
    for name in ("kiosk", *KEY_PACKAGES):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    out: dict[str, Any] = {"kiosk": __version__, "python": sys.version.split()[0],
                           "implementation": pyplatform.python_implementation(),
                           "os": pyplatform.platform(), "packages": packages}
    root = Path(os.environ.get("KIOSK_INSTALL_ROOT", "/opt/kiosk"))
    current = root / "current"
    if current.is_symlink():
        out["release"] = Path(os.readlink(current)).name
    return out


def mask_log_line(line: str) -> str:
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            # Through the parsed object, so \\u-escaped text is seen (and masked) as what it is.
            return json.dumps(mask_value(json.loads(stripped)), ensure_ascii=False) + "\n"
        except ValueError:
            pass
    return mask_text(line.rstrip("\n")) + "\n"


def masked_logs(data_dir: Path, max_bytes: int = LOG_BUNDLE_MAX_BYTES) -> list[tuple[str, str]]:
    """(name, masked text) for each log file, newest first, within max_bytes of source."""
    out: list[tuple[str, str]] = []
    budget = max_bytes
    for path in log_files(data_dir):
        if budget <= 0:
            break
        try:
            with path.open("r", encoding="utf-8", errors="replace") as f:
                raw = f.read(budget)
        except OSError:
            continue
        budget -= len(raw.encode("utf-8", errors="replace"))
        out.append((path.name, "".join(mask_log_line(line) for line in raw.splitlines())))
    return out


@dataclass(frozen=True)
class Bundle:
    path: Path
    members: list[str]
    report: DiagReport | None


def make_bundle(cfg: Any, out: str | Path, *, data_dir: str | Path | None = None,
                timeout_s: float = DEFAULT_TIMEOUT_S, probe: bool = True,
                statuses: Mapping[str, DeviceStatus] | None = None,
                factory: Callable[[str, str, contextlib.ExitStack], Any] | None = None) -> Bundle:
    """Write the diagnostics zip (atomically: a half-written bundle never looks complete)."""
    base = Path(data_dir).expanduser() if data_dir is not None else Path(cfg.terminal.data_dir).expanduser()
    out = Path(out)
    report = run_diag(cfg, timeout_s=timeout_s, data_dir=base, statuses=statuses, factory=factory) if probe else None
    jpath = journal_path(cfg, base)
    journal: dict[str, Any] = {"stats": None, "recent_incidents": recent_incidents(jpath, BUNDLE_INCIDENTS)}
    if report is not None:
        journal["stats"] = report.data["journal"].get("stats")
    elif jpath.is_file():
        journal["stats"] = check_journal(jpath).get("stats")
    terminal = getattr(cfg, "terminal", None)
    members: dict[str, str] = {
        "versions.json": _dump(versions()),
        "config.json": _dump({"effective": redact(config_plain(cfg)), "files": config_files(cfg)}),
        "journal.json": _dump(journal),
    }
    if report is not None:
        members["status.json"] = _dump(report.data)
    for name, text in masked_logs(base):
        members[f"logs/{name}"] = text
    manifest = {"created_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                "terminal": getattr(terminal, "id", None), "hall": getattr(terminal, "hall", None),
                "kiosk": __version__, "members": sorted(members)}
    members["manifest.json"] = _dump(manifest)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name in sorted(members):
            z.writestr(name, members[name])
    os.replace(tmp, out)
    return Bundle(out, sorted(members), report)


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
