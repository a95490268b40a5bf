"""The demo platform's HTTP side: a threaded server on loopback, the request handler (limits,
faults, routing to DemoPlatformServer.handle) and the error replies. kiosk/demo_platform/server.py
holds the platform's state and answers."""
from __future__ import annotations

import json
import sys
import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from kiosk.demo_platform.replies import Reply, error

if TYPE_CHECKING:
    from kiosk.demo_platform.server import DemoPlatformServer

log = logging.getLogger("kiosk.demo_platform.server")

MAX_BODY = 64 * 1024
MAX_FACE_BODY = 2 * 1024 * 1024
_FACE_ROUTE = "/api/v1/identity/face"


def _wrong_shape(path: str) -> Any:
    """Valid JSON in the shape of each reply with one field of the wrong type."""
    if path.startswith("/api/v1/catalog"):
        return {"departments": [{"id": 101, "title": {"zh_CN": "Social insurance"}, "items": []}]}
    if path.startswith("/api/v1/queue/types"):
        return {"queue_types": [{"id": "A", "title": {"zh_CN": "Social insurance business"}, "counter_group": "1-4", "waiting": "12"}]}
    if path.startswith("/api/v1/queue/tickets"):
        return {"ticket": {"number": 17, "type_id": "A"}}
    if path.startswith("/api/v1/submissions"):
        return {"submission": {"id": "S000001", "kind": "evaluation", "received_at": "2024-05-01T10:00:00+08:00", "duplicate": "no"}}
    return {"status": 503}


class Server(ThreadingHTTPServer):
    daemon_threads = True  # a request held by "slow" mode must not keep the process alive
    platform: DemoPlatformServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that timed out and hung up are part of the fault modes, not server bugs.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        log.exception("demo platform: request failed")


class Handler(BaseHTTPRequestHandler):
    server: Server
    server_version = "KioskDemoPlatform/1"
    # HTTP/1.0: one request per connection, so a fault switch takes effect on the very next
    # request instead of after an idle keep-alive connection dies.
    protocol_version = "HTTP/1.0"
    # A client that connects and never sends a request must not hold a thread forever.
    timeout = 10

    def handle(self) -> None:
        platform = self.server.platform
        platform._enter()
        try:
            self._handle()
        finally:
            platform._leave()

    def _handle(self) -> None:
        platform = self.server.platform
        if platform._current_fault() == "down":
            # Read the request line only to count the attempt, then hang up without a word:
            # the client sees the connection drop, as with a crashed platform behind a proxy.
            line = self.rfile.readline(65537).decode("latin-1").split()
            if len(line) >= 2:
                platform._record(line[0], line[1].split("?", 1)[0])
            self.close_connection = True
            return
        super().handle()

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        platform = self.server.platform
        route = self.path.split("?", 1)[0]
        platform._record(method, route)
        try:
            body = self._read_body(MAX_FACE_BODY if route == _FACE_ROUTE else MAX_BODY) if method == "POST" else b""
            fault = platform._current_fault()
            if fault == "slow":
                platform._hold()
            if method == "GET" and route.startswith("/t/"):
                self._ticket_page(route[3:])
                return
            if method == "GET" and route.startswith(("/a/", "/g/", "/v/")):
                self._page(route)
                return
            if fault == "error500":
                raise error(500, "internal_error", "simulated platform failure")
            if fault == "garbage":
                self._send(200, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
                return
            if fault == "wrong_shape":
                raise Reply(200, _wrong_shape(route))
            status, reply = platform.handle(method, self.path, self.headers, body)
        except Reply as r:
            status, reply = r.status, r.body
        except Exception:
            log.exception("demo platform: %s %s failed", method, route)
            status, reply = 500, {"error": {"code": "internal_error", "message": "demo platform bug"}}
        data = json.dumps(reply, ensure_ascii=False).encode("utf-8")
        self._send(status, data, "application/json; charset=utf-8")

    def _read_body(self, limit: int = MAX_BODY) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise error(411, "length_required", "POST needs a Content-Length")
        if int(length) > limit:
            raise error(413, "payload_too_large", f"body over {limit} bytes")
        return self.rfile.read(int(length))

    def _ticket_page(self, number: str) -> None:
        page = self.server.platform.ticket_page(number)
        if page is None:
            self._send(404, b"no such ticket\n", "text/plain; charset=utf-8")
        else:
            self._send(200, page.encode("utf-8"), "text/plain; charset=utf-8")

    def _page(self, route: str) -> None:
        page = self.server.platform.services.page(route)
        if page is None:
            self._send(404, b"not found\n", "text/plain; charset=utf-8")
        else:
            self._send(200, page.encode("utf-8"), "text/plain; charset=utf-8")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        # The default writes every request line to stderr; debug level keeps the console clean.
        log.debug("demo platform: " + format, *args)
