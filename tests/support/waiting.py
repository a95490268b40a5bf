"""Bounded polling for things that happen on other threads or in other processes (a reader
appearing in pcscd, an MQTT message, a camera frame): the tests never sleep a fixed time."""
from __future__ import annotations

import time
from typing import Any, Callable


def wait_until(predicate: Callable[[], Any], timeout_s: float = 5.0, interval_s: float = 0.02,
               what: str = "condition") -> Any:
    """Poll `predicate` until it returns a truthy value, and return it; fail loudly after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(interval_s)
