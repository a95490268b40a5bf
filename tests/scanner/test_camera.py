"""Frame sources: URLs, files end at end of file, live sources reopen after a stall."""
from __future__ import annotations

import threading
import time

import cv2
import numpy as np
import pytest

from devices.scanner import testmaterial as M
from devices.scanner.camera import EndOfStream, FrameSource
from devices.scanner.capture import SourceSpec, parse_source
from devices.scanner.errors import SourceError
from devices.status import DEGRADED, FAULT, OK
from tests.support.waiting import wait_until


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeCapture:
    """Stands in for cv2.VideoCapture: delivers numbered frames, then misbehaves the way an
    unplugged USB camera does (blocks in read, fails, or repeats the last buffer)."""

    def __init__(self, tag: int, mode: str = "ok", after: int = 2, opened: bool = True) -> None:
        self.tag, self.mode, self.after, self.opened = tag, mode, after, opened
        self.reads = 0
        self.released = threading.Event()
        self.blocked = threading.Event()
        self.unblock = threading.Event()

    def isOpened(self) -> bool:
        return self.opened

    def read(self):
        self.reads += 1
        if self.reads > self.after:
            if self.mode == "block":
                self.blocked.set()
                self.unblock.wait(10)
                return False, None
            if self.mode == "fail":
                return False, None
            if self.mode == "freeze":
                return True, np.full((48, 64), self.tag, np.uint8)
        time.sleep(0.002)
        img = np.full((48, 64), self.tag, np.uint8)
        img[0, 0] = self.reads % 256  # frames differ, like a real sensor's
        return True, img

    def release(self) -> None:
        self.released.set()

    def get(self, prop: int) -> float:
        return 0.0

    def set(self, prop: int, value: float) -> bool:
        return True


def factory(*caps: FakeCapture):
    it = iter(caps)
    opened: list[FakeCapture] = []

    def make(spec: SourceSpec) -> FakeCapture:
        cap = next(it)
        opened.append(cap)
        return cap

    make.opened = opened  # type: ignore[attr-defined]
    return make


