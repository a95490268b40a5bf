"""A4: render time per page of each official document (social insurance certificate, real-estate
record, e-licence) in zh_CN, bo and ii, as a ratio to the receipt raster (layout + raster + ESC/POS
encoding) of the same document measured in the same run. Median of several runs; the first
(fonts load, caches fill) is excluded. Budget: a page in <= 2 s on the terminal's CPU, since the
citizen waits for it (the A4 printer then takes its own seconds).

    .venv/bin/python bench/a4.py [--runs 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

from devices.a4printer.render import Letterhead, page_count, render_pdf
from devices.printer import escpos, samples
from devices.printer.layout import Paper, layout
from devices.printer.raster import rasterize
from kiosk.i18n.receipt_shaper import SHAPER

KINDS = ("social_insurance_certificate", "real_estate_query", "elicense_print")
LANGS = ("zh_CN", "bo", "ii")
BUDGET_S = 2.0


def _time(fn, runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    paper = Paper(width=576)
    worst, lines = 0.0, []
    a4_all, receipt_all = [], []
    for kind in KINDS:
        for lang in LANGS:
            doc = samples.sample(kind, lang, with_zh=lang != "zh_CN")
            pages = page_count(render_pdf(doc, SHAPER, Letterhead("Issuer")))
            a4 = _time(lambda: render_pdf(doc, SHAPER, Letterhead("Issuer")), args.runs) / pages
            receipt = _time(lambda: escpos.encode_receipt(rasterize(layout(doc, SHAPER, paper))), args.runs)
            worst = max(worst, a4)
            a4_all.append(a4)
            receipt_all.append(receipt)
            lines.append(f"  {kind} {lang}: {a4 * 1000:.0f} ms/page, receipt {receipt * 1000:.0f} ms, "
                         f"ratio {a4 / receipt:.1f}")
    print("\n".join(lines))
    median_a4, median_receipt = statistics.median(a4_all), statistics.median(receipt_all)
    verdict = "OK" if worst <= BUDGET_S else "OVER"
    print(f"a4: render median {median_a4 * 1000:.0f} ms/page (worst {worst * 1000:.0f}), receipt raster "
          f"median {median_receipt * 1000:.0f} ms, ratio={median_a4 / median_receipt:.1f} "
          f"budget worst<={BUDGET_S:.1f} s {verdict}")
    return 0 if worst <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
