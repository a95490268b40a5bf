"""The terminal's devices, built from config URLs through the device registry
(devices/registry.py), each kept alive by a Supervisor, reporting status changes and what they
read on the bus. `sim://` starts the device's protocol-true simulator and drives it with the real
driver (the demo profile), so the demo runs the real serial, TCP and decode paths; the simulators
are kept in `sims` for the demo's simulator panel.

Bus events (kiosk/core/events.py): DeviceStatusChanged, DeviceRead (a card record, a code, or a
new family's value, with the device name as its source), CardRemoved, CardError.
"""
from __future__ import annotations

import contextlib
import logging
import time
from pathlib import Path
from typing import Any, Callable

from devices import registry
from devices.status import FAULT, DeviceStatus
from devices.supervisor import Supervisor
from kiosk.core.events import CardError, CardRemoved, DeviceRead, DeviceStatusChanged

log = logging.getLogger(__name__)


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
        self._resources = contextlib.ExitStack()  # the simulators started for sim://
        self.built = False

    # -- building ------------------------------------------------------------------------------
    def url(self, name: str) -> str:
        return getattr(self.cfg, name, "none") or "none"

    def build(self) -> None:
        if self.built:
            return
        self.built = True
        for name in registry.names():
            url = self.url(name)
            if url == "none":
                continue
            try:
                driver = registry.build(name, url, self._context(name))
            except Exception as e:  # noqa: BLE001 - a device that cannot be built is a fault, not a crash
                log.error("%s: cannot build from %s: %s", name, url, type(e).__name__)
                self._statuses[name] = DeviceStatus(FAULT, "not_built", type(e).__name__, time.monotonic())
                continue
            self.drivers[name] = driver

    def _context(self, name: str) -> registry.BuildContext:
        events = registry.Events(
            read=lambda value: self.post(DeviceRead(name, value)),
            removed=lambda: self.post(CardRemoved(name)),
            error=lambda reason: self.post(CardError(name, reason)))
        return registry.BuildContext(name, self._resources, events, sim_dir=self.data_dir / f"{name}-sim",
                                     shaper=self.shaper, sims=self.sims)

    # -- running -----------------------------------------------------------------------------
    def start(self) -> None:
        self.build()  # a hub built lazily (the app builds it after its first frame)
        for name, driver in self.drivers.items():
            sup = Supervisor(name, registry.supervised(name, driver), on_status=self._status_changed)
            self.supervisors[name] = sup
            sup.start()

    def _status_changed(self, name: str, status: DeviceStatus) -> None:
        self._statuses[name] = status
        self.post(DeviceStatusChanged(name, status))

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
        if name in self.drivers or (not self.built and self.url(name) != "none"):
            return DeviceStatus(FAULT, "starting", "opening", time.monotonic())
        return None

    def statuses(self) -> dict[str, DeviceStatus]:
        return {name: s for name in registry.names() if (s := self.status(name)) is not None}

    def stop(self) -> None:
        for sup in self.supervisors.values():
            sup.stop(timeout=2.0)
        try:
            self._resources.close()  # simulators last: the drivers above were using them
        except Exception:  # noqa: BLE001
            log.debug("simulator stop failed", exc_info=True)
