"""Delivers queued submissions (evaluations, journal records) to the platform. Nothing is lost
while it is down; nothing is duplicated when it returns (each item keeps its idempotency key)."""
from __future__ import annotations

import logging
from typing import Any

from kiosk.platform.api import PlatformError, PlatformRejected

log = logging.getLogger(__name__)


class OutboxSender:
    def __init__(self, journal: Any, platform: Any, clock: Any, base_backoff_s: float = 5.0,
                 max_backoff_s: float = 600.0) -> None:
        self.journal, self.platform, self.clock = journal, platform, clock
        self.base_backoff_s, self.max_backoff_s = base_backoff_s, max_backoff_s
        self._paused_until = 0.0  # the platform is down: nobody tries before this

    def deliver_due(self, limit: int = 20) -> tuple[int, int]:
        """Try every item that is due; returns (delivered, failed). Safe to call from a worker."""
        delivered = failed = 0
        if self.clock.monotonic() < self._paused_until:
            return delivered, failed
        for item in self.journal.outbox_due(self.clock.monotonic(), limit):
            try:
                self.platform.submit(item["kind"], item["payload"], item["idempotency_key"])
            except PlatformRejected as e:
                # The platform will never accept this one: park it far away and tell the technician.
                self.journal.outbox_failed(item["id"], f"rejected:{e.code}", self.clock.monotonic() + self.max_backoff_s)
                failed += 1
            except PlatformError as e:
                delay = min(self.max_backoff_s, self.base_backoff_s * (2 ** item["attempts"]))
                self.journal.outbox_failed(item["id"], e.reason, self.clock.monotonic() + delay)
                self._paused_until = self.clock.monotonic() + delay
                failed += 1
                break  # the platform is down: don't hammer it with the rest
            else:
                self.journal.outbox_delivered(item["id"])
                delivered += 1
        return delivered, failed
