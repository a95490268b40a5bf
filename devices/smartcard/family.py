"""The social security card reader (PC/SC) as a device family (see devices/registry.py).

URLs: pcsc://?reader=NAME (the first reader whose name contains NAME), sim:// (the "Virtual PCD"
reader that Debian's vsmartcard-vpcd gives pcscd, with the project's virtual card, not inserted,
for the demo's simulator panel to insert). sim:// does not start pcscd: the tests' fixture and
`make run` start one with vpcd in its own network namespace (devices/smartcard/vpcd.py), since
vpcd listens on all interfaces of its namespace. Never vpcd on a production terminal
(deploy/README.md).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from devices.registry import BuildContext, DeviceFamily

VPCD_READER = "Virtual PCD"  # the reader name vsmartcard-vpcd gives pcscd


def _reader(substring: str, ctx: BuildContext) -> Any:
    from devices.smartcard.reader import SmartCardReader

    return SmartCardReader(substring, on_card=ctx.events.read, on_removed=ctx.events.removed,
                           on_read_error=lambda e: ctx.events.error(str(getattr(e, "reason", type(e).__name__))))


def build(url: str, ctx: BuildContext) -> Any:
    return _reader(parse_qs(urlsplit(url).query).get("reader", [""])[-1], ctx)


def simulate(ctx: BuildContext) -> Any:
    from devices.smartcard.virtual_card import VirtualCard

    card = VirtualCard()
    ctx.keep_sim(card, card.remove)
    return _reader(VPCD_READER, ctx)


FAMILY = DeviceFamily(name="sscard", schemes=("pcsc://",), build=build, simulate=simulate,
                      cli="kiosk.terminal.commands.smartcard")
