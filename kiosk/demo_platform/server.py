"""The bundled demo platform: a real HTTP server on loopback, seeded from seed.json.

It is the default platform of `kiosk run`, so a fresh machine works without a network, and the
integration tests run the real client code path against it. A fault switch (`set_fault`) makes
it misbehave the ways real platforms do, for tests and the demo simulator panel.

Stdlib only. State lives in memory and is lost on restart, like a demo should.

    python -m kiosk.demo_platform.server --port 8700
"""
from __future__ import annotations

import argparse
import copy
import json
import logging
import re
import threading
from datetime import datetime, timezone, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.demo_platform.replies import error
from kiosk.demo_platform.services import KEEP_DOCUMENTS, KEEP_VERIFICATIONS, DemoServices, Refusal
from kiosk.platform.callback import KIND as CALLBACK, phone_number

if TYPE_CHECKING:
    from http.server import ThreadingHTTPServer

log = logging.getLogger(__name__)

SEED_PATH = Path(__file__).with_name("seed.json")
FAULTS = ("none", "down", "slow", "error500", "garbage", "wrong_shape")
# Face verification carries a JPEG (base64 in JSON): a face crop is tens of kilobytes.
_SUBMISSIONS = "/api/v1/submissions/"
_KIND = re.compile(r"^[a-z_]{1,32}$")
_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# The demo hall is in China; times carry the +08:00 offset a real platform there would send.
_CST = timezone(timedelta(hours=8))


def _now() -> str:
    return datetime.now(_CST).isoformat(timespec="seconds")




KEEP_RECORDS = 2000  # requests logged, submissions and tickets remembered (oldest dropped)


