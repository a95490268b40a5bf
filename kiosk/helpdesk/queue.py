"""The queue of kiosks waiting for a person, as pure logic with an injected clock.

Routing: most staff can help in Mandarin, few in Tibetan or Yi. A citizen who chose such a language
is offered first to staff who list it *first* among their languages (their strongest); only after
`fallback_s` does the call become visible to everyone else, so a Tibetan speaker is not answered by
someone who cannot talk to them while a Tibetan-speaking colleague is about to be free.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Callable

# Languages few staff speak: calls in them wait for a specialist first.
SPECIALIST_LANGUAGES = frozenset({"bo", "ii"})
WAITING, ACTIVE, ENDED = "waiting", "active", "ended"


@dataclass
class Staff:
    user: str
    role: str                      # agent | supervisor
    languages: tuple[str, ...]     # in order of strength; the first is the one routing looks at


@dataclass
class Call:
    id: str
    hall: str
    terminal: str
    language: str
    joined_at: float
    state: str = WAITING
    staff: str | None = None
    accepted_at: float | None = None
    ended_at: float | None = None
    outcome: str | None = None
    device: dict[str, str] = field(default_factory=dict)


class Queue:
    def __init__(self, clock: Callable[[], float] = time.monotonic, fallback_s: float = 60.0,
                 mean_handle_s: float = 240.0) -> None:
        self.clock, self.fallback_s, self.mean_handle_s = clock, fallback_s, mean_handle_s
        self.calls: dict[str, Call] = {}
        self._ids = itertools.count(1)
        self.handled: list[float] = []  # durations of ended calls, for the expected wait

    def join(self, hall: str, terminal: str, language: str, device: dict[str, str] | None = None) -> Call:
        # One place per terminal: a kiosk that reconnects after a server restart or a drop takes a
        # fresh place rather than holding two.
        for c in self.waiting():
            if c.terminal == terminal:
                self.end(c.id, "replaced")
        call = Call(f"C{next(self._ids):05d}", hall[:64], terminal[:64], language[:8], self.clock(),
                    device=dict(device or {}))
        self.calls[call.id] = call
        return call

    def waiting(self) -> list[Call]:
        return sorted((c for c in self.calls.values() if c.state == WAITING), key=lambda c: c.joined_at)

    def active(self) -> list[Call]:
        return [c for c in self.calls.values() if c.state == ACTIVE]

    def visible_to(self, staff: Staff, call: Call) -> bool:
        if staff.role == "supervisor":
            return True
        if call.language not in SPECIALIST_LANGUAGES:
            return True
        if staff.languages[:1] == (call.language,):
            return True
        return self.clock() - call.joined_at >= self.fallback_s

    def for_staff(self, staff: Staff) -> list[Call]:
        """The waiting calls this person sees, their specialist calls first."""
        mine = [c for c in self.waiting() if self.visible_to(staff, c)]
        return sorted(mine, key=lambda c: (staff.languages[:1] != (c.language,), c.joined_at))

    def place(self, call_id: str) -> int:
        """1 = next in line."""
        ids = [c.id for c in self.waiting()]
        return ids.index(call_id) + 1 if call_id in ids else 0

    def expected_wait_s(self, call_id: str, staff_online: int) -> float:
        mean = sum(self.handled[-20:]) / len(self.handled[-20:]) if self.handled else self.mean_handle_s
        return round(max(0, self.place(call_id) - 1) * mean / max(1, staff_online) + (0 if staff_online else mean))

    def accept(self, call_id: str, staff: Staff) -> Call:
        call = self.calls.get(call_id)
        if call is None or call.state != WAITING:
            raise LookupError("this call is no longer waiting")
        if not self.visible_to(staff, call):
            raise PermissionError("this call waits for a colleague who speaks its language")
        call.state, call.staff, call.accepted_at = ACTIVE, staff.user, self.clock()
        return call

    def end(self, call_id: str, outcome: str) -> Call | None:
        call = self.calls.get(call_id)
        if call is None or call.state == ENDED:
            return None
        if call.state == ACTIVE and call.accepted_at is not None:
            self.handled.append(self.clock() - call.accepted_at)
        call.state, call.ended_at, call.outcome = ENDED, self.clock(), outcome
        return call

    def forget_ended(self, keep_s: float = 3600.0) -> None:
        now = self.clock()
        for cid in [c.id for c in self.calls.values() if c.state == ENDED and (c.ended_at or 0) < now - keep_s]:
            del self.calls[cid]
