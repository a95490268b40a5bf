"""Soak: N simulated sessions across every flow on one terminal rig with faults injected at
random (kiosk/demo/soak.py says which and what is checked). Prints one line of figures; exit 0 only
when every check holds and the RSS growth after the warm-up is within the budget (10 MB).

    .venv/bin/python bench/soak.py --sessions 12500 --warmup 2500 [--seed 1] [--trace]

(12,500 sessions: growth is measured over the 10,000 after the warm-up.)

--trace runs tracemalloc from shortly before the end of the warm-up and, when the growth is over
the budget, prints the allocation tracebacks that grew most (it slows the run down a lot, and its
own bookkeeping adds to the RSS growth: use it to find a leak, not to measure one)."""
from __future__ import annotations

import argparse
import sys


from kiosk.demo.soak import BUDGET_MB, run_soak


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=10000)
    # The warm-up fills what is bounded but not empty at start (the demo platform keeps its newest
    # 2,000 records per store, the masker and caches settle): growth is measured after it.
    ap.add_argument("--warmup", type=int, default=2500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--budget-mb", type=float, default=BUDGET_MB)
    ap.add_argument("--trace", action="store_true", help="tracemalloc: print the top growth when over budget")
    ap.add_argument("--trace-always", action="store_true", help="with --trace: print the top growth anyway")
    ap.add_argument("--progress", action="store_true", help="RSS every 500 sessions, on stderr")
    args = ap.parse_args()

    def progress(i: int, rss: float) -> None:
        print(f"  {i} sessions: rss_mb={rss:.1f}", file=sys.stderr, flush=True)

    report = run_soak(args.sessions, args.warmup, args.seed, budget_mb=args.budget_mb, trace=args.trace,
                      progress=progress if args.progress else None)
    print(report.line())
    for s in report.stuck[:10]:
        print(f"  stuck: {s}")
    if report.trace and (not report.memory_ok or args.trace_always):
        print("  tracemalloc, top growth after the warm-up (by traceback, newest frame first):")
        for line in report.trace:
            print(f"    {line}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
