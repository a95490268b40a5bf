"""`kiosk flow run ID`: run one flow to its end without a screen, with the demo citizen, on the
demo profile's devices (ID card simulator read by the real driver, ESC/POS printer emulator) and
the embedded demo platform. For smoke tests, CI and demos of the print path.

    kiosk flow run social_insurance_certificate --profile demo --json

The last line on stdout is one JSON object:
    {"flow": ID, "outcome": "completed"|"cancelled"|"failed", "steps": [...],
     "receipt": "<png path>"|null, "duration_s": N}
Exit code: 0 completed, 1 cancelled or failed, 2 usage or config error.

This module is a composition root like kiosk/terminal/cli.py: it is where kiosk reaches into flows.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import sys
from pathlib import Path
from typing import Any

from kiosk.core.config import ConfigError


def register_flow_run(flow_sub: Any) -> None:
    """Add `run` to the `kiosk flow` sub-parsers (`flow_sub`: its add_subparsers() action)."""
    p = flow_sub.add_parser("run", help="run one flow headless with the demo citizen; last line is JSON")
    p.add_argument("flow_id", metavar="ID", help="a flow id (kiosk flow list)")
    p.add_argument("--profile", default=None, help="a profile shipped with kiosk (default: demo)")
    p.add_argument("--config", default=None, help="a site TOML file; may name its profile")
    p.add_argument("--json", action="store_true", help="print only the JSON result line")
    p.add_argument("--data-dir", default=None, help="journal directory (default: a temporary one)")
    p.add_argument("--receipts-dir", default=None, help="where receipt PNGs go (default: a temporary one)")
    p.add_argument("--locale", default=None, help="the citizen's language (default: the terminal's)")
    p.add_argument("--max-steps", type=int, default=80, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_flow_run)


def cmd_flow_run(args: argparse.Namespace) -> int:
    from kiosk.demo.headless import run_flow
    from flows.registry import FLOWS
    from kiosk.core import config as config_mod
    from kiosk.demo.rig import RigError, result_line

    if args.flow_id not in FLOWS:
        print(f"kiosk flow run: unknown flow {args.flow_id!r} (known: {', '.join(FLOWS)})", file=sys.stderr)
        return 2
    cfg = config_mod.load(args.profile or (None if args.config else "demo"), args.config)
    if args.locale is not None and args.locale not in cfg.terminal.languages:
        print(f"kiosk flow run: unknown locale {args.locale!r} (known: {', '.join(cfg.terminal.languages)})",
              file=sys.stderr)
        return 2

    def show(step: str, view: Any) -> None:
        if not args.json:
            print(f"step {step} ({view.kind})", flush=True)

    try:
        result = run_flow(args.flow_id, cfg, data_dir=Path(args.data_dir) if args.data_dir else None,
                          receipts_dir=Path(args.receipts_dir) if args.receipts_dir else None,
                          language=args.locale, max_steps=args.max_steps, on_step=show)
    except RigError as e:
        print(f"kiosk flow run: {e}", file=sys.stderr)
        return 2
    if result.outcome != "completed":
        print(f"kiosk flow run: {args.flow_id} {result.outcome}" + (f" ({result.reason})" if result.reason else ""),
              file=sys.stderr)
    print(result_line(result.flow, result.outcome, result.steps, result.receipt, result.duration_s), flush=True)
    return 0 if result.outcome == "completed" else 1


def main_for_tests(argv: list[str]) -> int:
    """`kiosk flow run ...` without kiosk/terminal/cli.py: the same parser, for tests and `python -c`."""
    parser = argparse.ArgumentParser(prog="kiosk flow")
    sub = parser.add_subparsers(dest="flow_command", required=True)
    register_flow_run(sub)
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0)
    try:
        return int(args.func(args))
    except ConfigError as e:
        print(f"kiosk: config error: {e}", file=sys.stderr)
        return 2


def run_capturing(argv: list[str]) -> tuple[int, str, str]:
    """main_for_tests with stdout and stderr captured: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main_for_tests(argv)
    return code, out.getvalue(), err.getvalue()
