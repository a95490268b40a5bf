"""The `kiosk` command. Every failure a person can cause (bad config, missing device) ends in
one plain line on stderr and a non-zero exit, never a traceback."""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from kiosk.core.config import ConfigError


def _add_config_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", default=None, help="a profile shipped with kiosk (default: demo)")
    p.add_argument("--config", default=None, help="a site TOML file; may name its profile")


def _load_config(args: argparse.Namespace):  # noqa: ANN202
    from kiosk.core import config

    return config.from_args(args.profile, args.config)


def cmd_run(args: argparse.Namespace) -> int:
    cfg = _load_config(args)
    from kiosk.core.busy import AlreadyRunning, take_instance_lock

    try:
        take_instance_lock(cfg.data_path)  # kept open (and locked) until the process ends
    except AlreadyRunning as e:
        print(f"kiosk: {e}", file=sys.stderr)
        return 2
    from kiosk.terminal.window import run

    return run(cfg, fullscreen=args.fullscreen, startup_probe=args.startup_probe)


def cmd_render(args: argparse.Namespace) -> int:
    from kiosk.demo import render  # Kivy is imported only when rendering

    if args.list:
        for name in render.SCENES:
            print(name)
        return 0
    cfg = _load_config(args)
    names = list(render.SCENES) if args.all or not args.screen else args.screen
    unknown = [n for n in names if n not in render.SCENES]
    if unknown:
        print(f"kiosk render: unknown screen {unknown[0]!r} (see kiosk render --list)", file=sys.stderr)
        return 2
    locales = [loc.strip() for loc in args.locales.split(",") if loc.strip()]
    for loc in locales:
        if loc not in cfg.terminal.languages:
            print(f"kiosk render: unknown locale {loc!r} (known: {', '.join(cfg.terminal.languages)})", file=sys.stderr)
            return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from kiosk.terminal.window import make_app

    for path in render.render(make_app, cfg, names, locales, out, large=args.large):
        print(path)
    # Every picture is written and the app stopped: end without the interpreter's teardown, where
    # Kivy's GL objects are freed after the window (a full --all run died there with SIGSEGV, so
    # `make render` failed with all its files written).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def cmd_flow_list(args: argparse.Namespace) -> int:
    from flows.registry import FLOWS
    from kiosk.i18n.translator import Translator

    tr = Translator()
    for fid, flow in FLOWS.items():
        print(f"{fid} {tr.text(flow.title, args.locale)}")
    return 0


def build_parser(full: bool = True) -> argparse.ArgumentParser:
    """Every command, or (full=False) only `run` and `render`: the terminal's own start goes
    through here at every boot, and importing every command module (device tools, IME, voice,
    update) cost ~0.4 s of the time to the first frame (issue 15: start-up <= 2x bare Kivy)."""
    parser = argparse.ArgumentParser(prog="kiosk", description="24-hour government self-service terminal")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="start the kiosk")
    _add_config_args(p)
    p.add_argument("--fullscreen", action="store_true", help="fill the screen (real terminals)")
    p.add_argument("--startup-probe", action="store_true",
                   help="print first_frame_s=<seconds from process start to the first frame> and exit")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("render", help="render screens to PNG for review")
    _add_config_args(p)
    p.add_argument("--list", action="store_true", help="list every screen")
    p.add_argument("--all", action="store_true", help="render every screen")
    p.add_argument("--screen", action="append", help="a screen to render (repeatable)")
    p.add_argument("--locales", default="zh_CN,bo,ii,en")
    p.add_argument("--large", action="store_true", help="large-text mode")
    p.add_argument("--out", default="screens-out")
    p.set_defaults(func=cmd_render)
    if not full:
        return parser

    from kiosk.terminal.commands import register_all

    dev = sub.add_parser("device", help="talk to one device directly (technician smoke tests)")
    sim = sub.add_parser("sim", help="run a device simulator")
    register_all(dev.add_subparsers(dest="device_command", required=True),
                 sim.add_subparsers(dest="sim_command", required=True))

    from kiosk.terminal.commands.printer import add_receipt_parser
    from kiosk.terminal.commands.update import register as register_update

    add_receipt_parser(sub)  # `kiosk receipt SAMPLE ...`, the same command as `kiosk device receipt`
    register_update(sub)
    from kiosk.terminal.commands.diag import register as register_diag

    register_diag(sub)
    from kiosk.terminal.commands.ime import register as register_ime

    register_ime(sub)  # `kiosk ime ...` and `kiosk guide search`

    from kiosk.terminal.commands.voice import register as register_voice

    register_voice(sub)  # `kiosk voice report|record|review|export|import|mandarin`

    p = sub.add_parser("flow", help="flows")
    fsub = p.add_subparsers(dest="flow_command", required=True)
    q = fsub.add_parser("list", help="one line per flow: <id> <title>")
    q.add_argument("--locale", default="zh_CN")
    q.set_defaults(func=cmd_flow_list)
    from kiosk.terminal.commands.flow import register_flow_run

    register_flow_run(fsub)
    return parser


LIGHT_COMMANDS = ("run", "render")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    words = [a for a in argv if not a.startswith("-")]
    light = bool(words) and words[0] in LIGHT_COMMANDS and "-h" not in argv and "--help" not in argv
    args = build_parser(full=not light).parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except ConfigError as e:
        print(f"kiosk: config error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
