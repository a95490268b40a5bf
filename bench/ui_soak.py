"""UI soak: N citizen sessions through the real Kivy window (every flow, taps as touch events,
faults from the demo's simulators, the fake clock for every timeout; kiosk/demo/ui_soak.py says
which and what is measured). Prints one line; exit 0 only when no session got stuck or left anything
for the next citizen, the RSS growth after the warm-up is within the budget (10 MB) and the live
widgets, open files and threads stayed flat.
Needs a display (make bench runs it under Xvfb).

    .venv/bin/python bench/ui_soak.py --sessions 2000 --warmup 200 [--seed 1] [--progress]
"""
from __future__ import annotations

import argparse
from collections import Counter
import os
import sys
import tempfile
import time

# Before Kivy is imported: no frame-rate cap (the soak waits on work, not on the display's 60 Hz),
# no window on a developer's desktop beyond the virtual one, no sound.
os.environ.setdefault("KCFG_GRAPHICS_MAXFPS", "0")
# No multisampling: under Xvfb every frame is rasterised in software (llvmpipe), and Kivy's
# default 2x MSAA made each drawn frame of the kiosk cost ~100 ms instead of ~25 ms. The frames
# are still all drawn; only their edges are not smoothed, which no leak depends on.
os.environ.setdefault("KCFG_GRAPHICS_MULTISAMPLES", "0")
# The soak's kiosk talks to no pcscd but its own (none here): on a shared machine another kiosk's
# pcscd (`make run`) serves /run/pcscd, and a technician card inserted there opened technician
# mode in this one, mid-soak. (Running the soak under `python -m devices.smartcard.vpcd` sets it.)
os.environ.setdefault("PCSCLITE_CSOCK_NAME", os.path.join(tempfile.gettempdir(), "kiosk-ui-soak-no-pcscd.comm"))

import demo_window  # noqa: E402 - bench/demo_window.py, after the environment is set


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=200, help="sessions before the first measurement")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sample-every", type=int, default=100)
    ap.add_argument("--progress", action="store_true", help="RSS and widgets at every sample, on stderr")
    args = ap.parse_args()

    from kiosk.demo.memory import rss_parts_mb
    from kiosk.demo.ui_soak import run_ui_soak
    from kiosk.demo.ui_soak_report import Sample

    started = time.monotonic()

    with tempfile.TemporaryDirectory(prefix="kiosk-ui-soak-") as data:
        app, clock = demo_window.start(data)

        def progress(x: Sample) -> None:
            parts = " ".join(f"{k}={v:.1f}" for k, v in rss_parts_mb().items())
            print(f"  {x.session} sessions: rss_mb={x.rss_mb:.1f} ({parts}) widgets={x.widgets} fds={x.fds} "
                  f"threads={x.threads} elapsed_s={time.monotonic() - started:.0f}", file=sys.stderr, flush=True)

        try:
            report = run_ui_soak(app, clock, args.sessions, args.warmup, args.seed,
                                 sample_every=args.sample_every, progress=progress if args.progress else None)
            # The report goes out before the window is torn down: a 2,000-session run once lost its
            # line to a crash in Kivy's teardown after the last sample.
            _print_report(report)
        finally:
            app.stop()
    return 0 if report.ok else 1


def _print_report(report) -> None:
    print(report.line())
    for s in report.stuck[:10]:
        print(f"  stuck: {s}")
    for label, found in (("carried over", report.carried_over), ("kept on a hidden screen", report.kept_hidden)):
        kinds = Counter(what.split(": ", 1)[1] for what in found)
        sessions = len({what.split(" (", 1)[0] for what in found})
        for what, n in kinds.most_common(10):
            first = next(x for x in found if x.endswith(what)).split(": ", 1)[0]
            print(f"  {label} ({sessions} sessions): {what} x{n}, first after {first}")
    sys.stdout.flush()


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is reported; skip the interpreter's teardown of Kivy's GL objects, which has
    # segfaulted after a long run and would turn a passing soak into exit 139.
    os._exit(code)
