"""glibc's malloc, set for a process that runs for weeks: `kiosk run` calls settle_allocator()
before the devices, the pool or any server start a thread.

Why (found by the UI soak, issue 14): over 1,000 sessions through the real window, the memory in
use (mallinfo2) and the Python objects stayed flat while RSS wandered 35 MB up and down and crept
upwards. The memory was held free inside malloc's heaps, in two ways:
- glibc gives threads their own arenas (up to 8 per core) and each keeps its own free, fragmented
  pages. The kiosk has ~15 threads, most of them asleep: the pool, the device supervisors, the
  servers. Two arenas are plenty for that, and every thread shares their free space.
- Blocks of 128 KiB and more (label and picture textures, Mesa's copies of them, receipts) are
  mmapped and given back at free(). But glibc raises its threshold each time such a block is freed,
  up to 32 MiB, after which they are carved from the heap, where one small live block pins the pages
  around it. A fixed threshold turns that off (mallopt switches the dynamic threshold off).
The cost: a mmap/munmap pair per big block (a few per screen), and more lock contention between
threads that allocate at once, which the kiosk's threads rarely do.

Nothing here is needed for correctness: where the C library is not glibc, nothing is set.
"""
from __future__ import annotations

import ctypes
import logging
from typing import Any

log = logging.getLogger(__name__)

# mallopt() parameters, from glibc's <malloc.h>.
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8

MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value, kept fixed
ARENA_MAX = 2


def libc() -> Any:
    """The C library (None where it cannot be opened); the soak's measurements use it too."""
    try:
        # glibc's soname first: find_library() runs `ldconfig -p`, some 20 ms of start-up
        return ctypes.CDLL("libc.so.6")
    except OSError:
        from ctypes.util import find_library

        name = find_library("c")
        try:
            return ctypes.CDLL(name) if name else None
        except OSError:
            return None


def settle_allocator() -> bool:
    """Fix malloc's mmap threshold and cap its arenas; True when glibc took both."""
    mallopt = getattr(libc(), "mallopt", None)
    if mallopt is None:
        log.info("allocator: no mallopt here (not glibc); left as it is")
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    ok = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_ARENA_MAX, ARENA_MAX))
    log.info("allocator: mmap threshold %d bytes, %d arenas: %s", MMAP_THRESHOLD, ARENA_MAX, "set" if ok else "refused")
    return ok
