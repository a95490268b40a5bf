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
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import parse_qs, urlsplit

from devices.status import DEGRADED, FAULT, OK, DeviceStatus
from kiosk.core.logs import mask_text

log = logging.getLogger(__name__)

DEVICE_NAMES = ("printer", "idcard", "sscard", "scanner")
DEFAULT_TIMEOUT_S = 8.0
NOT_CONFIGURED = ("", "none")
VPCD_READER = "Virtual PCD"  # the reader name vsmartcard-vpcd gives pcscd


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

