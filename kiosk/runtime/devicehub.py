"""The terminal's devices, built from config URLs, each kept alive by a Supervisor, reporting
status changes and what they read on the bus. `sim://` starts the device's protocol-true
simulator and drives it with the real driver (the demo profile), so the demo runs the real
serial, TCP and decode paths; the simulators are kept here for the demo's simulator panel.

Bus topics: "device.status" {name, status}, "device.idcard" {record}, "device.sscard" {record},
"device.card_removed" {source}, "device.card_error" {source, reason}, "device.code" {code}.
"""
from __future__ import annotations

import logging
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

from devices.status import FAULT, OK, DeviceStatus
from devices.supervisor import Supervisor

log = logging.getLogger(__name__)

NAMES = ("printer", "idcard", "sscard", "scanner")


class StatusPoller:
    """Adapts a driver that is used on demand (a printer) to the Supervisor's poll loop: its
    status is read every `every_s`, not in a tight loop."""

    def __init__(self, driver: Any, every_s: float = 5.0, wait: Callable[[float], Any] | None = None) -> None:
        self.driver, self.every_s = driver, every_s
        self._wait = wait or time.sleep
        self._first = True

    def open(self) -> None:
        self.driver.open()
        self._first = True

    def close(self) -> None:
        self.driver.close()

    def status(self) -> DeviceStatus:
        return self.driver.status()

    def poll(self) -> None:
        if not self._first:
            self._wait(self.every_s)
        self._first = False


class SimCamera:
    """The camera is the one device that cannot run here: frames come from the simulator panel
    (a blank view, or an image with a code on it) and go through the real decoder."""

    def __init__(self) -> None:
        import numpy as np

        self._blank = np.full((480, 640), 235, dtype=np.uint8)
        self._frame = self._blank
        self._lock = threading.Lock()

    def show(self, image: Any | None) -> None:
        with self._lock:
            self._frame = self._blank if image is None else image

    def show_code(self, text: str) -> None:
        import io

        import numpy as np
        import segno
        from PIL import Image

        buf = io.BytesIO()
        segno.make_qr(text, error="m").save(buf, kind="png", scale=6, border=4)
        buf.seek(0)
        img = np.array(Image.open(buf).convert("L"))
        frame = np.full((480, 640), 235, dtype=np.uint8)
        h, w = min(img.shape[0], 440), min(img.shape[1], 600)
        y, x = (480 - h) // 2, (640 - w) // 2
        frame[y:y + h, x:x + w] = img[:h, :w]
        self.show(frame)

    # the cv2.VideoCapture subset FrameSource uses
    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return True

    def read(self) -> tuple[bool, Any]:
        time.sleep(1 / 15)  # a camera delivers frames at its pace, not as fast as we ask
        with self._lock:
            frame = self._frame.copy()
        # A real sensor never gives two identical frames; the stall detector relies on that.
        self._tick = (getattr(self, "_tick", 0) + 1) % 256
        frame[0, 0] = self._tick
        return True, frame

    def release(self) -> None:
        pass

    def get(self, prop: int) -> float:
        return 0.0

    def set(self, prop: int, value: float) -> bool:
        return True


