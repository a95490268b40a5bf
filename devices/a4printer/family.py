"""The A4 printer as a device family (see devices/registry.py).

URLs: cups://<queue> (the terminal's cupsd), cups://<queue>?server=/path/to.sock or host:631,
sim:// (a private cupsd in the simulator's folder with one queue that writes each job's PDF
there: devices/a4printer/localcups.py). Optional: a terminal without one prints on receipts.
"""
from __future__ import annotations

from typing import Any

from devices.registry import BuildContext, DeviceFamily
from devices.status import DeviceStatus

SIM_QUEUE = "kiosk-a4"


def build(url: str, ctx: BuildContext) -> Any:
    from devices.a4printer.driver import CupsPrinter

    return CupsPrinter(url, ctx.shaper)


def simulate(ctx: BuildContext) -> Any:
    """The real driver on a private cupsd that starts when the driver is first used (opened by
    its supervisor after the first frame, or asked for its status by `kiosk diag`), so the
    start-up path does not wait for it. Where it cannot start (no cups, not root) the device is
    a fault with reason cups_unavailable, and documents go to the receipt printer."""
    from devices.a4printer.driver import CupsPrinter
    from devices.a4printer.localcups import LocalCups

    cups = LocalCups(ctx.folder())
    ctx.keep_sim(cups, cups.stop)

    class SimCupsPrinter(CupsPrinter):
        def _ensure(self) -> None:
            if not cups.running:
                cups.start()
                cups.add_queue(SIM_QUEUE)

        def open(self) -> None:
            self._ensure()
            super().open()

        def status(self) -> DeviceStatus:
            self._ensure()
            return super().status()

    return SimCupsPrinter(f"cups://{SIM_QUEUE}?server={cups.socket}", ctx.shaper)


def self_test(driver: Any, timeout_s: float) -> DeviceStatus:
    driver.client.timeout_s = min(driver.client.timeout_s, max(0.5, timeout_s / 4))
    driver.job_timeout_s = min(driver.job_timeout_s, max(1.0, timeout_s * 0.8))
    return driver.self_test()


def supervise(driver: Any) -> Any:
    from devices.supervisor import StatusPoller

    return StatusPoller(driver)  # used per print job: only its status is watched


FAMILY = DeviceFamily(
    name="a4printer", schemes=("cups://",), build=build, simulate=simulate, self_test=self_test,
    supervise=supervise, optional=True)
