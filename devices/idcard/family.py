"""The resident ID card reader as a device family (see devices/registry.py).

URLs: serial:///dev/ttyUSB0?baud=115200, rfc2217://host:port, a bare /dev/... path, sim:// (the
reader simulator on a pseudo-terminal, reached through a stable link in the simulator's folder;
no card in it until someone presents one).
"""
from __future__ import annotations

from typing import Any

from devices.registry import BuildContext, DeviceFamily
from devices.status import DeviceStatus


def build(url: str, ctx: BuildContext) -> Any:
    from devices.idcard.reader import IdCardReader

    return IdCardReader(url, on_card=ctx.events.read, on_removed=ctx.events.removed)


def simulate(ctx: BuildContext) -> Any:
    from devices.idcard.simulator import IdCardSimulator

    link = ctx.folder() / "reader"
    sim = IdCardSimulator(card=None, link=link)
    sim.start()
    ctx.keep_sim(sim, sim.stop)
    return build(str(link), ctx)


def self_test(driver: Any, timeout_s: float) -> DeviceStatus:
    driver.open()  # its self-test asks the SAM over an open port
    return driver.self_test()


FAMILY = DeviceFamily(
    name="idcard", schemes=("serial://", "rfc2217://", "/dev/"),
    build=build, simulate=simulate, self_test=self_test, cli="kiosk.terminal.commands.idcard")
