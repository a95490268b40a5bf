"""What the soaks measure: RSS settled by a full collection and malloc_trim, the biggest growths
between two tracemalloc snapshots, open file descriptors, and (through the real window) the live
Kivy widgets and the texts they hold. Used by the headless soak (kiosk/demo/soak.py) and the soak
through the real window (kiosk/demo/ui_soak.py)."""
from __future__ import annotations

import gc
import os
import tracemalloc
from pathlib import Path
from typing import Any, Callable, Iterator

from kiosk.core.allocator import libc

TRACE_TOP = 12


def _status_mb(fields: tuple[str, ...]) -> dict[str, float]:
    """Fields of /proc/self/status given in kB (VmRSS, RssAnon...), in MB; a field the kernel
    does not report is absent."""
    found: dict[str, float] = {}
    with open("/proc/self/status") as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name in fields:
                found[name] = int(rest.split()[0]) / 1024
    return found


def rss_mb() -> float:
    return _status_mb(("VmRSS",)).get("VmRSS", 0.0)


def rss_parts_mb() -> dict[str, float]:
    """RSS by kind: "anon" (what the process allocated: malloc, Python, textures in software GL),
    "file" (pages of mapped files: libraries, and the font files FreeType maps once per face)
    and "shmem" (the X server's shared images)."""
    kinds = {"RssAnon": "anon", "RssFile": "file", "RssShmem": "shmem"}
    return {kinds[name]: mb for name, mb in _status_mb(tuple(kinds)).items()}


_LIBC = libc()


def settled_rss_mb(frames: Callable[[], None] | None = None) -> tuple[float, float]:
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
    `frames`: draws a few frames after the collection, where a window runs: Kivy gives the GL
    textures of collected widgets back on the UI thread's next frames, so a sample taken right
    after a busy screen would count textures already let go.
    """
    gc.collect()
    if frames is not None:
        frames()
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


def open_fds() -> int:
    """File descriptors this process holds open (files, sockets, pipes, the display's)."""
    return len(os.listdir("/proc/self/fd"))


def live_widgets() -> int:
    """Kivy widgets alive in this process, reachable or not (a leaked widget is one nothing shows)."""
    from kivy.uix.widget import Widget

    gc.collect()
    # type(o): gc also holds weak proxies to widgets, which isinstance() would count (or raise on).
    return sum(1 for o in gc.get_objects() if issubclass(type(o), Widget))


def widget_texts(root: Any) -> Iterator[tuple[Any, str]]:
    """(widget, text) for every text a widget under `root` holds: labels, buttons, inputs, and
    the two lines of the kiosk's bilingual labels."""
    stack = [root]
    while stack:
        w = stack.pop()
        for attr in ("text", "primary_text", "secondary_text", "hint_text"):
            value = getattr(w, attr, None)
            if isinstance(value, str) and value:
                yield w, value
        stack.extend(w.children)
