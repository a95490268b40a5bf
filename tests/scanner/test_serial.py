"""Serial 2D scanner over a real pseudo-terminal."""
from __future__ import annotations

import queue

import pytest

from devices.scanner import testmaterial as M
from devices.scanner.decode import Code
from devices.scanner.errors import SerialScannerError
from devices.scanner.serial_scanner import LineSplitter, SerialScanner, parse_serial_url, payload_to_code
from devices.scanner.serial_sim import ScannerSimulator
from devices.status import DEGRADED, OK


def collect(url: str, **kw):
    q: queue.Queue[Code] = queue.Queue()
    return SerialScanner(url, q.put, **kw), q


def get(q: queue.Queue, n: int, timeout: float = 5.0) -> list[Code]:
    return [q.get(timeout=timeout) for _ in range(n)]


def test_url_parsing():
    s = parse_serial_url("serial:///dev/ttyACM0?baud=115200&aim=1")
    assert (s.port, s.baud, s.aim, s.terminated) == ("/dev/ttyACM0", 115200, True, True)
    assert parse_serial_url("serial:///dev/ttyUSB0?suffix=none&idle_ms=50").idle_s == pytest.approx(0.05)
    for bad in ("camera://0", "serial://", "serial:///dev/x?baud=fast"):
        with pytest.raises(SerialScannerError):
            parse_serial_url(bad)


def test_line_splitter_accepts_cr_lf_and_crlf_across_chunks():
    s = LineSplitter()
    assert s.feed(b"AB") == []
    assert s.feed(b"C\r\nDE\rF") == [b"ABC", b"DE"]
    assert s.feed(b"\n\nG\n") == [b"F", b"G"]


@pytest.mark.parametrize("suffix", ["cr", "lf", "crlf"])
def test_codes_over_a_pty_decode_exactly(suffix):
    texts = [p for p in M.payloads() if p.symbology == "QRCODE"]
    with ScannerSimulator(suffix=suffix) as sim:
        scanner, q = collect(f"serial://{sim.path}?baud=9600")
        scanner.open()
        try:
            assert sim.wait_for_reader(5)
            for p in texts:
                sim.scan(p.raw)  # utf-8, gbk and gb18030 bytes exactly as in the code
            got = get(q, len(texts))
        finally:
            scanner.close()
    assert [(c.text, c.raw) for c in got] == [(p.text, p.raw) for p in texts]
    assert [c.encoding for c in got] == ["utf-8" if p.kind in ("utf8", "ascii") else "gb18030" for p in texts]
    assert all(c.symbology == "UNKNOWN" and c.method == "serial" for c in got)


def test_aim_identifiers_name_the_symbology():
    p = M.payload("zh_gbk")
    with ScannerSimulator(aim=True) as sim:
        scanner, q = collect(f"serial://{sim.path}?aim=1")
        scanner.open()
        try:
            sim.wait_for_reader(5)
            sim.scan(p.raw, "QRCODE")
            sim.scan("SB20240517-0042", "CODE128")
            got = get(q, 2)
        finally:
            scanner.close()
    assert [(c.symbology, c.text) for c in got] == [("QRCODE", p.text), ("CODE128", "SB20240517-0042")]


def test_unterminated_codes_end_at_a_pause():
    with ScannerSimulator(suffix="none") as sim:
        scanner, q = collect(f"serial://{sim.path}?suffix=none&idle_ms=60")
        scanner.open()
        try:
            sim.wait_for_reader(5)
            sim.scan("A017")
            assert get(q, 1)[0].text == "A017"
            sim.scan("B018")
            assert get(q, 1)[0].text == "B018"
        finally:
            scanner.close()


def test_a_port_that_does_not_exist_is_a_typed_error(tmp_path):
    scanner = SerialScanner(f"serial://{tmp_path}/ttyNONE")
    with pytest.raises(SerialScannerError) as e:
        scanner.open()
    assert e.value.reason == "cannot_open" and scanner.status().reason == "cannot_open"


def test_unplug_is_reported_and_the_port_reopened():
    """Unplug = the module's end goes away (the pty master closes): the driver's read fails,
    status goes degraded, and it reopens; here on a second simulator, as a replugged module
    that came back under another device node would be after a udev rename."""
    first, second = ScannerSimulator(), ScannerSimulator()
    paths = iter([first.path, second.path, second.path, second.path])

    def opener(spec):
        from devices.scanner.serial_scanner import _open_serial

        return _open_serial(type(spec)(next(paths), spec.baud, spec.aim, spec.terminated, spec.idle_s))

    statuses: list[str] = []
    scanner, q = collect(f"serial://{first.path}", opener=opener, backoff_s=0.01,
                         on_status=lambda st: statuses.append(f"{st.state}:{st.reason}"))
    scanner.open()
    try:
        first.wait_for_reader(5)
        first.scan("one")
        assert get(q, 1)[0].text == "one"
        first.close()  # unplug
        assert second.wait_for_reader(5)
        assert scanner.reopens == 1
        second.scan("two")
        assert get(q, 1)[0].text == "two"
        assert scanner.status().state == OK
        assert statuses == ["ok:", f"{DEGRADED}:disconnected", "ok:"]
    finally:
        scanner.close()
        second.close()


def test_payload_to_code_keeps_raw_bytes():
    c = payload_to_code("\u793e\u4fdd".encode("gbk"), aim=False)
    assert c.text == "\u793e\u4fdd" and c.encoding == "gb18030"
