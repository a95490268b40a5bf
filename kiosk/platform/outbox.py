"""Delivers queued submissions (evaluations, journal records) to the platform. Nothing is lost
while it is down; nothing is duplicated when it returns (each item keeps its idempotency key).

Times stored in the journal are wall-clock epoch seconds (the monotonic clock restarts at boot);
the wall clock may jump either way, so a parked item is due again at the latest after
`max_backoff_s` of real waiting, whatever the clock said (see Journal.outbox_due). The pause
after an outage is in-process only and uses the monotonic clock."""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from kiosk.platform.api import PlatformError, PlatformRejected

log = logging.getLogger(__name__)


class OutboxSender:
    def __init__(self, journal: Any, platform: Any, clock: Any, base_backoff_s: float = 5.0,
                 max_backoff_s: float = 600.0) -> None:
        self.journal, self.platform, self.clock = journal, platform, clock
        self.base_backoff_s, self.max_backoff_s = base_backoff_s, max_backoff_s
        self._paused_until = 0.0  # monotonic: the platform is down, nobody tries before this
        self._running = threading.Lock()  # one delivery at a time: a slow platform holds one worker, not all

    @property
    def running(self) -> bool:
        return self._running.locked()

    def _wall(self) -> float:
        return self.clock.now().timestamp()

    def schedule(self, submit: Callable[[Callable[[], Any], Callable[[Any], None]], None]) -> bool:
        """Hand one delivery run to the worker pool, unless one is queued or running already.
        Returns whether a run was queued."""
        if not self._running.acquire(blocking=False):
            return False

        def run() -> tuple[int, int]:
            try:
                return self._deliver(20)
            finally:
                self._running.release()

        try:
            submit(run, lambda result: None)
        except BaseException:
            if self._running.locked():
                self._running.release()
            raise
        return True

    def deliver_due(self, limit: int = 20) -> tuple[int, int]:
        """Try every item that is due; returns (delivered, failed). Safe to call from a worker;
        returns (0, 0) at once when another delivery is running."""
        if not self._running.acquire(blocking=False):
            return 0, 0
        try:
            return self._deliver(limit)
        finally:
            self._running.release()

    def _deliver(self, limit: int) -> tuple[int, int]:
        delivered = failed = 0
        now_mono = self.clock.monotonic()
        if now_mono < self._paused_until:
            return delivered, failed
        for item in self.journal.outbox_due(self._wall(), limit, max_wait_s=self.max_backoff_s):
            try:
                self.platform.submit(item["kind"], item["payload"], item["idempotency_key"])
            except PlatformRejected as e:
                # The platform will never accept this one: park it far away and tell the technician.
                self.journal.outbox_failed(item["id"], f"rejected:{e.code}", self._wall() + self.max_backoff_s)
                failed += 1
            except PlatformError as e:
                delay = min(self.max_backoff_s, self.base_backoff_s * (2 ** min(int(item["attempts"]), 30)))
                self.journal.outbox_failed(item["id"], e.reason, self._wall() + delay)
                self._paused_until = self.clock.monotonic() + delay
                failed += 1
                break  # the platform is down: don't hammer it with the rest
            else:
                self.journal.outbox_delivered(item["id"])
                delivered += 1
        return delivered, failed
