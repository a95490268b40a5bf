"""Receipt: layout + raster + ESC/POS encoding of a long bilingual (Tibetan + Chinese) receipt,
as a ratio to the time the paper takes to print it at 250 mm/s (height in dots / 8 dots per mm
/ 250 mm/s). Budget: <= 0.25. Median of several runs; the first run (font loading) is excluded.

    .venv/bin/python bench/receipt.py [--runs 7] [--width 576]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time


from devices.printer import escpos, samples
from devices.printer.document import Document
from devices.printer.layout import Paper, layout
from devices.printer.raster import rasterize
from kiosk.i18n.receipt_shaper import SHAPER

PAPER_SPEED_MM_S = 250.0
DOTS_PER_MM = 8.0
BUDGET = 0.25


def long_receipt() -> Document:
    """Every sample in Tibetan with Chinese beneath, one after the other: about half a metre of
    paper with titles, rows, long paragraphs, QR codes and barcodes."""
    blocks = []
    for name in samples.names():
        blocks += samples.sample(name, "bo", with_zh=True).blocks
    return Document("bench", "bo", tuple(blocks))


def once(doc: Document, paper: Paper) -> tuple[float, int, int]:
    t0 = time.perf_counter()
    image = rasterize(layout(doc, SHAPER, paper))
    data = escpos.encode_receipt(image)
    return time.perf_counter() - t0, image.height, len(data)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--width", type=int, default=576)
    args = ap.parse_args(argv)
    doc, paper = long_receipt(), Paper(width=args.width)
    once(doc, paper)  # fonts load, caches fill: not what a terminal pays per receipt
    times = []
    for _ in range(args.runs):
        t, height, size = once(doc, paper)
        times.append(t)
    median = statistics.median(times)
    paper_s = height / DOTS_PER_MM / PAPER_SPEED_MM_S
    ratio = median / paper_s
    verdict = "OK" if ratio <= BUDGET else "OVER"
    print(f"receipt: {height} dots ({height / DOTS_PER_MM:.0f} mm), {size} bytes, "
          f"layout+raster+encode median {median * 1000:.0f} ms of {args.runs}, paper {paper_s * 1000:.0f} ms "
          f"at {PAPER_SPEED_MM_S:.0f} mm/s, ratio={ratio:.3f} budget<={BUDGET} {verdict}")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
