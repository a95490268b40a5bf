"""Run the help desk: `python -m kiosk.helpdesk.server serve --staff staff.json --port 8090`, or
embedded on loopback (the demo profile, tests, the bench) with `Embedded`.

    python -m kiosk.helpdesk.server add-staff --staff staff.json NAME ROLE LANG[,LANG...]
reads the password from standard input (never from the command line, where `ps` shows it)."""
from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
import time
from pathlib import Path

from kiosk.helpdesk.app import build_app
from kiosk.helpdesk.hub import Hub
from kiosk.helpdesk.queue import Queue
from kiosk.helpdesk.staff import Directory


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Embedded:
    """The help desk on a thread, on 127.0.0.1 only."""

    def __init__(self, staff: Directory | None = None, port: int = 0, queue: Queue | None = None,
                 kiosk_token: str | None = None) -> None:
        import uvicorn

        self.staff = staff or Directory()
        self.hub = Hub(queue or Queue())
        self.port = port or free_port()
        app = build_app(self.hub, self.staff, kiosk_token=kiosk_token)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    ws="websockets-sansio", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, name="helpdesk", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> "Embedded":
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the help desk did not start")
            time.sleep(0.02)
        return self

    def close(self) -> None:
        self.server.should_exit = True
        if self.thread.is_alive():
            self.thread.join(10)


def start_demo(languages: tuple[str, ...] = ("zh_CN", "bo", "ii", "en")) -> Embedded:
    """The demo profile's help desk: on loopback, one staff account with a fresh password, started
    on a thread so the kiosk's first frame does not wait for it. Prints where to log in."""
    import secrets

    desk = Embedded(Directory())
    password = secrets.token_urlsafe(9)

    def run() -> None:
        desk.staff.add("demo", password, "supervisor", languages)
        desk.start()
        print(f"video help desk (staff console): {desk.url}/  user demo, password {password}", flush=True)

    threading.Thread(target=run, name="helpdesk-start", daemon=True).start()
    return desk


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kiosk.helpdesk.server")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--staff", type=Path, required=True)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8090)
    s.add_argument("--kiosk-token-file", type=Path, help="kiosks must present this token to join")
    s.add_argument("--secure-cookie", action="store_true", help="behind TLS (every real deployment)")
    s.add_argument("--ice-servers", type=Path, help="JSON list of RTCIceServer dicts (TURN) for the consoles")
    a = sub.add_parser("add-staff")
    a.add_argument("--staff", type=Path, required=True)
    a.add_argument("name")
    a.add_argument("role", choices=("agent", "supervisor"))
    a.add_argument("languages", help="comma-separated, strongest first (e.g. bo,zh_CN)")
    args = ap.parse_args(argv)
    if args.cmd == "add-staff":
        Directory(args.staff).add(args.name, sys.stdin.readline().rstrip("\n"), args.role,
                                  tuple(x for x in args.languages.split(",") if x))
        return 0
    import uvicorn

    token = args.kiosk_token_file.read_text(encoding="utf-8").strip() if args.kiosk_token_file else None
    ice = json.loads(args.ice_servers.read_text(encoding="utf-8")) if args.ice_servers else None
    app = build_app(Hub(Queue()), Directory(args.staff), kiosk_token=token, secure_cookie=args.secure_cookie,
                    ice_servers=ice)
    uvicorn.run(app, host=args.host, port=args.port, ws="websockets-sansio")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
