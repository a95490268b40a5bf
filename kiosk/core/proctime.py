"""Seconds since this process started, from the kernel (so imports count too)."""
from __future__ import annotations

import os
import time


def seconds_since_start() -> float:
    try:
        with open("/proc/self/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 of stat, counted after the comm field
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):  # not Linux: from the first import of this module
        return time.monotonic() - _T0


_T0 = time.monotonic()
