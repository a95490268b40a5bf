"""Issue 14 #5: a platform that trickles (one byte at a time, headers or body) cannot hold a
worker past the call's total deadline; the outbox never queues a second send behind a slow one.
A real HTTP server on loopback; every case bounded (deadline 1 s, asserted within 3 s)."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from kiosk.core.journal import Journal
from kiosk.platform.api import PlatformTimeout
from kiosk.platform.http_client import HttpPlatform
from kiosk.platform.outbox import OutboxSender

TRICKLE_FOR_S = 8.0  # the server gives up after this: a broken client still ends the test


class TrickleServer:
    """Answers every request one byte per `gap` seconds: in the status line and headers
    (mode 'headers') or in a body whose headers came at once (mode 'body')."""

    def __init__(self, mode: str, gap: float = 0.1) -> None:
        self.mode, self.gap = mode, gap
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._stop = threading.Event()
        self.requests = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.requests += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(2)
            try:
                conn.recv(65536)
                body = b'{"status": "ok", "time": "2026-01-01T00:00:00+08:00"}' + b" " * 4000
                head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                if self.mode == "headers":
                    slow, fast = head + body, b""
                else:
                    conn.sendall(head)
                    slow = body
                ends = time.monotonic() + TRICKLE_FOR_S
                for i in range(len(slow)):
                    if self._stop.is_set() or time.monotonic() > ends:
                        return
                    conn.sendall(slow[i:i + 1])
                    time.sleep(self.gap)
            except OSError:
                return

    def close(self) -> None:
        self._stop.set()
        self.sock.close()


@pytest.fixture(params=["headers", "body"])
def trickle(request):
    s = TrickleServer(request.param)
    yield s
    s.close()


def test_a_trickling_platform_is_cut_at_the_total_deadline(trickle):
    # Read timeout 2 s is never tripped by a byte every 0.1 s; the total deadline (1 s) is.
    client = HttpPlatform(trickle.url, connect_timeout_s=1.0, read_timeout_s=2.0, retries=2, backoff_s=0.1,
                          total_timeout_s=1.0)
    t0 = time.monotonic()
    with pytest.raises(PlatformTimeout):
        client.health()
    took = time.monotonic() - t0
    client.close()
    assert took < 3.0, f"held for {took:.1f} s"


def test_the_outbox_never_queues_a_send_behind_a_running_one(tmp_path, fake_clock):
    trickle = TrickleServer("headers")
    try:
        client = HttpPlatform(trickle.url, 1.0, 2.0, retries=0, backoff_s=0, total_timeout_s=1.0)
        journal = Journal(tmp_path / "j.sqlite3", fake_clock)
        journal.outbox_put("evaluation", {"level": 5}, "key-trickle-1")
        sender = OutboxSender(journal, client, fake_clock)
        queued: list = []
        submit = lambda fn, done: queued.append(fn)  # noqa: E731 - a pool that has not started it yet
        assert sender.schedule(submit) is True
        assert sender.schedule(submit) is False and len(queued) == 1  # ticks meanwhile queue nothing
        assert sender.deliver_due() == (0, 0)  # nor run beside it
        worker = threading.Thread(target=queued[0])
        t0 = time.monotonic()
        worker.start()
        worker.join(5)
        assert not worker.is_alive() and time.monotonic() - t0 < 3.0
        assert not sender.running and journal.outbox_pending_count() == 1  # failed, kept, not lost
        assert journal.rows("outbox")[0]["last_error"] == "timeout"
        client.close()
    finally:
        trickle.close()
