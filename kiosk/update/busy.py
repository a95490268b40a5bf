"""Is the terminal busy? The updater's side of kiosk/core/busy.py: the app holds an flock on
the busy file for a whole citizen session and any print job; the updater switches releases only
when nobody holds it. A file that exists but is not locked (left by a crash) means idle."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from kiosk.core.busy import held_elsewhere


def idle_check(busy_file: str | Path | None) -> Callable[[], bool]:
    """The Updater's `is_idle` for `--busy-file`; no file configured: always idle."""
    if not busy_file:
        return lambda: True
    path = Path(busy_file)
    return lambda: not held_elsewhere(path)
