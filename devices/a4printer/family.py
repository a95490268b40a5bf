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
    from devices.a4printer.localcups import LocalCups

    cups = LocalCups(ctx.folder())
    cups.start()
    ctx.keep_sim(cups, cups.stop)
    cups.add_queue(SIM_QUEUE)
    return build(f"cups://{SIM_QUEUE}?server={cups.socket}", ctx)


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
