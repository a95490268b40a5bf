"""QR/barcode decode: our decoder against bare pyzbar on the same frames, in the same run.

The frames are a kiosk camera stream made by devices/scanner/testmaterial.py: idle scenes (most of
what a kiosk camera sees), codes held up under normal conditions, and hard frames (small or
slightly blurred codes, the ones the extra passes exist for). The baseline is
`pyzbar.pyzbar.decode(gray, symbols=[QRCODE, CODE128])`: bare zbar restricted to the same
symbologies, which is faster than decoding every symbology and so the stricter comparison.

A frame counts as decoded when a symbol of the expected symbology came back (for our decoder:
with the exact text). Budget (shared/DESIGN.md): time <= 1.1x raw, decoded frames >= raw.
"""
from __future__ import annotations

import argparse
import sys
import time

from pyzbar import pyzbar

from devices.scanner import testmaterial as M
from devices.scanner.decode import Decoder

BUDGET = 1.1


def frames() -> list[tuple[object, "M.Payload | None"]]:
    """(gray frame, expected payload or None) in stream order."""
    pays = M.payloads()
    out: list[tuple[object, M.Payload | None]] = []
    hard = [(0.6, 0.8), (0.5, 0.8), (0.45, 0.0), (0.5, 0.0), (0.6, 1.0)]  # (scale, blur sigma)
    for i in range(30):
        out.append((M.noise(M.background(i), 2, seed=i), None))  # idle
        p = pays[i % len(pays)]
        out.append((M.scene(p, M.VARIANTS[i % 6], seed=i), p))  # plain..dark: normal use
        if i % 2 == 0:
            q = pays[i % 7]  # QR payloads only
            sc, sig = hard[(i // 2) % len(hard)]
            f = M.place(M.background(i), M.symbol(q), center=(250, 260), angle=10, scale=sc)
            out.append((M.noise(M.blur(f, sig) if sig else f, 4, seed=i), q))
    return out


SYMS = [pyzbar.ZBarSymbol.QRCODE, pyzbar.ZBarSymbol.CODE128]


def one_run(fr: list, raw_first: bool) -> tuple[float, float, int, int]:
    """Both decoders frame by frame, interleaved, so a load spike from another process hits
    both alike. A fresh decoder per run: every run starts from the same state."""
    raw_t = ours_t = 0.0
    raw_n = ours_n = 0
    clock = time.perf_counter
    with Decoder() as dec:
        for gray, p in fr:
            for which in ((0, 1) if raw_first else (1, 0)):
                t0 = clock()
                if which == 0:
                    got = pyzbar.decode(gray, symbols=SYMS)
                    raw_t += clock() - t0
                    raw_n += bool(p is not None and any(g.type == p.symbology for g in got))
                else:
                    codes = dec.decode(gray)
                    ours_t += clock() - t0
                    ours_n += bool(p is not None and any(c.symbology == p.symbology and c.text == p.text
                                                         for c in codes))
    return raw_t, ours_t, raw_n, ours_n


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    fr = frames()
    one_run(fr, True)  # warm caches and libzbar
    runs = [one_run(fr, i % 2 == 0) for i in range(args.runs)]
    # Fastest run of each: the least disturbed by other processes on a shared machine.
    raw_ms = min(r[0] for r in runs) / len(fr) * 1000
    ours_ms = min(r[1] for r in runs) / len(fr) * 1000
    raw_n = min(r[2] for r in runs)
    ours_n = min(r[3] for r in runs)  # the credit depends on timing: report the worst run
    ratio = ours_ms / raw_ms
    ok = ratio <= BUDGET and ours_n >= raw_n
    print(f"scanner: raw_ms={raw_ms:.2f} ours_ms={ours_ms:.2f} ratio={ratio:.2f} raw_decoded={raw_n} "
          f"ours_decoded={ours_n} frames={len(fr)} budget ratio<={BUDGET} decoded>=raw "
          f"{'OK' if ok else 'OVER BUDGET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
