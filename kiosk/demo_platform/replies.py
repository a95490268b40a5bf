"""The demo platform's error replies, apart from its HTTP server (kiosk/demo_platform/http.py):
the platform's answers (server.py) raise them without importing http.server, which the kiosk
loads only when its first platform call starts the embedded server."""
from __future__ import annotations

from typing import Any


class Reply(Exception):
    """Ends a request with this status and JSON body (keeps handlers free of nested ifs)."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def error(status: int, code: str, message: str) -> Reply:
    return Reply(status, {"error": {"code": code, "message": message}})
