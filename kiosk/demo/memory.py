"""Memory as the soaks measure it: RSS settled by a full collection and malloc_trim, and the
biggest growths between two tracemalloc snapshots. Used by the headless soak (kiosk/demo/soak.py)
and the soak through the real window (kiosk/demo/ui_soak.py)."""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import tracemalloc
from pathlib import Path
from typing import Any

TRACE_TOP = 12


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


_LIBC = _libc()


def settled_rss_mb() -> tuple[float, float]:
    """RSS after a full collection and after malloc has given its free memory back to the OS.

    Why malloc_trim: the rig serves HTTP from a thread per request (the demo platform) and the
    printer emulator from a thread per connection. glibc gives threads their own malloc arenas,
    and memory freed in an arena stays in the process (counted in RSS) until the arena's top is
    trimmed, which depends on where the last live block happens to sit. So raw RSS moves by
    megabytes with the order in which threads freed things, not with what is still alive.
    malloc_trim(0) returns every arena's free pages to the OS; what RSS shows after it is memory
    in use (plus fragmentation that cannot be returned, which a leak would still show as growth).
    Both ends of the measurement do the same, so nothing is hidden from the comparison, and the
    untrimmed figure is returned too (and reported) for comparison: (trimmed, untrimmed).
    """
    gc.collect()
    untrimmed = rss_mb()
    if _LIBC is not None and hasattr(_LIBC, "malloc_trim"):
        _LIBC.malloc_trim(0)
    return rss_mb(), untrimmed


def biggest_growths(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, top: int = TRACE_TOP) -> list[str]:
    """The biggest growths between two snapshots, grouped by allocation traceback."""
    ignore = (tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, __file__, all_frames=False))
    stats = after.filter_traces(ignore).compare_to(before.filter_traces(ignore), "traceback")
    lines = []
    for stat in [s for s in stats if s.size_diff > 0][:top]:
        frames = " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(stat.traceback[-6:]))
        lines.append(f"{stat.size_diff / 1024:+.1f} KiB {stat.count_diff:+d} blocks: {frames}")
    return lines
