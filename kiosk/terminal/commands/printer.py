"""`kiosk device print-test`, `kiosk device receipt` and `kiosk sim printer`.

    kiosk device print-test --printer tcp://10.0.0.9:9100 --locale bo [--width 576]
    kiosk device receipt social_insurance_certificate --locale ii --out receipt.png [--width 384]
    kiosk sim printer [--port 9100] [--state ok|near_end|paper_out|...] [--out printer-out]

Failures end in one plain line on stderr and a non-zero exit: 1 when the printer refused or
failed, 2 for a usage mistake (unknown locale, bad URL or width).
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path

from devices.printer import samples
from devices.printer.emulator import STATES, PrinterEmulator, Receipt
from devices.printer.layout import LayoutError, Paper
from devices.printer.memory import PrintError
from devices.printer.transport import TransportError
from devices.status import DEGRADED, FAULT
from kiosk.i18n import languages
from kiosk.i18n.languages import is_bilingual

LOCALES = languages.codes()


def add_receipt_parser(sub) -> None:  # noqa: ANN001 - argparse sub-parser action
    p = sub.add_parser("receipt", help="render a sample receipt to PNG, as the printer would print it")
    p.add_argument("sample", help=f"one of {', '.join(samples.names())}")
    p.add_argument("--locale", default="zh_CN", help=f"one of {', '.join(LOCALES)}")
    p.add_argument("--out", required=True, help="the PNG to write")
    p.add_argument("--width", type=int, default=576, help="paper width in dots: 576 (80 mm), 384 (58 mm)")
    p.set_defaults(func=cmd_receipt)


def register(device_sub, sim_sub) -> None:  # noqa: ANN001 - argparse sub-parser actions
    p = device_sub.add_parser("print-test", help="print a test receipt (status first; refuses when the printer cannot)")
    p.add_argument("--printer", required=True,
                   help="tcp://host:9100, serial:///dev/ttyS1?baud=115200, usb://0xVID:0xPID or file:///path")
    p.add_argument("--locale", default="zh_CN", help=f"one of {', '.join(LOCALES)}")
    p.add_argument("--width", type=int, default=576, help="paper width in dots: 576 (80 mm), 384 (58 mm)")
    p.add_argument("--terminal-id", default="KSK-TEST")
    p.add_argument("--status-timeout", type=float, default=5.0, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_print_test)

    add_receipt_parser(device_sub)

    p = sim_sub.add_parser("printer", help="an ESC/POS printer on TCP that renders receipts to PNG")
    p.add_argument("--port", type=int, default=9100, help="0 picks a free port")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--state", default="ok", choices=STATES)
    p.add_argument("--out", default="printer-out", help="directory for the receipt PNGs")
    p.set_defaults(func=cmd_sim_printer)


def _fail(command: str, message: str, code: int = 1) -> int:
    print(f"kiosk device {command}: {message}", file=sys.stderr)
    return code


def _check_locale_and_width(command: str, locale: str, width: int) -> int:
    if locale not in LOCALES:
        return _fail(command, f"unknown locale {locale!r} (known: {', '.join(LOCALES)})", 2)
    try:
        Paper(width=width)
    except LayoutError as e:
        return _fail(command, str(e), 2)
    return 0


def cmd_print_test(args: argparse.Namespace) -> int:
    bad = _check_locale_and_width("print-test", args.locale, args.width)
    if bad:
        return bad
    from devices.printer.driver import EscPosPrinter
    from kiosk.i18n.receipt_shaper import SHAPER

    try:
        printer = EscPosPrinter(args.printer, width=args.width, status_timeout_s=args.status_timeout, shaper=SHAPER)
    except TransportError as e:
        return _fail("print-test", f"bad printer URL: {e}", 2)
    try:
        status = printer.status()
        if status.state == FAULT:
            return _fail("print-test", f"printer refused: {status.reason}" + (f" ({status.detail})" if status.detail else ""))
        if status.state == DEGRADED:
            print(f"kiosk device print-test: warning: {status.reason}" + (f" ({status.detail})" if status.detail else ""),
                  file=sys.stderr)
        doc = samples.print_test(args.locale, with_zh=is_bilingual(args.locale), width=args.width,
                                 time=datetime.now().strftime("%Y-%m-%d %H:%M"), terminal_id=args.terminal_id)
        printer.print_document(doc)
    except PrintError as e:
        return _fail("print-test", f"printing failed: {e.reason}")
    finally:
        printer.close()
    print(f"printed a test receipt ({args.locale}, {args.width} dots) on {args.printer}")
    return 0


def cmd_receipt(args: argparse.Namespace) -> int:
    bad = _check_locale_and_width("receipt", args.locale, args.width)
    if bad:
        return bad
    if args.sample not in samples.names():
        return _fail("receipt", f"unknown sample {args.sample!r} (known: {', '.join(samples.names())})", 2)
    from devices.printer.raster import render
    from kiosk.i18n.receipt_shaper import SHAPER

    doc = samples.sample(args.sample, args.locale, with_zh=is_bilingual(args.locale))
    try:
        image = render(doc, SHAPER, Paper(width=args.width))
    except LayoutError as e:
        return _fail("receipt", f"cannot lay out {args.sample}: {e}")
    out = Path(args.out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        image.save(out)
    except OSError as e:
        return _fail("receipt", f"cannot write {out}: {e.strerror or e}")
    print(out)
    return 0


def cmd_sim_printer(args: argparse.Namespace) -> int:
    def announce(r: Receipt) -> None:
        print(f"receipt {r.index} {'complete' if r.complete else 'partial'} {r.path}", flush=True)

    emulator = PrinterEmulator(port=args.port, state=args.state, out_dir=args.out, host=args.host, on_receipt=announce)
    try:
        url = emulator.start()
    except OSError as e:
        print(f"kiosk sim printer: cannot listen on {args.host}:{args.port}: {e.strerror or e}", file=sys.stderr)
        return 1
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(url, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        emulator.stop()
    return 0
