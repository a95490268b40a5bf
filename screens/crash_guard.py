"""A bug in a tap must not take the kiosk down. Kivy's main loop hands every exception raised
while it dispatches events (touches, clock callbacks) to its ExceptionManager; without a
handler the loop stops and the process exits to a black screen. This handler hands the error to
the app (which journals an incident and shows the failsafe screen) and lets the loop go on.

One handler per process (Kivy's manager is global); the newest window's root is its target.
A storm of errors (more than BURST within BURST_WINDOW_S) is not recovered from: the loop
stops, and systemd restarts a clean process rather than a kiosk that fails every frame."""
from __future__ import annotations

import logging
from typing import Callable

from kivy.base import ExceptionHandler, ExceptionManager

log = logging.getLogger(__name__)

BURST, BURST_WINDOW_S = 5, 10.0


class CrashGuard(ExceptionHandler):
    def __init__(self) -> None:
        super().__init__()
        self.recover: Callable[[BaseException], None] | None = None
        self.monotonic: Callable[[], float] = lambda: 0.0
        self._recent: list[float] = []

    def handle_exception(self, inst: BaseException) -> int:
        if self.recover is None or not isinstance(inst, Exception):  # KeyboardInterrupt, SystemExit
            return ExceptionManager.RAISE
        now = self.monotonic()
        self._recent = [t for t in self._recent if now - t < BURST_WINDOW_S] + [now]
        if len(self._recent) > BURST:
            log.critical("%d errors within %.0f s: stopping for a clean restart", len(self._recent), BURST_WINDOW_S)
            return ExceptionManager.RAISE
        try:
            self.recover(inst)
        except Exception as e:  # noqa: BLE001 - recovery failed: stop, systemd restarts the kiosk
            log.critical("recovery from %s failed: %s", type(inst).__name__, type(e).__name__)
            return ExceptionManager.RAISE
        return ExceptionManager.PASS


GUARD = CrashGuard()


def install(recover: Callable[[BaseException], None], monotonic: Callable[[], float]) -> CrashGuard:
    GUARD.recover, GUARD.monotonic = recover, monotonic
    GUARD._recent.clear()
    if GUARD not in ExceptionManager.handlers:
        ExceptionManager.add_handler(GUARD)
    return GUARD
