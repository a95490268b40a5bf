"""Keeps a driver alive: opens it, watches it, reopens it with backoff when it fails, and
reports every status change. One loop per device that never dies (the Odoo IoT box idea).

A driver is anything with `open()`, `close()`, `status() -> DeviceStatus` and optionally
`poll()` (one unit of work; raises when the device is gone). Time comes from injected
`monotonic`/`sleep`, so tests drive it without waiting.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from devices.status import FAULT, OK, DeviceStatus

log = logging.getLogger(__name__)


class Supervisor:
    def __init__(self, name: str, driver: Any, on_status: Callable[[str, DeviceStatus], None] | None = None,
                 backoff_s: float = 1.0, max_backoff_s: float = 30.0,
                 monotonic: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] | None = None) -> None:
        self.name, self.driver = name, driver
        self.on_status = on_status or (lambda name, status: None)
        self.backoff_s, self.max_backoff_s = backoff_s, max_backoff_s
        self.monotonic = monotonic
        self._stop = threading.Event()
        self.sleep = sleep or (lambda s: self._stop.wait(s))
        self._status = DeviceStatus(FAULT, "not_opened", "not opened yet", monotonic())
        self._failures = 0
        self._thread: threading.Thread | None = None
        self.reopens = 0

    @property
    def status(self) -> DeviceStatus:
        return self._status

    def report(self, status: DeviceStatus) -> None:
        """A status learned outside the loop (a print job that just failed, a technician's
        check): published at once instead of at the next poll."""
        self._set(status)

    def _set(self, status: DeviceStatus) -> None:
        if (status.state, status.reason) != (self._status.state, self._status.reason):
            status = DeviceStatus(status.state, status.reason, status.detail, self.monotonic())
            self._status = status
            log.info("%s: %s %s", self.name, status.state, status.reason)
            try:
                self.on_status(self.name, status)
            except Exception:  # noqa: BLE001 - a listener bug must not kill the device loop
                log.exception("%s: status listener failed", self.name)

    def step(self) -> None:
        """One iteration: open if needed, poll, or close and back off after a failure."""
        try:
            if self._status.reason in ("not_opened", "reopening") or self._status.state == FAULT and self._failures:
                self.driver.open()
                self.reopens += 1 if self._failures else 0
            poll = getattr(self.driver, "poll", None)
            if poll is not None:
                poll()
            self._failures = 0
            self._set(self.driver.status())
        except Exception as e:  # noqa: BLE001 - any driver failure is a fault with a reason
            self._failures += 1
            reason = getattr(e, "reason", None) or type(e).__name__
            self._set(DeviceStatus(FAULT, str(reason), str(e)[:200]))
            try:
                self.driver.close()
            except Exception:  # noqa: BLE001
                log.debug("%s: close after failure failed", self.name, exc_info=True)
            delay = min(self.max_backoff_s, self.backoff_s * (2 ** (self._failures - 1)))
            self.sleep(delay)

    def run(self) -> None:
        while not self._stop.is_set():
            self.step()
            if self._status.state == OK or self._failures == 0:
                self.sleep(0.0 if getattr(self.driver, "poll", None) else 0.5)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name=f"supervisor-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        try:
            self.driver.close()
        except Exception:  # noqa: BLE001
            pass


class StatusPoller:
    """Adapts a driver that has no loop of its own to run (a printer used per job, a serial
    scanner reading in its own thread) to the Supervisor's loop: its status is read every
    `every_s`, not in a tight loop."""

    def __init__(self, driver: Any, every_s: float = 5.0, wait: Callable[[float], Any] | None = None) -> None:
        self.driver, self.every_s = driver, every_s
        self._wait = wait or time.sleep
        self._first = True

    def open(self) -> None:
        opener = getattr(self.driver, "open", None)  # an in-memory printer has nothing to open
        if opener is not None:
            opener()
        self._first = True

    def close(self) -> None:
        self.driver.close()

    def status(self) -> DeviceStatus:
        return self.driver.status()

    def poll(self) -> None:
        if not self._first:
            self._wait(self.every_s)
        self._first = False
