"""`kiosk-fleet`: the operator's command. Repository tooling and the remote channel.

    kiosk-fleet repo init DIR [--root-threshold N]
    kiosk-fleet repo refresh-timestamp DIR [--days D]
    kiosk-fleet repo status DIR
    kiosk-fleet repo resign DIR
    kiosk-fleet repo rotate-key DIR --role targets|snapshot|timestamp|root
    kiosk-fleet build-artifact --out FILE.tar.gz [--version V] [--source DIR] [--trusted-root F] [--wheels DIR]
    kiosk-fleet release DIR --artifact FILE --version V [--ring pilot|stable]
    kiosk-fleet release-content DIR --kind catalog|translations|announcement --file F --version V
    kiosk-fleet status [--json] [--wait S]                   (broker options below)
    kiosk-fleet command TERMINAL CMD [--arg k=v ...] [--timeout S] [--ttl S]
    kiosk-fleet console [--db URL] [--listen H] [--http-port P] [--workers N] [--add-user NAME ROLE]

Broker options: --host (or $KIOSK_FLEET_HOST), --port, --no-tls, --ca-file, --cert-file,
--key-file, --username, --password-file (or $KIOSK_FLEET_PASSWORD).
Exit codes: 0 done, 1 refused/failed, 2 bad usage, 3 timed out, 4 broker unreachable.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from kiosk.remote import protocol
from kiosk.update.errors import BrokerUnavailable, CommandTimeout, FleetError
from kiosk.update.rings import RINGS

EXIT_FAILED, EXIT_USAGE, EXIT_TIMEOUT, EXIT_BROKER = 1, 2, 3, 4


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True, default=str))


# -- repository -------------------------------------------------------------------------------------
def cmd_repo_init(args: argparse.Namespace) -> int:
    from kiosk_fleet.repo_tool import Repository

    repo = Repository.init(args.dir, root_threshold=args.root_threshold)
    print(f"repository created in {repo.path}")
    print(f"  ship this trust anchor with every install: {repo.metadata_dir / 'root.json'}")
    print(f"  serve over HTTP(S): {repo.metadata_dir} and {repo.targets_dir}")
    print(f"  move {repo.keys_dir}/root-*.pem offline now; keep targets/snapshot/timestamp keys on the release host")
    return 0


def cmd_repo_refresh(args: argparse.Namespace) -> int:
    from kiosk_fleet.repo_tool import Repository

    version = Repository(args.dir).refresh_timestamp(timedelta(days=args.days))
    print(f"timestamp version {version}, valid {args.days:g} days")
    return 0


def cmd_repo_status(args: argparse.Namespace) -> int:
    from kiosk_fleet.repo_tool import Repository

    _print_json(Repository(args.dir).status())
    return 0


def cmd_repo_resign(args: argparse.Namespace) -> int:
    from kiosk_fleet.repo_tool import Repository

    Repository(args.dir).resign()
    print("targets, snapshot and timestamp re-signed")
    return 0


def cmd_repo_rotate(args: argparse.Namespace) -> int:
    from kiosk_fleet.repo_tool import Repository

    keyid = Repository(args.dir).rotate_key(args.role)
    print(f"{args.role} key rotated; new key id {keyid}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from kiosk.update.artifact import build_artifact

    source = Path(args.source) if args.source else Path(__file__).resolve().parents[1]
    built = build_artifact(source, Path(args.out), args.version,
                           trusted_root=Path(args.trusted_root) if args.trusted_root else None,
                           wheels_dir=Path(args.wheels) if args.wheels else None)
    _print_json({"artifact": str(built.path), "version": built.version, "files": built.files,
                 "bytes": built.size, "sha256": built.sha256, "wheels": built.wheels})
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from kiosk_fleet.repo_tool import Repository

    rel = Repository(args.dir).release(Path(args.artifact), args.version, args.ring)
    _print_json(rel.__dict__)
    if not _ships_root(Path(args.artifact)):
        print("kiosk-fleet: warning: the artifact has no fleet/root.json; terminals fall back to their "
              "cached root (build with --trusted-root)", file=sys.stderr)
    return 0


def _ships_root(artifact: Path) -> bool:
    import tarfile

    try:
        with tarfile.open(artifact, "r:gz") as tar:
            return "fleet/root.json" in tar.getnames()
    except (tarfile.TarError, OSError):
        return False


def cmd_release_content(args: argparse.Namespace) -> int:
    from kiosk_fleet.repo_tool import Repository

    rel = Repository(args.dir).release_content(args.kind, Path(args.file), args.version, args.ring)
    _print_json(rel.__dict__)
    return 0


# -- remote channel ---------------------------------------------------------------------------------
def _add_broker_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default=os.environ.get("KIOSK_FLEET_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=None, help="default 8883 with TLS, 1883 without")
    p.add_argument("--no-tls", action="store_true")
    p.add_argument("--ca-file", default=None)
    p.add_argument("--cert-file", default=None)
    p.add_argument("--key-file", default=None)
    p.add_argument("--username", default=os.environ.get("KIOSK_FLEET_USERNAME"))
    p.add_argument("--password-file", default=None)


def _broker(args: argparse.Namespace) -> Any:
    from kiosk.remote.mqtt import BrokerSettings

    password = os.environ.get("KIOSK_FLEET_PASSWORD")
    if args.password_file:
        password = Path(args.password_file).read_text(encoding="utf-8").strip()
    tls = not args.no_tls
    return BrokerSettings(host=args.host, port=args.port or (8883 if tls else 1883), tls=tls,
                          ca_file=args.ca_file, cert_file=args.cert_file, key_file=args.key_file,
                          username=args.username, password=password)


def cmd_status(args: argparse.Namespace) -> int:
    from kiosk_fleet.operator import Operator

    with Operator(_broker(args)) as op:
        statuses = op.statuses(args.wait)
    if args.json:
        _print_json(statuses)
        return 0
    print(f"{'TERMINAL':<24} {'STATE':<8} {'SINCE':<20} {'VERSION':<10} REASON")
    import time as _time

    for terminal, st in statuses.items():
        since = st.get("since")
        when = _time.strftime("%Y-%m-%d %H:%M:%S", _time.localtime(since)) if isinstance(since, (int, float)) else "-"
        print(f"{terminal:<24} {str(st.get('state', '?')):<8} {when:<20} {str(st.get('version', '-')):<10} "
              f"{st.get('reason', '')}")
    online = sum(1 for st in statuses.values() if st.get("state") == "online")
    print(f"{len(statuses)} terminals, {online} online")
    return 0


def _parse_arg(text: str) -> tuple[str, Any]:
    if "=" not in text:
        raise ValueError(f"--arg {text!r}: expected key=value")
    key, raw = text.split("=", 1)
    try:
        value: Any = json.loads(raw)  # true, 3, {"zh_CN": "..."}; anything else is a string
    except ValueError:
        value = raw
    return key, value


def cmd_command(args: argparse.Namespace) -> int:
    from kiosk_fleet.operator import Operator

    try:
        cmd_args = dict(_parse_arg(a) for a in args.arg)
        protocol.check_terminal_id(args.terminal)
    except ValueError as e:
        print(f"kiosk-fleet command: {e}", file=sys.stderr)
        return EXIT_USAGE
    with Operator(_broker(args)) as op:
        ack = op.command(args.terminal, args.cmd, cmd_args, timeout=args.timeout, ttl_s=args.ttl)
    _print_json(ack)
    return 0 if ack.get("status") == "ok" else EXIT_FAILED


def cmd_console_key(args: argparse.Namespace) -> int:
    """The console's narrow key: the private half stays with the console, the public half goes
    to the release engineer for `repo delegate-rollouts`."""
    from kiosk_fleet import rollout_role

    signer = rollout_role.new_console_key(Path(args.keyfile))
    pub = {"keyid": signer.public_key.keyid, **signer.public_key.to_dict()}
    Path(args.keyfile + ".pub.json").write_text(json.dumps(pub, indent=1) + "\n")
    print(f"{args.keyfile} (private, 0600) and {args.keyfile}.pub.json (public) written")
    return 0


def cmd_repo_delegate(args: argparse.Namespace) -> int:
    from securesystemslib.signer import Key

    from kiosk_fleet import rollout_role
    from kiosk_fleet.repo_tool import Repository

    pub = json.loads(Path(args.public_key).read_text())
    rollout_role.delegate(Repository(args.dir), Key.from_dict(pub.pop("keyid"), pub))
    print(f"rollouts/* delegated to {args.public_key}")
    return 0


def cmd_repo_accept(args: argparse.Namespace) -> int:
    from kiosk_fleet import rollout_role
    from kiosk_fleet.repo_tool import Repository

    version = rollout_role.accept(Repository(args.dir), *rollout_role.read_spool(Path(args.spool)))
    print(f"rollout admissions version {version} published")
    return 0


def cmd_console(args: argparse.Namespace) -> int:
    """The web console (kiosk_fleet/console/; needs the `console` extra)."""
    from kiosk_fleet.console import server
    from kiosk_fleet.console.auth import add_user
    from kiosk_fleet.console.db import make_engine, migrate, sessions

    if args.add_user:
        name, role = args.add_user
        password = os.environ.get("KIOSK_CONSOLE_PASSWORD") or input(f"password for {name}: ")
        engine = make_engine(args.db)
        migrate(engine)
        with sessions(engine).begin() as db:
            import time as _time

            add_user(db, name, password, role, _time.time())
        print(f"user {name} ({role}) saved")
        return 0
    gate = None
    if args.rollout_key:
        from kiosk_fleet import rollout_role
        from kiosk_fleet.console.gate import Gate

        spool = Path(args.rollout_spool)
        gate = Gate(rollout_role.load_console_key(Path(args.rollout_key)),
                    lambda data, files: rollout_role.write_spool(spool, data, files))
    server.serve(args.db, _broker(args), args.listen, args.http_port, workers=args.workers, gate=gate)
    return 0


# -- parser ---------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-fleet", description="Kiosk fleet: signed releases and remote commands")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    repo = sub.add_parser("repo", help="the TUF repository").add_subparsers(dest="repo_command", required=True)
    p = repo.add_parser("init", help="create keys and signed metadata")
    p.add_argument("dir")
    p.add_argument("--root-threshold", type=int, default=1, help="root keys needed to sign root (default 1)")
    p.set_defaults(func=cmd_repo_init)
    p = repo.add_parser("refresh-timestamp", help="re-sign timestamp.json (run daily from cron)")
    p.add_argument("dir")
    p.add_argument("--days", type=float, default=7.0)
    p.set_defaults(func=cmd_repo_refresh)
    p = repo.add_parser("status", help="versions, expiry dates and releases")
    p.add_argument("dir")
    p.set_defaults(func=cmd_repo_status)
    p = repo.add_parser("resign", help="re-sign targets/snapshot/timestamp with fresh expiry")
    p.add_argument("dir")
    p.set_defaults(func=cmd_repo_resign)
    p = repo.add_parser("rotate-key", help="replace a role's key (root keys must be present)")
    p.add_argument("dir")
    p.add_argument("--role", required=True, choices=("root", "targets", "snapshot", "timestamp"))
    p.set_defaults(func=cmd_repo_rotate)

    p = repo.add_parser("console-key", help="make the console's narrow rollout key (KEYFILE, KEYFILE.pub.json)")
    p.add_argument("keyfile")
    p.set_defaults(func=cmd_console_key)
    p = repo.add_parser("delegate-rollouts", help="delegate rollouts/* to the console's key (targets key)")
    p.add_argument("dir")
    p.add_argument("--public-key", required=True, help="the .pub.json from `repo console-key`")
    p.set_defaults(func=cmd_repo_delegate)
    p = repo.add_parser("accept-rollout", help="check and publish the console's admissions (snapshot/timestamp keys)")
    p.add_argument("dir")
    p.add_argument("--spool", required=True, help="the directory the console writes (--rollout-spool)")
    p.set_defaults(func=cmd_repo_accept)

    p = sub.add_parser("build-artifact", help="tar the app source tree into a release")
    p.add_argument("--out", required=True)
    p.add_argument("--version", default=None, help="default: [project].version of pyproject.toml")
    p.add_argument("--source", default=None, help="source tree (default: this checkout)")
    p.add_argument("--trusted-root", default=None, help="root.json to ship inside the release (fleet/root.json)")
    p.add_argument("--wheels", default=None, help="a directory of .whl files to include (wheels/)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("release", help="publish an app release")
    p.add_argument("dir")
    p.add_argument("--artifact", required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--ring", choices=RINGS, default="pilot")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("release-content", help="publish a catalog, translations or an announcement")
    p.add_argument("dir")
    p.add_argument("--kind", required=True, choices=("catalog", "translations", "announcement"))
    p.add_argument("--file", required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--ring", choices=RINGS, default="stable")
    p.set_defaults(func=cmd_release_content)

    p = sub.add_parser("status", help="terminals and their retained online/offline status")
    _add_broker_args(p)
    p.add_argument("--json", action="store_true")
    p.add_argument("--wait", type=float, default=1.0, help="seconds to collect retained statuses")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("command", help="send an allow-listed command and wait for its ack")
    _add_broker_args(p)
    p.add_argument("terminal")
    # Not restricted here: the terminal's allow-list decides (and refuses with an ack).
    p.add_argument("cmd", help=f"one of: {', '.join(sorted(protocol.COMMANDS))}")
    p.add_argument("--arg", action="append", default=[], help="key=value (value parsed as JSON if it is JSON)")
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--ttl", type=float, default=None, help="command lifetime (default: the timeout)")
    p.set_defaults(func=cmd_command)

    p = sub.add_parser("console", help="the operators' web console (fleet overview, alarms, rollouts)")
    _add_broker_args(p)
    p.add_argument("--db", default="sqlite:///kiosk-console.sqlite3",
                   help="SQLAlchemy URL: sqlite:///FILE (default) or postgresql+psycopg://...")
    p.add_argument("--listen", default="127.0.0.1")
    p.add_argument("--http-port", type=int, default=8080)
    p.add_argument("--workers", type=int, default=1, help="ingest workers (MQTT shared subscription)")
    p.add_argument("--add-user", nargs=2, metavar=("NAME", "ROLE"),
                   help="create or change a user (password from $KIOSK_CONSOLE_PASSWORD or asked) and exit")
    p.add_argument("--rollout-key", default="", help="the narrow key that signs admissions of staged releases")
    p.add_argument("--rollout-spool", default="rollout-spool", help="where signed admissions go for the repository host")
    p.set_defaults(func=cmd_console)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except CommandTimeout as e:
        print(f"kiosk-fleet: {e}", file=sys.stderr)
        return EXIT_TIMEOUT
    except BrokerUnavailable as e:
        print(f"kiosk-fleet: {e}", file=sys.stderr)
        return EXIT_BROKER
    except FleetError as e:
        print(f"kiosk-fleet: {e}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as e:
        print(f"kiosk-fleet: {e}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