class DeviceHub:
    def __init__(self, devices_config: Any, post: Callable[..., None], data_dir: Path,
                 shaper: Any = None) -> None:
        self.cfg = devices_config
        self.post = post
        self.data_dir = Path(data_dir)
        self.shaper = shaper
        self.drivers: dict[str, Any] = {}
        self.sims: dict[str, Any] = {}
        self.supervisors: dict[str, Supervisor] = {}
        self._statuses: dict[str, DeviceStatus] = {}

    # -- building ------------------------------------------------------------------------------
    def url(self, name: str) -> str:
        return getattr(self.cfg, name, "none") or "none"

    def build(self) -> None:
        for name in NAMES:
            url = self.url(name)
            if url == "none":
                continue
            try:
                driver = getattr(self, f"_build_{name}")(url)
            except Exception as e:  # noqa: BLE001 - a device that cannot be built is a fault, not a crash
                log.error("%s: cannot build from %s: %s", name, url, type(e).__name__)
                self._statuses[name] = DeviceStatus(FAULT, "not_built", type(e).__name__, time.monotonic())
                continue
            self.drivers[name] = driver

    def _build_printer(self, url: str) -> Any:
        if url == "memory://":
            from devices.printer.memory import MemoryPrinter

            return MemoryPrinter()
        from devices.printer.driver import EscPosPrinter

        if url == "sim://":
            from devices.printer.emulator import PrinterEmulator

            out = self.data_dir / "printer-sim"
            out.mkdir(parents=True, exist_ok=True)
            emulator = PrinterEmulator(port=0, out_dir=out)
            url = emulator.start()
            self.sims["printer"] = emulator
        return EscPosPrinter(url, shaper=self.shaper)

    def _build_idcard(self, url: str) -> Any:
        from devices.idcard.reader import IdCardReader

        if url == "sim://":
            from devices.idcard.simulator import IdCardSimulator

            link = Path(tempfile.mkdtemp(prefix="kiosk-idcard-")) / "reader"
            sim = IdCardSimulator(card=None, link=link)
            sim.start()
            self.sims["idcard"] = sim
            url = str(link)
        return IdCardReader(url, on_card=lambda record: self.post("device.idcard", record=record),
                            on_removed=lambda: self.post("device.card_removed", source="idcard"))

    def _build_sscard(self, url: str) -> Any:
        from urllib.parse import parse_qs, urlparse

        from devices.smartcard.reader import SmartCardReader

        reader = ""
        if url.startswith("pcsc://"):
            reader = parse_qs(urlparse(url).query).get("reader", [""])[0]
        return SmartCardReader(reader, on_card=lambda record: self.post("device.sscard", record=record),
                               on_removed=lambda: self.post("device.card_removed", source="sscard"),
                               on_read_error=lambda e: self.post("device.card_error", source="sscard",
                                                                 reason=getattr(e, "reason", type(e).__name__)))

    def _build_scanner(self, url: str) -> Any:
        from devices.scanner.camera import FrameSource
        from devices.scanner.scanner import CameraScanner

        if url == "sim://":
            camera = SimCamera()
            self.sims["scanner"] = camera
            source = FrameSource("camera://0", capture_factory=lambda spec: camera)
        else:
            source = FrameSource(url)
        return CameraScanner(source, on_code=lambda code: self.post("device.code", code=code))

    # -- running -----------------------------------------------------------------------------
    def start(self) -> None:
        for name, driver in self.drivers.items():
            target = StatusPoller(driver) if name == "printer" else driver
            sup = Supervisor(name, target, on_status=self._status_changed)
            self.supervisors[name] = sup
            sup.start()

    def _status_changed(self, name: str, status: DeviceStatus) -> None:
        self._statuses[name] = status
        self.post("device.status", name=name, status=status)

    def refresh(self, name: str) -> DeviceStatus | None:
        """Read a device's status now (blocking: not on the UI thread with a real device)."""
        driver, sup = self.drivers.get(name), self.supervisors.get(name)
        if driver is None or sup is None:
            return self.status(name)
        sup.report(driver.status())
        return self.status(name)

    def status(self, name: str) -> DeviceStatus | None:
        if name in self._statuses:
            return self._statuses[name]
        if name in self.drivers:
            return DeviceStatus(FAULT, "starting", "opening", time.monotonic())
        return None

    def statuses(self) -> dict[str, DeviceStatus]:
        return {name: s for name in NAMES if (s := self.status(name)) is not None}

    def stop(self) -> None:
        for sup in self.supervisors.values():
            sup.stop(timeout=2.0)
        for name, sim in self.sims.items():
            stop = getattr(sim, "stop", None)
            if stop is not None:
                try:
                    stop()
                except Exception:  # noqa: BLE001
                    log.debug("%s simulator stop failed", name, exc_info=True)
