"""Events from any thread, delivered on the UI thread.

Driver threads and workers `post()`; the UI thread `drain()`s. The app wires `wakeup` to a Kivy
Clock trigger so a post schedules a drain; tests call `drain()` themselves. A handler that raises
is logged and the loop goes on: one bad handler must not stop the kiosk.
"""
from __future__ import annotations

import logging
import queue
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

log = logging.getLogger(__name__)

Handler = Callable[["Event"], None]


@dataclass(frozen=True)
class Event:
    topic: str
    data: dict[str, Any] = field(default_factory=dict)


class Bus:
    def __init__(self, wakeup: Callable[[], None] | None = None) -> None:
        self._queue: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self._handlers: dict[str, list[Handler]] = defaultdict(list)
        self._wakeup = wakeup
        self._ui_thread: int | None = None

    def set_wakeup(self, wakeup: Callable[[], None]) -> None:
        self._wakeup = wakeup

    def subscribe(self, topic: str, handler: Handler) -> Callable[[], None]:
        """Subscribe to a topic (`*` for all); returns a function that unsubscribes."""
        self._handlers[topic].append(handler)
        return lambda: self._handlers[topic].remove(handler) if handler in self._handlers[topic] else None

    def post(self, topic: str, **data: Any) -> None:
        """Thread-safe: queue an event for the UI thread."""
        self._queue.put(Event(topic, data))
        if self._wakeup is not None:
            self._wakeup()

    def drain(self, limit: int = 1000) -> int:
        """Deliver queued events on the calling (UI) thread; returns how many were delivered."""
        self._ui_thread = threading.get_ident()
        n = 0
        while n < limit:
            try:
                event = self._queue.get_nowait()
            except queue.Empty:
                break
            n += 1
            for handler in list(self._handlers.get(event.topic, ())) + list(self._handlers.get("*", ())):
                try:
                    handler(event)
                except Exception:  # noqa: BLE001 - the loop never dies
                    log.exception("event handler failed for %s", event.topic)
        return n

    def pending(self) -> bool:
        return not self._queue.empty()
