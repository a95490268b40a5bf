"""The ESC/POS driver against the real emulator over TCP, in every state."""
from __future__ import annotations

import inspect
import socket
import threading
import time

import pytest
from PIL import ImageChops

from devices.printer import samples
from devices.printer.driver import EscPosPrinter
from devices.printer.layout import Paper
from devices.printer.memory import PrintError
from devices.printer.raster import render
from devices.printer.transport import TransportError, from_url, FileTransport, SerialTransport, TcpTransport
from devices.status import DEGRADED, FAULT, OK


def ticket(lang: str = "bo"):
    return samples.sample("queue_ticket", lang, with_zh=lang in ("bo", "ii"))


def test_ok_prints_one_receipt_and_a_png(emulator, make_printer, shaper):
    p = make_printer(emulator.url)
    assert p.status().state == OK
    doc = ticket()
    p.print_document(doc)
    (r,) = emulator.wait_receipts(1)
    assert r.complete and r.path is not None and r.path.is_file()
    assert r.image.width == 576
    # What came out is what was rendered, dot for dot (plus the feed to the cutter).
    expected = render(doc, shaper, Paper(width=576))
    assert r.rows == expected.height
    top = r.image.crop((0, 0, 576, expected.height))
    assert ImageChops.difference(top.convert("L"), expected.convert("L")).getbbox() is None
    assert r.image.height == expected.height + p.feed_dots


def test_58mm_paper(emulator, make_printer):
    p = make_printer(emulator.url, width=384)
    p.print_document(ticket("ii"))
    (r,) = emulator.wait_receipts(1)
    assert r.image.width == 384 and r.complete


def test_near_end_prints_and_is_degraded(emulator, make_printer):
    emulator.set_state("near_end")
    p = make_printer(emulator.url)
    st = p.status()
    assert (st.state, st.reason, st.usable) == (DEGRADED, "paper_near_end", True)
    p.print_document(ticket())
    assert len(emulator.wait_receipts(1)) == 1


@pytest.mark.parametrize("state, reason", [("paper_out", "paper_out"), ("cover_open", "cover_open"),
                                           ("offline", "offline"), ("error", "printer_error")])
def test_faults_refuse_the_job_with_the_reason(emulator, make_printer, state, reason):
    emulator.set_state(state)
    p = make_printer(emulator.url)
    st = p.status()
    assert (st.state, st.reason) == (FAULT, reason)
    with pytest.raises(PrintError) as e:
        p.print_document(ticket())
    assert e.value.reason == reason
    time.sleep(0.05)
    assert emulator.receipts == []


def test_the_error_cause_is_asked(emulator, make_printer):
    emulator.set_state("error")
    assert "autocutter" in make_printer(emulator.url).status().detail


def test_silent_printer_is_not_responding_never_ok(emulator, make_printer):
    emulator.set_state("silent")
    p = make_printer(emulator.url, status_timeout_s=0.3)
    t0 = time.monotonic()
    st = p.status()
    elapsed = time.monotonic() - t0
    assert (st.state, st.reason) == (FAULT, "not_responding")
    assert 0.25 <= elapsed < 1.0
    with pytest.raises(PrintError) as e:
        p.print_document(ticket())
    assert e.value.reason == "not_responding"


def test_the_default_status_timeout_is_5_s():
    assert inspect.signature(EscPosPrinter).parameters["status_timeout_s"].default == 5.0
    assert EscPosPrinter("tcp://127.0.0.1:9").status_timeout_s == 5.0


def test_state_changes_while_running(emulator, make_printer):
    p = make_printer(emulator.url)
    seen = []
    for state in ("ok", "near_end", "cover_open", "paper_out", "silent", "ok"):
        emulator.set_state(state)
        seen.append(p.status().reason or "ok")
    assert seen == ["ok", "paper_near_end", "cover_open", "paper_out", "not_responding", "ok"]


def test_an_idle_connection_closed_by_the_printer_is_reopened(emulator, make_printer):
    p = make_printer(emulator.url)
    assert p.status().state == OK
    deadline = time.monotonic() + 2
    while emulator.drop_connections() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    assert p.status().state == OK  # not a "not responding" blink
    p.print_document(ticket())
    assert emulator.wait_receipts(1)[0].complete


