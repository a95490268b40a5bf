"""sd_notify over a real unix datagram socket, and crash incidents without message text."""
from __future__ import annotations

import json
import os
import secrets
import socket
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from kiosk.core import watchdog
from kiosk.core.journal import Journal
from tests.ops.conftest import ID_NUMBER, NAME


@pytest.fixture
def notify_socket():
    # A short directory of its own: unix socket paths are limited to 107 bytes.
    d = Path(tempfile.mkdtemp(prefix="sdn-", dir="/tmp"))
    path = d / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2.0)
    yield str(path), sock
    sock.close()
    path.unlink(missing_ok=True)
    d.rmdir()


def test_ready_ping_status_stopping(notify_socket):
    path, sock = notify_socket
    n = watchdog.Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000"})
    assert n.enabled and n.watchdog_s == 30.0 and n.ping_interval_s == 15.0
    assert n.ready("start screen up")
    assert n.ping()
    assert n.status("printer: paper_out")
    assert n.stopping()
    got = [sock.recv(4096).decode() for _ in range(4)]
    assert got[0].split("\n") == ["READY=1", f"MAINPID={os.getpid()}", "STATUS=start screen up"]
    assert got[1:] == ["WATCHDOG=1", "STATUS=printer: paper_out", "STOPPING=1"]
    n.close()


def test_abstract_socket():
    name = f"kiosk-test-{secrets.token_hex(6)}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(2.0)
    try:
        n = watchdog.Notifier({"NOTIFY_SOCKET": "@" + name})
        assert n.ping() and sock.recv(100) == b"WATCHDOG=1"
        assert n.ping_interval_s is None  # no WATCHDOG_USEC: no watchdog
    finally:
        sock.close()


def test_no_op_without_notify_socket_and_survives_a_vanished_socket(notify_socket):
    n = watchdog.Notifier({})
    assert not n.enabled and not n.ready() and not n.ping() and n.ping_interval_s is None
    path, sock = notify_socket
    n = watchdog.Notifier({"NOTIFY_SOCKET": path})
    sock.close()
    os.unlink(path)
    assert n.ping() is False and n.errors == 1  # systemd gone: reported, not raised


def test_watchdog_usec_parsing():
    assert watchdog.watchdog_usec({"WATCHDOG_USEC": "2000000"}) == 2_000_000
    assert watchdog.watchdog_usec({"WATCHDOG_USEC": "2000000", "WATCHDOG_PID": str(os.getpid())}) == 2_000_000
    assert watchdog.watchdog_usec({"WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "1"}) is None  # not ours
    assert watchdog.watchdog_usec({"WATCHDOG_USEC": "soon"}) is None
    assert watchdog.watchdog_usec({}) is None
    with pytest.raises(watchdog.NotifyError):
        watchdog.Notifier({"NOTIFY_SOCKET": "relative/path"})


def _crash_with_personal_data() -> None:
    raise ValueError(f"{NAME} {ID_NUMBER} does not match")


def test_crash_incident_has_type_and_frames_but_no_message(tmp_path, fake_clock):
    journal = Journal(tmp_path / "j.sqlite3", fake_clock)
    try:
        try:
            _crash_with_personal_data()
        except ValueError as inner:
            raise RuntimeError(f"wrapped {NAME}") from inner
    except RuntimeError as e:
        watchdog.record_crash(journal, e)
    (row,) = journal.rows("incidents")
    assert row["kind"] == "crash"
    detail = json.loads(row["detail"])
    assert detail["type"] == "RuntimeError"
    assert any(f.startswith("tests/ops/test_watchdog.py:") for f in detail["frames"])
    assert detail["causes"][0]["type"] == "ValueError" and "_crash_with_personal_data" in detail["causes"][0]["at"]
    assert NAME not in row["detail"] and ID_NUMBER not in row["detail"] and "match" not in row["detail"]


def test_excepthooks_journal_main_thread_and_thread_crashes(tmp_path, fake_clock):
    journal = Journal(tmp_path / "j.sqlite3", fake_clock)
    seen = []
    before = (sys.excepthook, threading.excepthook)
    uninstall = watchdog.install_excepthook(journal, on_crash=seen.append)
    try:
        try:
            _crash_with_personal_data()
        except ValueError:
            sys.excepthook(*sys.exc_info())
        t = threading.Thread(target=_crash_with_personal_data, name="printer-worker")
        t.start()
        t.join()
    finally:
        uninstall()
    assert (sys.excepthook, threading.excepthook) == before
    rows = journal.rows("incidents")
    assert [json.loads(r["detail"])["type"] for r in rows] == ["ValueError", "ValueError"]
    assert json.loads(rows[1]["detail"])["thread"] == "printer-worker"
    assert all(NAME not in r["detail"] and ID_NUMBER not in r["detail"] for r in rows)
    assert len(seen) == 2


def test_a_broken_journal_does_not_break_the_crash_path():
    class Broken:
        def incident(self, kind, detail):
            raise OSError("disk full")

    detail = watchdog.record_crash(Broken(), ValueError("x"))
    assert detail["type"] == "ValueError"
