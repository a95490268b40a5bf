"""The idle rule, as pure logic: after `idle_s` without a touch the citizen is warned; after a
further `grace_s` (at least 20 s, WCAG 2.2.1) without a touch the session ends."""
from __future__ import annotations

ACTIVE, WARNING, EXPIRED = "active", "warning", "expired"


class IdleMonitor:
    def __init__(self, clock, idle_s: float, grace_s: float) -> None:  # noqa: ANN001 - any Clock
        self.clock = clock
        self.idle_s, self.grace_s = idle_s, grace_s
        self.last_touch = clock.monotonic()
        self.state = ACTIVE

    def touch(self) -> None:
        self.last_touch = self.clock.monotonic()
        self.state = ACTIVE

    def seconds_left(self) -> float:
        return max(0.0, self.last_touch + self.idle_s + self.grace_s - self.clock.monotonic())

    def tick(self, armed: bool) -> str:
        """`armed` is False while nothing of the citizen's is at stake (start screen, waiting
        for the kiosk itself): time spent then does not count against them."""
        if not armed:
            self.last_touch = self.clock.monotonic()
            self.state = ACTIVE
            return self.state
        idle = self.clock.monotonic() - self.last_touch
        if idle >= self.idle_s + self.grace_s:
            self.state = EXPIRED
        elif idle >= self.idle_s:
            self.state = WARNING
        else:
            self.state = ACTIVE
        return self.state