def test_no_printer_at_all_is_not_responding(make_printer):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    st = make_printer(f"tcp://127.0.0.1:{port}").status()
    assert (st.state, st.reason) == (FAULT, "not_responding")


def test_paper_running_out_mid_job_is_an_interruption(emulator, make_printer):
    p = make_printer(emulator.url)
    emulator.run_out_after_rows(300)
    with pytest.raises(PrintError) as e:
        p.print_document(ticket())
    assert e.value.reason == "interrupted:paper_out"
    deadline = time.monotonic() + 2
    while emulator.clear_requests == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert emulator.clear_requests == 1  # the rest of the job is dropped, not kept for later
    (r,) = emulator.receipts
    assert not r.complete and r.rows == 300 and r.path.name.endswith("-partial.png")


class DroppingServer:
    """Answers the status query as a healthy printer, then hangs up in the middle of the job."""

    def __init__(self, drop_after: int = 2000) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.url = f"tcp://127.0.0.1:{self.sock.getsockname()[1]}"
        self.drop_after = drop_after
        self.jobs = 0
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                got = 0
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    if data.startswith(b"\x10\x04\x01") and got == 0:
                        conn.sendall(b"\x12\x12\x12")
                        continue
                    got += len(data)
                    if got >= self.drop_after:
                        self.jobs += 1
                        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                        break  # closes with a reset: the cable is pulled
            if self.jobs:
                self.sock.close()  # and the printer stays gone
                return


def test_connection_dropped_mid_job_is_an_interruption(make_printer):
    server = DroppingServer()
    p = make_printer(server.url)
    with pytest.raises(PrintError) as e:
        p.print_document(ticket())
    assert e.value.reason == "interrupted:connection_lost"
    assert p.status().reason == "not_responding"


def test_settle_watches_the_status_while_paper_comes_out(emulator, shaper):
    clock = [0.0]
    sleeps = []

    def sleep(s):
        sleeps.append(s)
        clock[0] += s

    p = EscPosPrinter(emulator.url, shaper=shaper, status_timeout_s=0.5, paper_speed_mm_s=250.0,
                      monotonic=lambda: clock[0], sleep=sleep)
    try:
        p.print_document(ticket())
    finally:
        p.close()
    # About (rows + feed) / 8 / 250 seconds of paper, watched in 0.25 s steps.
    rows = emulator.wait_receipts(1)[0].image.height
    assert sum(sleeps) == pytest.approx(rows / 8 / 250, abs=0.01)
    assert max(sleeps) <= 0.25


def test_self_test_prints_a_ruler(emulator, make_printer):
    p = make_printer(emulator.url, width=384)
    assert p.self_test().state == OK
    assert emulator.receipts == []
    assert p.self_test(print_page=True).state == OK
    (r,) = emulator.wait_receipts(1)
    assert r.image.width == 384 and r.image.getpixel((0, 60)) == 0 and r.image.getpixel((383, 60)) == 0


def test_file_sink_prints_without_status(tmp_path, make_printer):
    out = tmp_path / "job.bin"
    p = make_printer(f"file://{out}")
    st = p.status()
    assert (st.state, st.reason) == (DEGRADED, "status_unavailable")
    p.print_document(ticket("zh_CN"))
    data = out.read_bytes()
    assert data.startswith(b"\x1b\x40\x1d\x76\x30\x00") and data.endswith(b"\x1d\x56\x00")


def test_urls():
    assert isinstance(from_url("tcp://10.0.0.9:9100"), TcpTransport)
    assert from_url("tcp://printer").port == 9100
    s = from_url("serial:///dev/ttyS1?baud=19200&flow=none")
    assert isinstance(s, SerialTransport) and (s.device, s.baud, s.flow) == ("/dev/ttyS1", 19200, "none")
    u = from_url("usb://0x0416:0x5011")
    assert (u.vid, u.pid, u.in_ep, u.out_ep) == (0x0416, 0x5011, 0x82, 0x01)
    assert isinstance(from_url("file:///dev/usb/lp0"), FileTransport)
    for bad in ("lpt://1", "tcp://", "serial://", "serial:///dev/ttyS1?flow=magic", "usb://zz:1"):
        with pytest.raises(TransportError) as e:
            from_url(bad)
        assert e.value.reason == "bad_url"