class DemoPlatformServer:
    """The demo platform. `start()` serves in a daemon thread and returns the base URL."""

    def __init__(self, seed_path: str | Path | None = None, port: int = 0) -> None:
        self.seed_path = Path(seed_path) if seed_path else SEED_PATH
        self.port = port
        self.seed: dict[str, Any] = json.loads(self.seed_path.read_text(encoding="utf-8"))
        self.fault = "none"
        # How long "slow" mode holds each request. Tests set it just above the client's read
        # timeout so they stay fast; the demo panel leaves it long enough to see a spinner.
        self.slow_s = 10.0
        self._lock = threading.Lock()
        self._start_lock = threading.Lock()
        # Wakes requests held by "slow" mode when the mode changes or the server stops, and
        # lets wait_idle() see the last request finish.
        self._changed = threading.Condition(self._lock)
        self._stopping = False
        self._inflight = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._requests: list[tuple[str, str]] = []
        self.requests_total = 0  # every request ever received (the log above keeps the newest)
        self.keep = KEEP_RECORDS
        self._base_url = ""
        # The 24-hour catalog services (identity, certificates, licences, guides...).
        self.services = DemoServices(self.seed, lambda: self._base_url, _now)
        self.reset()

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL; asking for it starts the server if nothing has yet (the kiosk's embedded
        platform serves from its first call, after the start screen's first frame)."""
        if not self._base_url:
            return self.start()
        return self._base_url

    def start(self) -> str:
        with self._start_lock:  # the UI thread and a worker may both ask for the url first
            return self._start()

    def _start(self) -> str:
        if self._httpd is not None:
            return self._base_url
        # Here, not at import: http.server and what it pulls in (email, html, http.client) cost
        # the kiosk ~25 ms of start-up before its first frame.
        from kiosk.demo_platform.http import Handler, Server

        with self._lock:
            self._stopping = False
        httpd = Server(("127.0.0.1", self.port), Handler)
        httpd.platform = self
        self._httpd = httpd
        self._base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
        # A short poll interval keeps stop() quick; the loop is idle-cheap either way.
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="demo-platform", daemon=True
        )
        self._thread.start()
        log.info("demo platform serving on %s", self.url)
        return self.url

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "DemoPlatformServer":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- control (tests, demo simulator panel) ----------------------------------------------

    def set_fault(self, mode: str) -> None:
        if mode not in FAULTS:
            raise ValueError(f"fault must be one of {FAULTS}, got {mode!r}")
        with self._changed:
            self.fault = mode
            self._changed.notify_all()
        log.info("demo platform fault: %s", mode)

    def retain(self, records: int | None) -> None:
        """Keep only the newest `records` of each kind (requests logged, tickets, submissions,
        documents, face verifications), from the next one on; None: the usual bounds again. The UI
        soak sets this below its warm-up: the platform stands in the kiosk's own process there,
        and filling its records up to the usual bound (2,000) took the whole of a 2,000-session
        run, a few kilobytes a session that the soak counted as the kiosk's growth."""
        usual = (KEEP_RECORDS, KEEP_DOCUMENTS, KEEP_VERIFICATIONS)
        keep, documents, verifications = usual if records is None else (max(1, int(records)),) * 3
        with self._lock:
            self.keep = keep
        self.services.keep_documents, self.services.keep_verifications = documents, verifications

    def reset(self) -> None:
        """Back to the seed: queue counts, no tickets, no submissions, request log cleared."""
        with self._lock:
            self._queue = {qt["id"]: copy.deepcopy(qt) for qt in self.seed["queue_types"]}
            self._issued = {qt_id: 0 for qt_id in self._queue}
            self._tickets_by_key: dict[str, dict[str, Any]] = {}
            self._tickets_by_number: dict[str, dict[str, Any]] = {}
            self._submissions_by_key: dict[str, dict[str, Any]] = {}
            self._submissions: list[dict[str, Any]] = []
            self._requests.clear()
        self.services.reset()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no request is being handled (e.g. ones released from "slow" mode)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._inflight == 0, timeout)

    def request_log(self) -> list[tuple[str, str]]:
        """(method, path) of every request received, including those a fault mode dropped."""
        with self._lock:
            return list(self._requests)

    def request_count(self, method: str, path: str) -> int:
        return sum(1 for r in self.request_log() if r == (method, path))

    def submissions(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._submissions)

    # -- request handling (called from handler threads) ------------------------------------

    def _record(self, method: str, path: str) -> None:
        with self._lock:
            self.requests_total += 1
            self._requests.append((method, path))
            del self._requests[:-self.keep]

    def _current_fault(self) -> str:
        with self._lock:
            return self.fault

    def _hold(self) -> None:
        # Held until slow_s passes, or until the platform "recovers" (fault changed) or stops.
        with self._changed:
            self._changed.wait_for(lambda: self.fault != "slow" or self._stopping, self.slow_s)

    def _enter(self) -> None:
        with self._changed:
            self._inflight += 1

    def _leave(self) -> None:
        with self._changed:
            self._inflight -= 1
            self._changed.notify_all()

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, Any]:
        route = path.split("?", 1)[0]
        if method == "GET" and route == "/api/v1/health":
            return 200, {"status": "ok", "service": "kiosk-demo-platform", "time": _now()}
        if method == "GET" and route == "/api/v1/catalog":
            return 200, {"departments": self.seed["departments"]}
        if method == "GET" and route == "/api/v1/queue/types":
            return 200, {"queue_types": self._queue_types()}
        if method == "POST" and route == "/api/v1/queue/tickets":
            return self._issue_ticket(headers, body)
        if method == "GET" and route == "/api/v1/submissions":
            return 200, {"submissions": self.submissions()}
        if method == "POST" and route.startswith(_SUBMISSIONS):
            return self._submit(route[len(_SUBMISSIONS):], headers, body)
        try:
            if method == "GET":
                routed = self.services.get(route)
            elif route in self.services.POST_ROUTES:
                key = _idempotency_key(headers)
                routed = self.services.post(route, _json_object(body), key)
            else:
                routed = None
        except Refusal as r:
            raise error(r.status, r.code, r.message) from None
        if routed is not None:
            return routed
        raise error(404, "not_found", f"no route for {method} {route}")

    def _queue_types(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {"id": q["id"], "title": q["title"], "counter_group": q["counter_group"], "waiting": q["waiting"]}
                for q in self._queue.values()
            ]

    def _issue_ticket(self, headers: Any, body: bytes) -> tuple[int, Any]:
        key = _idempotency_key(headers)
        req = _json_object(body)
        type_id, terminal_id = req.get("type_id"), req.get("terminal_id")
        if not isinstance(type_id, str) or not isinstance(terminal_id, str) or not terminal_id:
            raise error(400, "bad_request", "type_id and terminal_id must be strings")
        with self._lock:
            seen = self._tickets_by_key.get(key)
            if seen is not None:
                if seen["type_id"] != type_id:
                    raise error(409, "idempotency_key_reused", "this key was used for another queue type")
                return 200, {"ticket": copy.deepcopy(seen)}
            qt = self._queue.get(type_id)
            if qt is None:
                raise error(404, "unknown_queue_type", f"no queue type {type_id!r}")
            self._issued[type_id] += 1
            # Halls reset numbers daily; a demo that runs for days just wraps after 999.
            seq = (self._issued[type_id] - 1) % 999 + 1
            number = f"{qt['prefix']}{seq:03d}"
            ticket = {
                "number": number,
                "type_id": type_id,
                "title": qt["title"],
                "counter_group": qt["counter_group"],
                "waiting": qt["waiting"],  # people ahead of this ticket
                "issued_at": _now(),
                "verify_url": f"{self._base_url}/t/{number}",
                "extra": {"terminal_id": terminal_id},
            }
            qt["waiting"] += 1
            self._tickets_by_key[key] = ticket
            self._tickets_by_number[number] = ticket
            for book in (self._tickets_by_key, self._tickets_by_number):
                while len(book) > self.keep:
                    book.pop(next(iter(book)))
            return 201, {"ticket": copy.deepcopy(ticket)}

    def _submit(self, kind: str, headers: Any, body: bytes) -> tuple[int, Any]:
        if not _KIND.match(kind):
            raise error(404, "unknown_kind", "submission kind must match ^[a-z_]{1,32}$")
        key = _idempotency_key(headers)
        payload = _json_object(body)
        if kind == CALLBACK and phone_number(payload.get("phone")) != payload.get("phone"):
            # a callback is a number staff can dial (digits only, as the kiosk sends it): 422 parks it
            raise error(422, "bad_phone", "callback needs phone: a mainland mobile or a landline with area code")
        with self._lock:
            seen = self._submissions_by_key.get(key)
            if seen is not None:
                if seen["kind"] != kind or seen["payload"] != payload:
                    raise error(409, "idempotency_key_reused", "this key was used for a different record")
                return 200, {"submission": {**copy.deepcopy(seen), "duplicate": True}}
            record = {
                "id": f"S{len(self._submissions) + 1:06d}",
                "kind": kind,
                "idempotency_key": key,
                "received_at": _now(),
                "payload": payload,
            }
            self._submissions_by_key[key] = record
            self._submissions.append(record)
            # A demo platform left running for days keeps the newest records only.
            del self._submissions[:-self.keep]
            while len(self._submissions_by_key) > self.keep:
                self._submissions_by_key.pop(next(iter(self._submissions_by_key)))
            return 201, {"submission": {**copy.deepcopy(record), "duplicate": False}}

    def ticket_page(self, number: str) -> str | None:
        with self._lock:
            t = self._tickets_by_number.get(number)
            if t is None:
                return None
            return f"{t['number']} {t['title']['zh_CN']} counters {t['counter_group']} {t['issued_at']}\n"


def _idempotency_key(headers: Any) -> str:
    key = headers.get("Idempotency-Key")
    if not key:
        raise error(400, "missing_idempotency_key", "POST needs an Idempotency-Key header")
    if not _KEY.match(key):
        raise error(400, "bad_idempotency_key", "Idempotency-Key must be 1-128 of [A-Za-z0-9._:-]")
    return str(key)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise error(400, "bad_json", "body must be a UTF-8 JSON object") from None
    if not isinstance(value, dict):
        raise error(400, "bad_json", "body must be a JSON object")
    return value


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kiosk.demo_platform.server", description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8700)
    ap.add_argument("--seed", type=Path, default=None, help="seed JSON (default: the bundled seed.json)")
    ap.add_argument("--fault", choices=FAULTS, default="none")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    server = DemoPlatformServer(args.seed, port=args.port)
    server.set_fault(args.fault)
    url = server.start()
    print(f"demo platform on {url} (Ctrl-C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
