"""Device families: the one place that says which devices exist, which URLs each takes, and how
each is built, simulated and self-tested.

A family lives in its folder: `devices/<folder>/family.py` defines `FAMILY = DeviceFamily(...)`,
and one line in BUILTIN below registers it. Everything that deals with devices asks here: the
device hub of the running terminal (kiosk/runtime/devicehub.py), diagnostics (kiosk/diag/probes.py),
config validation (which URLs a `[devices]` key accepts), the headless rig (kiosk/demo/rig.py) and
the `kiosk device ...` / `kiosk sim ...` commands. A family registered at run time with
`register(DeviceFamily(...))` is seen by all of them.

A device URL is `none` (not fitted; only for optional families), `sim://` (start the family's
simulator and drive it with the real driver, so the demo runs the production code path), or one
of the family's `schemes` (the real device).

Importing this module and the family modules is cheap (config validation runs at start-up):
drivers and simulators are imported inside the build functions.
"""
from __future__ import annotations

import contextlib
import importlib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from devices.status import DeviceStatus

NONE, SIM = "none", "sim://"

# The built-in families, one registration line each (the family itself is in its folder).
BUILTIN = (
    "devices.printer.family",
    "devices.idcard.family",
    "devices.smartcard.family",
    "devices.scanner.family",
    "devices.a4printer.family",
)


def _ignore(*args: Any) -> None:
    return None


@dataclass(frozen=True)
class Events:
    """What a built driver reports to whoever built it: the hub puts these on the bus, diag and
    the CLI ignore them. Values are citizens' data: pass them on, never log them."""

    read: Callable[[Any], None] = _ignore  # a card read, a code decoded
    removed: Callable[[], None] = _ignore  # the card left the reader
    error: Callable[[str], None] = _ignore  # a read failed: a stable reason code


@dataclass
class BuildContext:
    """What building one device may use. Simulators, temporary folders and ports opened for
    `sim://` are closed by `resources`; simulators are also kept in `sims` under the device's
    name, for whoever drives them (the demo's simulator panel, the headless rig)."""

    name: str
    resources: contextlib.ExitStack
    events: Events = field(default_factory=Events)
    sim_dir: Path | None = None  # the simulator's own folder (receipts it renders, its port link)
    shaper: Any = None  # the printer's text shaper (kiosk.i18n.receipt_shaper.SHAPER)
    sims: dict[str, Any] = field(default_factory=dict)

    def folder(self) -> Path:
        """`sim_dir`, created; without one, a temporary folder removed with the resources."""
        if self.sim_dir is not None:
            self.sim_dir.mkdir(parents=True, exist_ok=True)
            return self.sim_dir
        path = Path(tempfile.mkdtemp(prefix=f"kiosk-{self.name}-"))
        self.resources.callback(shutil.rmtree, path, ignore_errors=True)
        return path

    def keep_sim(self, sim: Any, stop: Callable[[], Any]) -> None:
        self.sims[self.name] = sim
        self.resources.callback(stop)


@dataclass(frozen=True)
class DeviceFamily:
    name: str  # the [devices] key and the device's name everywhere (bus, diag, dashboard)
    schemes: tuple[str, ...]  # URL prefixes `build` takes, e.g. ("tcp://", "serial://")
    build: Callable[[str, BuildContext], Any]  # the real driver for such a URL
    simulate: Callable[[BuildContext], Any] | None = None  # sim://: start the simulator, return the real driver on it
    self_test: Callable[[Any, float], DeviceStatus] | None = None  # within about timeout_s; default below
    supervise: Callable[[Any], Any] | None = None  # what a Supervisor runs (None: the driver; its poll() is the loop)
    optional: bool = True  # "none" is allowed
    default_url: str = NONE  # when the config does not name the device
    cli: str | None = None  # module with register(device_sub, sim_sub) for `kiosk device/sim ...`

    def accepted(self) -> tuple[str, ...]:
        """Every URL form this family takes, for config validation and error messages."""
        return (((NONE,) if self.optional else ()) + ((SIM,) if self.simulate is not None else ())
                + self.schemes)

    def accepts(self, url: str) -> bool:
        if url == NONE:
            return self.optional
        if url == SIM:
            return self.simulate is not None
        return url.startswith(self.schemes)


class UnsupportedDeviceUrl(ValueError):
    """No family builds this device from this URL; `reason` is a stable code."""

    reason = "bad_url"


FAMILIES: dict[str, DeviceFamily] = {}
_builtin_loaded = False


def _load_builtin() -> None:
    global _builtin_loaded
    if _builtin_loaded:
        return
    _builtin_loaded = True
    for module in BUILTIN:
        register(importlib.import_module(module).FAMILY)


def register(family: DeviceFamily) -> DeviceFamily:
    _load_builtin()
    if family.name in FAMILIES and FAMILIES[family.name] is not family:
        raise ValueError(f"device family {family.name!r} registered twice")
    FAMILIES[family.name] = family
    return family


def unregister(name: str) -> None:
    """Take a family out again (tests that add a throw-away one)."""
    FAMILIES.pop(name, None)


def families() -> tuple[DeviceFamily, ...]:
    _load_builtin()
    return tuple(FAMILIES.values())


def names() -> tuple[str, ...]:
    return tuple(f.name for f in families())


def get(name: str) -> DeviceFamily | None:
    _load_builtin()
    return FAMILIES.get(name)


def build(name: str, url: str, ctx: BuildContext) -> Any:
    """The driver for a configured device. Raises UnsupportedDeviceUrl for a URL the family does
    not take (and for "none": a device not fitted has no driver)."""
    family = get(name)
    if family is None:
        raise UnsupportedDeviceUrl(f"unknown device {name!r} (known: {', '.join(names())})")
    if url == SIM and family.simulate is not None:
        return family.simulate(ctx)
    if url != NONE and url.startswith(family.schemes):
        return family.build(url, ctx)
    raise UnsupportedDeviceUrl(f"{name} {url!r}: use {', '.join(u for u in family.accepted() if u != NONE)}")


def self_test(name: str, driver: Any, timeout_s: float) -> DeviceStatus:
    """Exercise a built driver the way its family says (may raise; the caller closes it)."""
    family = get(name)
    if family is not None and family.self_test is not None:
        return family.self_test(driver, timeout_s)
    test = getattr(driver, "self_test", None)
    return test() if test is not None else driver.status()


def supervised(name: str, driver: Any) -> Any:
    """What a devices.supervisor.Supervisor should run for this driver."""
    family = get(name)
    return family.supervise(driver) if family is not None and family.supervise is not None else driver
