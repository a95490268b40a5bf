"""Camera scanner: one event per presentation of a code."""
from __future__ import annotations

from devices.scanner.decode import Code
from devices.scanner.scanner import CameraScanner, Debouncer


def code(text: str, symbology: str = "QRCODE") -> Code:
    return Code(symbology, text, text.encode(), "utf-8", (), (0, 0, 0, 0))


def test_debouncer_one_event_per_presentation():
    d = Debouncer(gone_after_s=1.0)
    a, b = code("a"), code("b")
    assert d.feed([a], 0.0) == [a]
    assert d.feed([a], 0.1) == []
    assert d.feed([], 0.2) == []  # a missed frame (motion blur) inside the presentation
    assert d.feed([a, b], 0.9) == [b]
    assert d.feed([a], 1.5) == []  # still held: last seen 0.9
    assert d.feed([], 2.6) == []  # gone for > 1 s
    assert d.feed([a], 2.7) == [a]  # shown again: a new presentation


def test_same_text_in_another_symbology_is_another_code():
    d = Debouncer()
    assert len(d.feed([code("A017"), code("A017", "CODE128")], 0.0)) == 2


def test_scanner_gives_one_event_per_presentation_in_a_video(presentation_video):
    path, shows, _ = presentation_video
    events: list[Code] = []
    scanner = CameraScanner(f"file://{path}", events.append, gone_after_s=1.0)
    scanner.open()
    try:
        scanner.run()  # returns at the end of the file
    finally:
        scanner.close()
    assert [(e.symbology, e.text) for e in events] == [(s.payload.symbology, s.payload.text) for s in shows]
    assert scanner.frames_seen == 86


def test_a_failing_listener_does_not_stop_scanning(presentation_video):
    path, shows, _ = presentation_video
    seen = []

    def listener(c: Code) -> None:
        seen.append(c)
        raise RuntimeError("listener bug")

    scanner = CameraScanner(f"file://{path}", listener)
    scanner.open()
    try:
        scanner.run()
    finally:
        scanner.close()
    assert len(seen) == len(shows)


def test_start_runs_in_a_thread_and_ends_with_the_file(presentation_video):
    import threading

    path, shows, _ = presentation_video
    done = threading.Event()
    events = []

    def on_code(c: Code) -> None:
        events.append(c)
        if len(events) == len(shows):
            done.set()

    scanner = CameraScanner(f"file://{path}", on_code)
    scanner.start()
    try:
        assert done.wait(20)
    finally:
        scanner.close()
    assert scanner.ended or len(events) == len(shows)


def test_self_test_reports_status(presentation_video, tmp_path):
    path, _, _ = presentation_video
    assert CameraScanner(f"file://{path}").self_test().state == "ok"
    bad = CameraScanner(f"file://{tmp_path}/missing.avi").self_test()
    assert bad.state == "fault" and bad.reason == "cannot_open"