def read_tag(src: FrameSource, tag: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        f = src.read(0.2)
        if f is not None and int(f.image[1, 1]) == tag:
            return True
    return False


# -- URLs ------------------------------------------------------------------------------------

@pytest.mark.parametrize("url,kind,target", [
    ("camera://0", "camera", 0),
    ("camera://2?width=1280&height=720", "camera", 2),
    ("camera:///dev/video3", "camera", "/dev/video3"),
    ("file:///tmp/a%20b.avi", "file", "/tmp/a b.avi"),
    ("/tmp/x.png", "file", "/tmp/x.png"),
    ("rtsp://10.0.0.5/stream1", "rtsp", "rtsp://10.0.0.5/stream1"),
])
def test_parse_source(url, kind, target):
    spec = parse_source(url)
    assert (spec.kind, spec.target) == (kind, target)
    assert spec.live == (kind != "file")


@pytest.mark.parametrize("url", ["bogus://x", "camera://", "file://host/x.avi", "serial:///dev/ttyACM0"])
def test_bad_urls_are_typed_errors(url):
    with pytest.raises(SourceError):
        parse_source(url)


# -- files -----------------------------------------------------------------------------------

def test_a_video_file_delivers_every_frame_in_order_then_ends(presentation_video):
    path, _, total = presentation_video
    with FrameSource(f"file://{path}") as src:
        frames = list(src.frames())
        assert [f.index for f in frames] == list(range(total))
        assert frames[10].t == pytest.approx(1.0, abs=0.01)  # file time, 10 fps
        assert src.ended and src.status().state == OK
        with pytest.raises(EndOfStream):
            src.read()


def test_an_image_file_is_one_frame(tmp_path):
    p = M.payload("zh_utf8")
    path = tmp_path / "code.png"
    cv2.imwrite(str(path), M.scene(p, "plain"))
    with FrameSource(f"file://{path}") as src:
        frames = list(src.frames())
    assert len(frames) == 1 and frames[0].image.shape[:2] == M.FRAME


def test_missing_or_unreadable_files_fail_at_open(tmp_path):
    with pytest.raises(SourceError):
        FrameSource(f"file://{tmp_path}/nope.avi").open()
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    src = FrameSource(f"file://{bad}")
    with pytest.raises(SourceError):
        src.open()
    assert src.status().state == FAULT and src.status().reason == "cannot_open"


# -- live sources ----------------------------------------------------------------------------

def test_a_camera_that_cannot_open_fails_at_open():
    src = FrameSource("camera://0", capture_factory=factory(FakeCapture(1, opened=False)), watchdog=False)
    with pytest.raises(SourceError):
        src.open()
    assert src.status().reason == "cannot_open"


def test_live_source_keeps_only_the_newest_frame():
    cap = FakeCapture(7, after=10**9)
    src = FrameSource("camera://0", capture_factory=factory(cap), watchdog=False)
    src.open()
    try:
        assert wait_until(lambda: cap.reads > 20)
        f = src.read(1.0)
        assert f is not None and f.index >= 19  # not the first frame: stale ones were dropped
        assert src.status().state == OK
    finally:
        src.close()
    assert cap.released.wait(2)


def test_a_read_blocked_in_the_driver_is_a_stall_and_the_source_reopens():
    clock = Clock()
    stuck, fresh = FakeCapture(1, "block", after=3), FakeCapture(2, after=10**9)
    make = factory(stuck, fresh)
    history: list[str] = []
    src = FrameSource("camera://0", stall_s=2.0, backoff_s=0.0, capture_factory=make, monotonic=clock,
                      watchdog=False, on_status=lambda st: history.append(f"{st.state}:{st.reason}"))
    src.open()
    try:
        assert read_tag(src, 1)
        assert stuck.blocked.wait(5)
        assert src.check_stall() is False  # no time has passed on the injected clock
        clock.now += 2.5
        assert src.check_stall() is True
        assert read_tag(src, 2)  # frames from the new capture
        assert wait_until(lambda: src.status().state == OK)
        assert history == ["ok:", f"{DEGRADED}:stalled", "ok:"]
        assert src.reopens == 1 and make.opened == [stuck, fresh]
        stuck.unblock.set()  # the driver finally returns: the abandoned reader cleans up
        assert stuck.released.wait(5)
        assert not fresh.released.is_set()
    finally:
        src.close()


def test_silent_read_failures_reopen_with_backoff():
    failing, fresh = FakeCapture(1, "fail", after=2), FakeCapture(2, after=10**9)
    src = FrameSource("camera://0", backoff_s=0.0, capture_factory=factory(failing, fresh), watchdog=False)
    src.open()
    try:
        assert read_tag(src, 2)
        assert failing.released.is_set() and src.reopens == 1
    finally:
        src.close()


def test_a_frozen_camera_repeating_its_last_buffer_is_a_stall():
    clock = Clock()
    frozen, fresh = FakeCapture(1, "freeze", after=2), FakeCapture(2, after=10**9)
    src = FrameSource("camera://0", stall_s=2.0, backoff_s=0.0, capture_factory=factory(frozen, fresh),
                      monotonic=clock, watchdog=False)
    src.open()
    try:
        assert wait_until(lambda: frozen.reads > 10)
        clock.now += 3
        assert src.check_stall() is True
        assert read_tag(src, 2)
    finally:
        src.close()


def test_the_watchdog_thread_reopens_without_help():
    """Same as above with the real watchdog thread and real time (stall_s is short)."""
    stuck, fresh = FakeCapture(1, "block", after=2), FakeCapture(2, after=10**9)
    src = FrameSource("camera://0", stall_s=0.2, backoff_s=0.0, capture_factory=factory(stuck, fresh))
    src.open()
    try:
        assert read_tag(src, 2, timeout=5)
    finally:
        stuck.unblock.set()
        src.close()


def test_the_capture_property_ids_are_opencvs():
    """capture.py names OpenCV's property ids without importing OpenCV (it loads with the first
    capture, off the start-up path); they must stay OpenCV's own."""
    import cv2

    from devices.scanner import capture

    assert (capture.CAP_PROP_POS_MSEC, capture.CAP_PROP_FRAME_WIDTH, capture.CAP_PROP_FRAME_HEIGHT,
            capture.CAP_PROP_FPS, capture.CAP_PROP_BUFFERSIZE) == (
        cv2.CAP_PROP_POS_MSEC, cv2.CAP_PROP_FRAME_WIDTH, cv2.CAP_PROP_FRAME_HEIGHT, cv2.CAP_PROP_FPS,
        cv2.CAP_PROP_BUFFERSIZE)


def test_building_the_scanner_does_not_load_opencv():
    import subprocess
    import sys

    code = ("import sys; import devices.scanner.family as f; from devices.scanner.sim_camera import SimCamera; SimCamera(); "
            "print('cv2' in sys.modules, 'numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["False", "False"], out.stderr[-500:]
