"""`kiosk update check|apply|recover|status`: the terminal side of updates.

kiosk/terminal/cli.py calls `register(sub)` with its sub-parser action. Every sub-command prints one JSON
object on stdout; a failure is a JSON object with "error" and a non-zero exit, never a traceback.

In production the updater runs as its own systemd unit (kiosk-update.service, started by a timer
or by the agent's check_update command), not inside the kiosk process: restarting kiosk.service
must not kill the updater between the switch and the health check. `kiosk update recover` is the
kiosk unit's ExecStartPre, so the app never starts on an uncommitted release.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.update.busy import idle_check

from kiosk.update.errors import FleetError
from kiosk.update.health import CommandHealthCheck

if TYPE_CHECKING:  # tuf and its crypto load only when an update command runs, not at `kiosk run`
    from kiosk.update.updater import Updater

DEFAULT_ROOT = os.environ.get("KIOSK_INSTALL_ROOT", "/opt/kiosk")


def register(sub: Any) -> None:  # argparse._SubParsersAction
    p = sub.add_parser("update", help="signed updates: check, apply, recover")
    usub = p.add_subparsers(dest="update_command", required=True)
    for name, fn, help_text in (
            ("check", cmd_check, "print {current, available, ring, eligible}"),
            ("apply", cmd_apply, "install the newest eligible release, switch, health-check, commit or roll back"),
            ("recover", cmd_recover, "resolve `current` to the committed release (run before the kiosk starts)"),
            ("status", cmd_status, "print the update state file"),
            ("content", cmd_content, "fetch the content packs; import the languages' prompt packs (voice-<lang>)")):
        q = usub.add_parser(name, help=help_text)
        q.add_argument("--root", default=DEFAULT_ROOT, help=f"install root (default {DEFAULT_ROOT})")
        if name in ("check", "apply", "content"):
            q.add_argument("--repo", required=True, help="repository base URL (serving metadata/ and targets/)")
            q.add_argument("--trusted-root", default=None,
                           help="root.json shipped with the install (default <root>/current/fleet/root.json)")
            q.add_argument("--terminal-id", default=None, help="default: terminal.id from the config")
            q.add_argument("--profile", default=None)
            q.add_argument("--config", default=None)
            q.add_argument("--pilot-percent", type=int, default=5)
        if name == "content":
            q.add_argument("--clips", default=None,
                           help="the terminal's clip root (default <data dir>/clips, what the kiosk plays first)")
        if name == "apply":
            q.add_argument("--busy-file", default=None,
                           help="the app flock-holds it while a citizen session or print job runs; no switch then")
            q.add_argument("--restart-command", default=None,
                           help='argv to restart the app, e.g. "systemctl restart kiosk.service" (no shell)')
            q.add_argument("--health-timeout", type=float, default=120.0)
        q.set_defaults(func=fn)


def _terminal_id(args: argparse.Namespace) -> str:
    if args.terminal_id:
        return str(args.terminal_id)
    from kiosk.core import config

    profile = args.profile or (None if args.config else "demo")
    return config.load(profile, args.config).terminal.id


def _updater(args: argparse.Namespace, **kw: Any) -> Updater:
    from kiosk.update.updater import Updater

    root = Path(args.root)
    trusted = Path(args.trusted_root) if args.trusted_root else root / "current" / "fleet" / "root.json"
    return Updater(root, args.repo, trusted, _terminal_id(args), pilot_percent=args.pilot_percent, **kw)


def _print(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, ensure_ascii=False, sort_keys=True))


def _fail(e: FleetError) -> int:
    _print(e.to_dict())
    return 1


def cmd_check(args: argparse.Namespace) -> int:
    try:
        _print(_updater(args).check().to_dict())
    except FleetError as e:
        return _fail(e)
    return 0


def cmd_apply(args: argparse.Namespace) -> int:
    restart_argv = shlex.split(args.restart_command) if args.restart_command else None

    def restart(_release: Path) -> None:
        if restart_argv:
            subprocess.run(restart_argv, check=True, timeout=120)

    updater = _updater(args, is_idle=idle_check(args.busy_file), restart=restart,
                       health_check=CommandHealthCheck(timeout_s=args.health_timeout))
    result = updater.apply()
    _print(result.to_dict())
    return 0 if result.ok else 1


def cmd_content(args: argparse.Namespace) -> int:
    """Every voice-<lang> pack of this terminal's languages: fetched through TUF (ring rules as for
    releases), then imported into the terminal's clip store, which checks the whole pack as hostile
    input first (kiosk/i18n/voice_pack.py). A pack already imported is not imported again. One
    JSON object: per kind its version and what was imported, or the reason it was not."""
    from kiosk.core import config
    from kiosk.i18n.voice_pack import PackError, import_pack, read_pack
    from kiosk.i18n.voice_store import TERMINAL_CLIPS, ClipStore

    cfg = config.load(args.profile or (None if args.config else "demo"), args.config)
    clips = Path(args.clips) if args.clips else cfg.data_path / TERMINAL_CLIPS
    args.terminal_id = args.terminal_id or cfg.terminal.id  # _updater would load the config a second time
    updater = _updater(args)
    out: dict[str, Any] = {}
    failed = False
    for lang in cfg.terminal.languages:
        kind = f"voice-{lang}"
        try:
            got = updater.fetch_content(kind)
        except FleetError as e:
            out[kind], failed = e.to_dict(), True
            continue
        if got is None:
            continue
        done = clips / ".imported" / kind
        if done.is_file() and done.read_text(encoding="utf-8").strip() == got.version:
            out[kind] = {"version": got.version, "imported": "already"}
            continue
        try:
            if read_pack(got.path)[0] != lang:  # checked whole before anything is written
                raise PackError(f"not a {lang} pack, though published as {kind}")
            summary = import_pack(got.path, ClipStore(clips))
        except PackError as e:
            out[kind], failed = {"version": got.version, "error": "pack_refused", "reason": str(e)}, True
            continue
        done.parent.mkdir(parents=True, exist_ok=True)
        done.write_text(got.version, encoding="utf-8")
        out[kind] = {"version": got.version, **summary}
    _print(out)
    return 1 if failed else 0


def cmd_recover(args: argparse.Namespace) -> int:
    from kiosk.update.updater import Updater

    updater = Updater(Path(args.root), "http://unused.invalid/", Path("/nonexistent"), "recover")
    try:
        state = updater.recover()
    except FleetError as e:
        return _fail(e)
    _print({"current": state.current, "previous": state.previous, "bad": state.bad})
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from kiosk.update.updater import Updater

    updater = Updater(Path(args.root), "http://unused.invalid/", Path("/nonexistent"), "status")
    state = updater.state()
    out = dict(state.__dict__)
    out["running"] = updater.current_version()
    _print(out)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (`python -m kiosk.terminal.commands.update ...`) until kiosk/terminal/cli.py registers it."""
    parser = argparse.ArgumentParser(prog="kiosk")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
