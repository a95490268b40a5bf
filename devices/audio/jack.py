"""Headphone jack detection through ALSA's jack control (private listening, EN 301 549 5.1.3.x:
personal details are read only through headphones).

Most HDA and USB codecs report the jack's switch as a card control named like "Headphone Jack"
(iface CARD); `amixer -c CARD cget iface=CARD,name='Headphone Jack'` prints it as `: values=on`.
amixer (Debian's alsa-utils) is the reader: it is on every terminal with sound, and a subprocess
keeps ALSA's C library out of the kiosk's process. Its output is hostile input like any other:
anything but one clear `values=on|off` line is "not plugged", never an error on screen.

Safe by default: when the control cannot be read, the jack counts as unplugged, so nothing
personal is ever read through the loudspeaker because a codec changed its control's name. The
reading is cached for a second (speech asks before each private prompt, not in a loop)."""
from __future__ import annotations

import logging
import re
import subprocess
import time
from typing import Callable

log = logging.getLogger(__name__)

VALUES = re.compile(r"^\s*:\s*values=(on|off)\s*$", re.M)
CACHE_S = 1.0
TIMEOUT_S = 2.0


class JackSpecError(ValueError):
    pass


def parse_spec(spec: str) -> tuple[str, str]:
    """"alsa:<card>:<control name>" -> (card, control)."""
    m = re.fullmatch(r"alsa:([0-9]{1,2}|[A-Za-z0-9_]{1,32}):([A-Za-z0-9 _-]{1,44})", spec)
    if m is None:
        raise JackSpecError(f"{spec!r}: expected alsa:<card>:<control>, e.g. alsa:0:Headphone Jack")
    return m.group(1), m.group(2)


class AlsaJack:
    def __init__(self, spec: str, run: Callable[..., subprocess.CompletedProcess] = subprocess.run,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.card, self.control = parse_spec(spec)
        self._run, self._monotonic = run, monotonic
        self._cached: tuple[float, bool] | None = None
        self._warned = False

    def plugged(self) -> bool:
        now = self._monotonic()
        if self._cached is not None and now - self._cached[0] < CACHE_S:
            return self._cached[1]
        state = self._read()
        self._cached = (now, state)
        return state

    def _read(self) -> bool:
        cmd = ["amixer", "-c", self.card, "cget", f"iface=CARD,name={self.control}"]
        try:
            out = self._run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        except (OSError, subprocess.SubprocessError) as e:
            return self._unreadable(f"{cmd[0]}: {e}")
        found = VALUES.findall(out.stdout or "") if out.returncode == 0 else []
        if len(found) != 1:
            return self._unreadable(f"exit {out.returncode}, {len(found)} value lines: {(out.stderr or '')[:120]!r}")
        self._warned = False
        return found[0] == "on"

    def _unreadable(self, why: str) -> bool:
        if not self._warned:  # once per outage, not at every prompt
            log.warning("headphone jack alsa:%s:%s unreadable (%s): counted as unplugged", self.card, self.control, why)
            self._warned = True
        return False
