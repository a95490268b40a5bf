"""ID card read: time from "find" to a parsed record, through the real driver and a simulator
paced like a UART at 115200 baud, as a ratio to the wire time of every byte exchanged in that
read (the physical limit). Budget: <= 1.1 (driver overhead <= 10%). Median of N reads."""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from devices.idcard.reader import IdCardReader
from devices.idcard.simulator import IdCardSimulator

BUDGET = 1.1
BAUD = 115200


def one_read(sim: IdCardSimulator, reader: IdCardReader, card: dict) -> tuple[float, float]:
    sim.remove()
    assert reader.read_card() is None  # find fails: the driver forgets the previous card
    sim.present(card)
    tx, rx = reader.bytes_tx, reader.bytes_rx
    t0 = time.perf_counter()
    record = reader.read_card()
    measured = time.perf_counter() - t0
    if record is None:
        raise SystemExit(f"idcard bench: no record (last_miss={reader.last_miss})")
    wire = (reader.bytes_tx - tx + reader.bytes_rx - rx) * 10 / BAUD
    return wire, measured


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--card", default=str(ROOT / "devices" / "idcard" / "cards" / "resident_han.json"))
    args = ap.parse_args()
    card = json.loads(Path(args.card).read_text(encoding="utf-8"))
    with IdCardSimulator(pace_baud=BAUD, halt_after_read=False) as sim:
        reader = IdCardReader(sim.path, baud=BAUD, removal_polls=1, sleep=lambda s: None)
        reader.open()
        try:
            one_read(sim, reader, card)  # warm-up: imports, first-use allocations
            results = [one_read(sim, reader, card) for _ in range(args.runs)]
        finally:
            reader.close()
    wire = statistics.median(w for w, _ in results)
    measured = statistics.median(m for _, m in results)
    ratio = measured / wire
    print(f"idcard: wire_s={wire:.4f} measured_s={measured:.4f} ratio={ratio:.3f} budget<={BUDGET} "
          f"{'OK' if ratio <= BUDGET else 'OVER BUDGET'}")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
