"""The receipt printer as a device family (see devices/registry.py).

URLs: tcp://host:9100, serial:///dev/ttyUSB0?baud=..., usb://vendor:product, file:///dev/usb/lp0,
memory:// (keeps documents in memory: tests, a terminal without paper), sim:// (the ESC/POS
emulator on a loopback port, rendering each receipt to PNG in the simulator's folder).
"""
from __future__ import annotations

from typing import Any

from devices.registry import BuildContext, DeviceFamily
from devices.status import DeviceStatus


def build(url: str, ctx: BuildContext) -> Any:
    if url.startswith("memory://"):
        from devices.printer.memory import MemoryPrinter

        return MemoryPrinter()
    from devices.printer.driver import EscPosPrinter

    return EscPosPrinter(url, shaper=ctx.shaper)


def simulate(ctx: BuildContext) -> Any:
    from devices.printer.emulator import PrinterEmulator

    emulator = PrinterEmulator(port=0, out_dir=ctx.folder() if ctx.sim_dir is not None else None)
    url = emulator.start()
    ctx.keep_sim(emulator, emulator.stop)
    return build(url, ctx)


def self_test(driver: Any, timeout_s: float) -> DeviceStatus:
    if isinstance(getattr(driver, "status_timeout_s", None), (int, float)):
        # A printer that says nothing is "not responding" within our bound, not abandoned.
        driver.status_timeout_s = min(driver.status_timeout_s, max(0.5, timeout_s * 0.8))
    test = getattr(driver, "self_test", None)
    return test() if test is not None else driver.status()


def supervise(driver: Any) -> Any:
    from devices.supervisor import StatusPoller

    return StatusPoller(driver)  # used per print job: only its status is watched


FAMILY = DeviceFamily(
    name="printer", schemes=("tcp://", "serial://", "usb://", "file://", "memory://"),
    build=build, simulate=simulate, self_test=self_test, supervise=supervise,
    optional=False, default_url="memory://", cli="kiosk.terminal.commands.printer")
