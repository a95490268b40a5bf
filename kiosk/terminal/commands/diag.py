"""`kiosk diag [--json]`, `kiosk diag bundle --out FILE.zip` and `kiosk tech hash-pin`.

kiosk/terminal/cli.py calls `register(sub)` with its top-level sub-parser action. Exit codes: diag 0 when
every configured device, the platform and the journal are ok, 1 otherwise; bundle 0 when the zip
was written (whatever it found), 3 when it could not be; hash-pin 2 for a PIN that breaks the
rules. Config errors propagate to kiosk/terminal/cli.py, which prints them on one line (exit 2).
"""
from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from typing import Any

from kiosk.diag.probes import DEFAULT_TIMEOUT_S

log = logging.getLogger(__name__)

EXIT_PROBLEM, EXIT_BAD_PIN, EXIT_FAILED = 1, 2, 3


def _config_args(p: argparse.ArgumentParser, nested: bool = False) -> None:
    # On the nested `bundle` parser the defaults are SUPPRESSed: otherwise argparse would let its
    # None overwrite a --config given before the word "bundle".
    default = argparse.SUPPRESS if nested else None
    p.add_argument("--profile", default=default, help="a profile shipped with kiosk (default: demo)")
    p.add_argument("--config", default=default, help="a site TOML file; may name its profile")
    p.add_argument("--timeout", type=float, default=argparse.SUPPRESS if nested else DEFAULT_TIMEOUT_S,
                   help=f"seconds each device self-test may take (default {DEFAULT_TIMEOUT_S:g})")


def register(sub: Any) -> None:  # argparse._SubParsersAction
    p = sub.add_parser("diag", help="check devices, platform and journal; write a diagnostics bundle",
                       description="Open every configured device and run its self-test, ask the platform "
                       "for its health, check the journal. Exit 0 only when everything is ok.")
    _config_args(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--no-live", action="store_true",
                   help="open every device even when a running kiosk has published their status "
                   "(stop the kiosk first: it holds the devices)")
    p.set_defaults(func=cmd_diag)
    dsub = p.add_subparsers(dest="diag_command", required=False)
    b = dsub.add_parser("bundle", help="write a zip for the vendor: masked logs, redacted config, "
                        "versions, device status, journal statistics, recent incidents")
    _config_args(b, nested=True)
    b.add_argument("--out", required=True, help="the zip file to write")
    b.add_argument("--no-probe", action="store_true", help="do not check devices, platform and journal")
    b.set_defaults(func=cmd_bundle)

    t = sub.add_parser("tech", help="technician tools")
    tsub = t.add_subparsers(dest="tech_command", required=True)
    h = tsub.add_parser("hash-pin", help="read a technician PIN on stdin, print its hash for the config",
                        description="Reads the PIN from stdin (asked twice on a terminal) and prints "
                        "scrypt$N$r$p$salt$hash, the value to store in the site config.")
    h.set_defaults(func=cmd_hash_pin)
    c = tsub.add_parser("hash-card", help="read a technician card number on stdin, print its hash for the config",
                        description="Reads the card number (as `kiosk device read-sscard` prints it) from "
                        "stdin and prints the value to add to terminal.technician_card_hashes.")
    c.set_defaults(func=cmd_hash_card)


def _load_config(args: argparse.Namespace) -> Any:
    from kiosk.core import config

    return config.from_args(getattr(args, "profile", None), getattr(args, "config", None))


def _live(cfg: Any, args: argparse.Namespace) -> Any:
    """The running kiosk's published device statuses, unless --no-live or none are fresh."""
    from kiosk.diag.probes import find_live_status

    if getattr(args, "no_live", False):
        return None
    return find_live_status(cfg.terminal.data_dir)


def cmd_diag(args: argparse.Namespace) -> int:
    from kiosk.diag.checks import run_diag

    cfg = _load_config(args)
    report = run_diag(cfg, timeout_s=args.timeout, statuses=_live(cfg, args))
    if args.json:
        print(json.dumps(report.data, ensure_ascii=False, sort_keys=False))
        return report.exit_code
    fix = _fixer(cfg)
    for name, d in report.data["devices"].items():
        print(f"{name:8} {d['status']:8} since {d['since']}  {d['detail']}")
        if d["status"] != "ok":  # the same fix path the technician dashboard shows
            print(f"{'':8} fix: {fix(d['detail'].split(':', 1)[0].strip())}")
    for part in ("platform", "journal"):
        d = report.data[part]
        print(f"{part:8} {d['status']:8} {d.get('detail', '')}")
    if not report.data["devices"]:
        print("(no device configured)")
    return report.exit_code


def _fixer(cfg: Any) -> Any:
    from kiosk.i18n.translator import Translator
    from kiosk.diag.dashboard import fix_for

    lang = cfg.terminal.default_language
    translator = Translator(languages=(lang,))
    return lambda reason: translator.text(fix_for(reason), lang)


def cmd_bundle(args: argparse.Namespace) -> int:
    from kiosk.diag.bundle import make_bundle

    cfg = _load_config(args)
    try:
        bundle = make_bundle(cfg, args.out, timeout_s=getattr(args, "timeout", DEFAULT_TIMEOUT_S),
                             probe=not args.no_probe, statuses=_live(cfg, args))
    except OSError as e:
        print(f"kiosk diag bundle: cannot write {args.out}: {e.strerror or type(e).__name__}", file=sys.stderr)
        return EXIT_FAILED
    print(bundle.path)
    for line in bundle.report.problems() if bundle.report else []:
        print(f"  {line}", file=sys.stderr)
    return 0


def _read_pin() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("technician PIN: ")
        if getpass.getpass("again: ") != first:
            raise ValueError("the two entries differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def cmd_hash_card(args: argparse.Namespace) -> int:
    from kiosk.core.techpin import PinFormatError, hash_card

    try:
        print(hash_card(sys.stdin.readline()))
    except PinFormatError as e:
        print(f"kiosk tech hash-card: {e}", file=sys.stderr)
        return EXIT_BAD_PIN
    return 0


def cmd_hash_pin(args: argparse.Namespace) -> int:
    from kiosk.core.techpin import PinFormatError, hash_pin

    try:
        pin = _read_pin()
        print(hash_pin(pin))
    except (PinFormatError, ValueError) as e:
        print(f"kiosk tech hash-pin: {e}", file=sys.stderr)
        return EXIT_BAD_PIN
    return 0
