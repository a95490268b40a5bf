"""The UI soak's memory figures (issue 14): the allocator settings `kiosk run` makes, and the RSS
trend the soak holds to its budget."""
from __future__ import annotations

import random
import subprocess
import sys

import pytest

from kiosk.demo.ui_soak_report import BUDGET_MB, rss_trend_mb

# A fresh interpreter: frees a 4 MiB block (mmapped: above glibc's starting threshold), then asks
# for the same again and prints how many bytes are mmapped now. Left alone, glibc raised its
# threshold at the free and carves the second block from the heap (0 bytes mmapped); settled,
# the threshold stays, and the block is mmapped (and given back whole when freed).
_PROBE = """
import ctypes, sys
from kiosk.core.allocator import settle_allocator
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]
libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = Info
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = (ctypes.c_void_p,)
settled = settle_allocator() if sys.argv[1] == "settle" else None
size = 4 << 20
libc.free(libc.malloc(size))
block = libc.malloc(size)
print(settled, libc.mallinfo2().hblkhd >= size)
"""


@pytest.mark.parametrize("mode, expect", [("settle", "True True"), ("leave", "None False")])
def test_settled_malloc_keeps_big_blocks_apart_from_its_heap(mode: str, expect: str) -> None:
    out = subprocess.run([sys.executable, "-c", _PROBE, mode], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-2:] == expect.split()


def _noisy(slope_mb: float, n: int = 19, swing: float = 5.0, seed: int = 3) -> list[tuple[int, float]]:
    rnd = random.Random(seed)
    return [(200 + 100 * i, 650 + slope_mb * 100 * i + rnd.uniform(-swing, swing)) for i in range(n)]


# +-5 MB: how far the samples of a 2,000-session soak swing about their level with the allocator
# settled (+-20 MB before; kiosk/core/allocator.py). A trend over 19 such samples is good to a few
# MB; two samples, last and first, to 10.
def test_the_trend_reads_through_samples_that_swing_about_a_flat_level() -> None:
    flat = _noisy(0.0)
    flat[-1] = (flat[-1][0], 650 + 30)  # the last sample high: last-minus-first would say ~+30 MB
    assert abs(rss_trend_mb(flat)) <= BUDGET_MB


def test_a_steady_leak_is_measured_whole_through_the_same_noise() -> None:
    leak = _noisy(0.02)  # 20 KB a session: 36 MB over 1,800 sessions
    assert rss_trend_mb(leak) > BUDGET_MB
    assert rss_trend_mb([(2, 600.0), (6, 608.0)]) == pytest.approx(8.0)  # two samples: last minus first
    assert rss_trend_mb([(0, 600.0), (10, 600.0 + 2 * 10)]) == pytest.approx(20.0)
