"""The code scanner as a device family (see devices/registry.py).

URLs: camera://N, file:///path (an image or a video), rtsp://... (a camera decoded here with
zbar), serial:///dev/ttyACM0?... (a 2D scanner module that decodes itself), sim:// (a simulated
camera showing what the demo's simulator panel puts in front of it, decoded by the real decoder).
"""
from __future__ import annotations

import time
from typing import Any

from devices.registry import BuildContext, DeviceFamily
from devices.status import FAULT, OK, DeviceStatus


def build(url: str, ctx: BuildContext) -> Any:
    if url.startswith("serial://"):
        from devices.scanner.serial_scanner import SerialScanner

        return SerialScanner(url, on_code=ctx.events.read)
    from devices.scanner.camera import FrameSource
    from devices.scanner.scanner import CameraScanner

    return CameraScanner(FrameSource(url), on_code=ctx.events.read)


def simulate(ctx: BuildContext) -> Any:
    from devices.scanner.camera import FrameSource
    from devices.scanner.scanner import CameraScanner
    from devices.scanner.sim_camera import SimCamera

    camera = SimCamera()
    ctx.keep_sim(camera, camera.release)
    return CameraScanner(FrameSource("camera://0", capture_factory=lambda spec: camera), on_code=ctx.events.read)


def self_test(driver: Any, timeout_s: float) -> DeviceStatus:
    source = getattr(driver, "source", None)
    if source is None:  # a serial module: the port opens
        return driver.self_test()
    from devices.scanner.camera import EndOfStream

    driver.decoder  # noqa: B018 - no zbar is a fault of this device, found before the camera spins up
    source.open()
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            if source.read(min(0.5, timeout_s)) is not None:
                return DeviceStatus(OK, "", "frames arriving", time.monotonic())
    except EndOfStream:
        return DeviceStatus(OK, "", "file source readable", time.monotonic())
    return DeviceStatus(FAULT, "no_frames", f"no frame within {timeout_s:g} s", time.monotonic())


def supervise(driver: Any) -> Any:
    if hasattr(driver, "source"):
        return driver  # a camera scanner: the supervisor's loop decodes frame after frame
    from devices.supervisor import StatusPoller

    return StatusPoller(driver)  # a serial module reads in its own thread: only its status is watched


FAMILY = DeviceFamily(
    name="scanner", schemes=("camera://", "file://", "rtsp://", "serial://"),
    build=build, simulate=simulate, self_test=self_test, supervise=supervise,
    cli="kiosk.terminal.commands.scanner")
