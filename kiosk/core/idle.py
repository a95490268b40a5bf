"""The idle rule, as pure logic: after `idle_s` without a touch the citizen is warned; after a
further `grace_s` (at least 20 s, WCAG 2.2.1) without a touch the session ends.

Speech mode (issue 16) sets longer limits with `set_limits` and asks `due_announcement` during the
warning, so the seconds left are said again every few seconds (a person who cannot see the
countdown hears it); any key press is a touch and continues."""
from __future__ import annotations

ACTIVE, WARNING, EXPIRED = "active", "warning", "expired"


class IdleMonitor:
    def __init__(self, clock, idle_s: float, grace_s: float) -> None:  # noqa: ANN001 - any Clock
        self.clock = clock
        self.idle_s, self.grace_s = idle_s, grace_s
        self.last_touch = clock.monotonic()
        self.state = ACTIVE
        self._announced_at: float | None = None

    def set_limits(self, idle_s: float, grace_s: float) -> None:
        """New limits from now on (speech mode on or off); time already idle keeps counting."""
        self.idle_s, self.grace_s = idle_s, grace_s

    def due_announcement(self, every_s: float) -> bool:
        """During the warning: True once when it starts and then every `every_s` seconds."""
        if self.state != WARNING:
            self._announced_at = None
            return False
        now = self.clock.monotonic()
        if self._announced_at is None or now - self._announced_at >= every_s:
            self._announced_at = now
            return True
        return False

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
