"""The tap-everything explorer (tests/ui/explorer.py) over languages x text sizes x device states.

In the suite a bounded walk (~3 min): every language and text size once, each with one of the
demo's device states, at most TAPS taps each, each walk beginning at another start tile. It found
issue 15 finding 1 on the old emit calls (evaluation reason -> TypeError -> crash incident and
failsafe, in 4 of the 8 walks). `KIOSK_EXPLORE_FULL=1` walks every combination with a larger
bound and every keyboard key; KIOSK_EXPLORE_VERBOSE=1 prints each tap. Figures with -s."""
from __future__ import annotations

import itertools
import os

import pytest

from tests.ui.explorer import Explorer, Scenario

pytestmark = pytest.mark.ui

LANGS = ("zh_CN", "bo", "ii", "en")
MODES = ("card", "no_card", "paper_out", "platform_down")
FULL = os.environ.get("KIOSK_EXPLORE_FULL") == "1"
TAPS = int(os.environ.get("KIOSK_EXPLORE_TAPS", "0")) or (400 if FULL else 16)
KEYS = 0 if FULL else 4  # keys typed per keyboard view before its OK (0: every key)
STRIDE = 3  # start tiles between two scenarios' first services: eight walks start in eight services


def scenarios() -> list[Scenario]:
    if FULL:
        return [Scenario(l, large, m) for l, large, m in itertools.product(LANGS, (False, True), MODES)]
    # Each language in both sizes; the device states rotate so each one is walked twice.
    return [Scenario(l, large, MODES[(i * 2 + int(large)) % len(MODES)])
            for i, l in enumerate(LANGS) for large in (False, True)]


def test_tap_everything(kiosk):
    explorer = Explorer(kiosk, TAPS, KEYS)
    try:
        for i, sc in enumerate(scenarios()):
            explorer.offset = i * STRIDE
            explorer.run(sc)
    finally:
        explorer.close()
        kiosk.reset()
    r = explorer.report
    screens = {s.split("/")[2].split(":")[0] for s in r.states}
    print(f"\nexplorer: {len(scenarios())} runs, {len(r.states)} states ({len(screens)} screens), "
          f"{r.tapped} taps on {len(r.controls)} distinct controls, {len(r.missed)} missed, "
          f"{len(r.failures)} failures")
    for line in r.missed[:20]:
        print("  missed:", line)
    assert not r.failures, "\n".join(r.failures[:30])
