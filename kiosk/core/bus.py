"""Events from any thread, delivered on the UI thread.

Driver threads and workers `post()` an event (a class from kiosk/core/events.py); the UI thread
`drain()`s and calls the handlers subscribed to that event's class. The app wires `wakeup` to a
Kivy Clock trigger so a post schedules a drain; tests call `drain()` themselves. A handler that
raises is logged and the loop goes on: one bad handler must not stop the kiosk.
"""
from __future__ import annotations

import logging
import queue
import threading
from collections import defaultdict
from typing import Any, Callable, TypeVar

log = logging.getLogger(__name__)

E = TypeVar("E")
Handler = Callable[[Any], None]


class Bus:
    def __init__(self, wakeup: Callable[[], None] | None = None) -> None:
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._handlers: dict[type, list[Handler]] = defaultdict(list)
        self._wakeup = wakeup
        self._ui_thread: int | None = None

    def set_wakeup(self, wakeup: Callable[[], None]) -> None:
        self._wakeup = wakeup

    def subscribe(self, kind: type[E], handler: Callable[[E], None]) -> Callable[[], None]:
        """Call `handler(event)` for every posted event of class `kind` (`object`: every event);
        returns a function that unsubscribes."""
        self._handlers[kind].append(handler)
        return lambda: self._handlers[kind].remove(handler) if handler in self._handlers[kind] else None

    def post(self, event: object) -> None:
        """Thread-safe: queue an event for the UI thread."""
        if isinstance(event, (str, type)):
            raise TypeError(f"post an event instance (kiosk/core/events.py), not {event!r}")
        self._queue.put(event)
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
            for handler in list(self._handlers.get(type(event), ())) + list(self._handlers.get(object, ())):
                try:
                    handler(event)
                except Exception:  # noqa: BLE001 - the loop never dies
                    log.exception("event handler failed for %s", type(event).__name__)
        return n

    def pending(self) -> bool:
        return not self._queue.empty()
