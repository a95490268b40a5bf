"""`kiosk device scan` (technician smoke test of the scanner) and `kiosk sim scanner` (a serial
scanner module on a pseudo-terminal).

    kiosk device scan --camera file:///tmp/clip.avi --json
    kiosk device scan --camera camera://0 --json --timeout 30 --max 1
    kiosk device scan --camera serial:///dev/ttyACM0?baud=9600 --json --timeout 30
    kiosk sim scanner --code ABC --code XYZ --interval 1

`scan` prints one line per code presentation (a code held in view for many frames prints
once; shown again after it left the view, it prints again; --unique prints each code once per
run) and exits at the end of a file source, after --max codes, or at --timeout, with 0. A source
that cannot be opened is one plain line on stderr and exit 1.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from typing import Any

from devices.scanner.errors import ScannerError

PROG = "kiosk device scan"


def register(device_sub: Any, sim_sub: Any) -> None:
    p = device_sub.add_parser("scan", help="read codes from a camera, video/image file or serial scanner")
    p.add_argument("--camera", required=True, metavar="URL",
                   help="camera://N | file:///path | rtsp://... | serial:///dev/ttyACM0?baud=9600")
    p.add_argument("--json", action="store_true", help='one JSON object a line: {"symbology": ..., "text": ...}')
    p.add_argument("--timeout", type=float, default=None, metavar="S", help="stop after S seconds (exit 0)")
    p.add_argument("--max", type=int, default=None, metavar="N", help="stop after N codes")
    p.add_argument("--unique", action="store_true", help="print each distinct code once per run")
    p.add_argument("--symbology", action="append", metavar="NAME",
                   help="zbar symbology to decode (repeatable; default QRCODE and CODE128)")
    p.add_argument("--roi", default=None, metavar="X,Y,W,H", help="region of interest, fractions of the frame")
    p.add_argument("--gone-after", type=float, default=1.0, metavar="S",
                   help="a code must leave the view this long before it counts again")
    p.set_defaults(func=cmd_scan)

    s = sim_sub.add_parser("scanner", help="serial 2D scanner module on a pseudo-terminal")
    s.add_argument("--code", action="append", default=[], metavar="TEXT",
                   help="a code to send once a driver opened the port (repeatable); "
                        "without --code, each line read from stdin is sent")
    s.add_argument("--encoding", default="utf-8", help="payload bytes: utf-8 | gbk | gb18030")
    s.add_argument("--suffix", default="crlf", choices=("cr", "lf", "crlf", "none"))
    s.add_argument("--aim", action="store_true", help="prefix AIM identifiers (]Q1 for QR)")
    s.add_argument("--interval", type=float, default=0.5, metavar="S", help="seconds between codes")
    s.add_argument("--exit", action="store_true", help="exit after sending the --code list")
    s.set_defaults(func=cmd_sim)


def _emit(line: str) -> None:
    # Payloads are Chinese, Tibetan, Yi: write UTF-8 whatever the locale says.
    sys.stdout.flush()
    out = getattr(sys.stdout, "buffer", None)
    if out is not None:
        out.write(line.encode("utf-8") + b"\n")
        out.flush()
    else:  # pragma: no cover - stdout replaced by a text-only stream
        print(line, flush=True)


def _fail(message: str, code: int = 1) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return code


def cmd_scan(args: argparse.Namespace) -> int:
    from devices.scanner.decode import Code, DecoderConfig

    if args.max is not None and args.max < 1:
        return _fail("--max must be >= 1", 2)
    try:
        roi = tuple(float(v) for v in args.roi.split(",")) if args.roi else None
        if roi is not None and len(roi) != 4:
            raise ValueError("--roi needs four numbers")
        config = DecoderConfig(symbologies=tuple(args.symbology or ("QRCODE", "CODE128")), roi=roi)  # type: ignore[arg-type]
    except ValueError as e:
        return _fail(str(e), 2)

    lock = threading.Lock()
    printed: list[int] = [0]
    seen: set[tuple[str, bytes]] = set()
    done = threading.Event()

    def on_code(code: Code) -> None:
        with lock:
            if done.is_set() or (args.unique and code.key in seen):
                return
            seen.add(code.key)
            if args.json:
                _emit(json.dumps({"symbology": code.symbology, "text": code.text}, ensure_ascii=False))
            else:
                _emit(f"{code.symbology}\t{code.text}")
            printed[0] += 1
            if args.max is not None and printed[0] >= args.max:
                done.set()

    deadline = time.monotonic() + args.timeout if args.timeout is not None else None
    if args.camera.startswith("serial:"):
        return _scan_serial(args.camera, on_code, done, deadline)
    return _scan_camera(args.camera, config, args.gone_after, on_code, done, deadline)


def _remaining(deadline: float | None) -> float:
    return 0.2 if deadline is None else min(0.2, deadline - time.monotonic())


def _scan_camera(url: str, config: Any, gone_after: float, on_code: Any, done: threading.Event,
                 deadline: float | None) -> int:
    from devices.scanner.camera import EndOfStream
    from devices.scanner.capture import quiet_opencv
    from devices.scanner.scanner import CameraScanner

    quiet_opencv()
    try:
        scanner = CameraScanner(url, on_code, config=config, gone_after_s=gone_after)
        scanner.open()
    except ScannerError as e:
        return _fail(str(e))
    try:
        while not done.is_set():
            wait = _remaining(deadline)
            if wait <= 0:
                break
            scanner.frame_timeout_s = wait
            try:
                scanner.poll()
            except EndOfStream:
                break
    except KeyboardInterrupt:
        return 130
    finally:
        scanner.close()
    return 0


def _scan_serial(url: str, on_code: Any, done: threading.Event, deadline: float | None) -> int:
    from devices.scanner.serial_scanner import SerialScanner

    try:
        scanner = SerialScanner(url, on_code)
        scanner.open()
    except ScannerError as e:
        return _fail(str(e))
    try:
        while not done.wait(max(0.0, _remaining(deadline))):
            if deadline is not None and time.monotonic() >= deadline:
                break
    except KeyboardInterrupt:
        return 130
    finally:
        scanner.close()
    return 0


def cmd_sim(args: argparse.Namespace) -> int:
    from devices.scanner.serial_sim import ScannerSimulator

    try:
        "".encode(args.encoding)
    except LookupError:
        print(f"kiosk sim scanner: unknown encoding {args.encoding!r}", file=sys.stderr)
        return 2
    sim = ScannerSimulator(args.suffix, args.encoding, args.aim)
    print(sim.path, flush=True)
    try:
        if args.code:
            if not sim.wait_for_reader(timeout=3600):
                return 0
            for i, text in enumerate(args.code):
                if i:
                    time.sleep(args.interval)
                sim.scan(text)
            if args.exit:
                time.sleep(0.2)  # let the driver read the last bytes before the pty goes away
                return 0
            threading.Event().wait()  # keep the port alive until interrupted
        else:
            for line in sys.stdin:
                text = line.rstrip("\r\n")
                if text and sim.wait_for_reader(timeout=3600):  # nobody listening: it would be lost
                    sim.scan(text)
    except KeyboardInterrupt:
        return 0
    finally:
        sim.close()
    return 0
