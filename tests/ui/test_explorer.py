"""The tap-everything explorer (tests/ui/explorer.py) over languages x text sizes x device states.

In the suite a bounded walk: every language and text size once, each with one of the demo's
device states, at most EXPLORE_TAPS taps each. `KIOSK_EXPLORE_FULL=1` walks every combination
with a larger bound. The figures are printed (run with -s to see them)."""
from __future__ import annotations

import itertools
import os

import pytest

from tests.ui.explorer import Explorer, Scenario

pytestmark = pytest.mark.ui

LANGS = ("zh_CN", "bo", "ii", "en")
MODES = ("card", "no_card", "paper_out", "platform_down")
FULL = os.environ.get("KIOSK_EXPLORE_FULL") == "1"
TAPS = int(os.environ.get("KIOSK_EXPLORE_TAPS", "0")) or (400 if FULL else 60)


def scenarios() -> list[Scenario]:
    if FULL:
        return [Scenario(l, large, m) for l, large, m in itertools.product(LANGS, (False, True), MODES)]
    # Each language in both sizes; the device states rotate so each one is walked twice.
    return [Scenario(l, large, MODES[(i * 2 + int(large)) % len(MODES)])
            for i, l in enumerate(LANGS) for large in (False, True)]


# Not yet tuned to the ~3 min budget (see the issue 15 note): opt-in until its run time is measured.
@pytest.mark.skipif(not (FULL or os.environ.get("KIOSK_EXPLORE") == "1"), reason="set KIOSK_EXPLORE=1 to run")
def test_tap_everything(kiosk):
    explorer = Explorer(kiosk, TAPS)
    try:
        for sc in scenarios():
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
