"""UI soak: N citizen sessions through the real Kivy window (every flow, taps as touch events,
faults from the demo's simulators, the fake clock for every timeout; kiosk/demo/ui_soak.py says
which and what is measured). Prints one line; exit 0 only when no session got stuck, the RSS
growth after the warm-up is within the budget (10 MB) and the live widgets stayed flat.
Needs a display (make bench runs it under Xvfb).

    .venv/bin/python bench/ui_soak.py --sessions 2000 --warmup 200 [--seed 1] [--progress]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile

# Before Kivy is imported: no frame-rate cap (the soak waits on work, not on the display's 60 Hz),
# no window on a developer's desktop beyond the virtual one, no sound.
os.environ.setdefault("KCFG_GRAPHICS_MAXFPS", "0")

import demo_window  # noqa: E402 - bench/demo_window.py, after the environment is set


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=200, help="sessions before the first measurement")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sample-every", type=int, default=100)
    ap.add_argument("--progress", action="store_true", help="RSS and widgets at every sample, on stderr")
    args = ap.parse_args()

    from kiosk.demo.ui_soak import run_ui_soak

    with tempfile.TemporaryDirectory(prefix="kiosk-ui-soak-") as data:
        app, clock = demo_window.start(data)

        def progress(i: int, rss: float, widgets: int) -> None:
            print(f"  {i} sessions: rss_mb={rss:.1f} widgets={widgets}", file=sys.stderr, flush=True)

        try:
            report = run_ui_soak(app, clock, args.sessions, args.warmup, args.seed,
                                 sample_every=args.sample_every, progress=progress if args.progress else None)
        finally:
            app.stop()
    print(report.line())
    for s in report.stuck[:10]:
        print(f"  stuck: {s}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
