"""Frame sources for the camera scanner and face capture, configured by URL:

    camera://0                 a local camera by index (camera:///dev/video2 by path);
                               ?width=1280&height=720&fps=15 are requested, not guaranteed
    file:///path/clip.avi      a video or image file; it ends at the end of the file
    rtsp://host/stream         a network camera

Capture runs in its own thread. A live source keeps only the newest frame (decoding a stale
frame helps nobody); a file source hands over every frame in order, so tests and `kiosk device
scan` see exactly what is in the file.

cv2.VideoCapture fails silently when a USB camera is unplugged: read() returns False forever,
blocks inside the driver, or keeps returning the last buffer. The watchdog treats "no new
frame for `stall_s`" (including identical frames) as a stall: it abandons the reader thread
(a read blocked in the driver cannot be interrupted, and releasing a capture from another
thread crashes some backends) and starts a new one on a new capture, with backoff.
"""
from __future__ import annotations

import logging
import os
import queue
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from devices.scanner.capture import CAP_PROP_FPS, CAP_PROP_POS_MSEC, Capture, SourceSpec, default_capture, parse_source
from devices.scanner.errors import ScannerError, SourceError
from devices.status import DEGRADED, FAULT, OK, DeviceStatus

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

class EndOfStream(ScannerError):
    """A file source has delivered its last frame."""

    reason = "end_of_file"


@dataclass(frozen=True)
class Frame:
    image: np.ndarray
    index: int  # frames delivered since open
    t: float  # seconds: monotonic capture time (live) or position in the file (file)


_END = object()


class FrameSource:
    def __init__(self, url: str, *, stall_s: float = 3.0, backoff_s: float = 0.5, max_backoff_s: float = 30.0,
                 capture_factory: Callable[[SourceSpec], Capture] = default_capture,
                 monotonic: Callable[[], float] = time.monotonic, watchdog: bool = True,
                 file_queue: int = 4,
                 on_status: Callable[[DeviceStatus], None] | None = None) -> None:
        self.on_status = on_status or (lambda status: None)
        self.spec = parse_source(url)
        self.stall_s, self.backoff_s, self.max_backoff_s = stall_s, backoff_s, max_backoff_s
        self._factory = capture_factory
        self._clock = monotonic
        self._use_watchdog = watchdog
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        # Live: newest frame only. File: every frame, bounded so a slow decoder throttles the
        # reader instead of filling memory.
        self._latest: Frame | None = None
        self._files: queue.Queue[Any] = queue.Queue(maxsize=file_queue)
        self._gen = 0
        self._index = 0
        self._last_frame_t = monotonic()
        self._last_sig: bytes | None = None
        self._failures = 0
        self._status = DeviceStatus(FAULT, "not_opened", "not opened yet", monotonic())
        self._threads: list[threading.Thread] = []
        self._ended = False
        self.reopens = 0
        self.fps = 0.0

    # -- lifecycle -------------------------------------------------------------------------

    def open(self) -> None:
        """Open the source and start capturing. Raises SourceError when the first open fails,
        so a command line can say so at once; later failures are retried in the background."""
        if self.spec.kind == "file" and not os.path.isfile(str(self.spec.target)):
            raise SourceError(f"no such file: {self.spec.target}")
        cap = self._open_capture()
        if cap is None:
            raise SourceError(f"cannot open {self._describe()}")
        # A reopened source starts over (the supervisor closes and opens the same object).
        self._files = queue.Queue(maxsize=self._files.maxsize)
        self._ended, self._index, self._latest, self._failures = False, 0, None, 0
        self._stop.clear()
        self._start_reader(cap)
        if self.spec.live and self._use_watchdog:
            t = threading.Thread(target=self._watchdog, name="camera-watchdog", daemon=True)
            t.start()
            self._threads.append(t)

    def close(self) -> None:
        self._stop.set()
        with self._cond:
            self._gen += 1
            self._cond.notify_all()
        try:  # unblock a file reader waiting on a full queue
            while True:
                self._files.get_nowait()
        except queue.Empty:
            pass
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(timeout=1.0)  # a reader blocked in a driver is a daemon; let it go
        self._threads = []
        self._set(DeviceStatus(FAULT, "closed", "closed"))

    def __enter__(self) -> "FrameSource":
        self.open()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def status(self) -> DeviceStatus:
        return self._status

    @property
    def ended(self) -> bool:
        return self._ended

    # -- consumer side ---------------------------------------------------------------------

    def read(self, timeout: float | None = 1.0) -> Frame | None:
        """The next frame (file) or the newest unseen frame (live); None on timeout.
        Raises EndOfStream after the last frame of a file."""
        if not self.spec.live:
            if self._ended:
                raise EndOfStream("end of file")
            try:
                item = self._files.get(timeout=timeout)
            except queue.Empty:
                return None
            if item is _END:
                self._ended = True
                raise EndOfStream("end of file")
            return item
        with self._cond:
            if self._latest is None:
                self._cond.wait(timeout)
            frame, self._latest = self._latest, None
            return frame

    def frames(self, timeout: float | None = 1.0):  # noqa: ANN201 - generator of Frame
        """Iterate frames until the end of a file (live sources never end)."""
        while not self._stop.is_set():
            try:
                frame = self.read(timeout)
            except EndOfStream:
                return
            if frame is not None:
                yield frame

    # -- reader ----------------------------------------------------------------------------

    def _describe(self) -> str:
        return f"{self.spec.kind} source" if self.spec.kind == "rtsp" else f"{self.spec.kind} {self.spec.target}"

    def _open_capture(self) -> Capture | None:
        try:
            cap = self._factory(self.spec)
        except Exception as e:  # noqa: BLE001 - any backend error is "cannot open"
            log.warning("%s: open failed: %s", self._describe(), type(e).__name__)
            self._set(DeviceStatus(FAULT, "cannot_open", f"{type(e).__name__}: {e}"[:200]))
            return None
        if not cap.isOpened():
            self._set(DeviceStatus(FAULT, "cannot_open", f"cannot open {self._describe()}"))
            try:
                cap.release()
            except Exception:  # noqa: BLE001
                pass
            return None
        fps = cap.get(CAP_PROP_FPS) if not self.spec.is_image else 0.0
        self.fps = fps if fps and fps > 0 else 0.0
        return cap

    def _start_reader(self, cap: Capture | None) -> None:
        with self._cond:
            self._gen += 1
            gen = self._gen
            self._last_frame_t = self._clock()
            self._last_sig = None
        t = threading.Thread(target=self._reader, args=(gen, cap), name=f"camera-reader-{gen}", daemon=True)
        self._threads = [th for th in self._threads if th.is_alive()] + [t]
        t.start()

    def _current(self, gen: int) -> bool:
        return gen == self._gen and not self._stop.is_set()

    def _backoff(self) -> float:
        self._failures += 1
        return min(self.max_backoff_s, self.backoff_s * (2 ** (self._failures - 1)))

    def _reader(self, gen: int, cap: Capture | None) -> None:
        try:
            while self._current(gen):
                if cap is None:
                    cap = self._open_capture()
                    if cap is None:
                        self._stop.wait(self._backoff())
                        continue
                    self.reopens += 1
                try:
                    ok, img = cap.read()
                except Exception as e:  # noqa: BLE001 - some backends raise on unplug
                    log.warning("%s: read raised %s", self._describe(), type(e).__name__)
                    ok, img = False, None
                if not self._current(gen):
                    return  # abandoned by the watchdog while blocked in read()
                if ok and img is not None:
                    self._deliver(img, cap)
                    continue
                if not self.spec.live:
                    self._put_file(_END, gen)
                    self._set(DeviceStatus(OK, "end_of_file", "end of file"))
                    return
                # Live read failure: the camera went away (or never delivers). Reopen.
                log.warning("%s: read failed; reopening", self._describe())
                self._set(DeviceStatus(DEGRADED, "read_failed", "camera stopped delivering frames; reopening"))
                self._release(cap)
                cap = None
                self._stop.wait(self._backoff())
        finally:
            self._release(cap)

    def _deliver(self, img: np.ndarray, cap: Capture) -> None:
        now = self._clock()
        if self.spec.live:
            t = now
        else:  # position in the file, so debouncing a file does not depend on decode speed
            pos = cap.get(CAP_PROP_POS_MSEC) if self.fps else 0.0
            t = pos / 1000.0 if pos and pos > 0 else (self._index / self.fps if self.fps else float(self._index))
        frame = Frame(img, self._index, t)
        self._index += 1
        if self.spec.live:
            sig = img[:: max(1, img.shape[0] // 24), :: max(1, img.shape[1] // 32)].tobytes()
            with self._cond:
                if sig != self._last_sig:  # a frozen camera repeats the last buffer
                    self._last_frame_t = now
                    self._last_sig = sig
                self._latest = frame
                self._cond.notify_all()
            if now - self._last_frame_t <= self.stall_s:
                self._failures = 0
                self._set(DeviceStatus(OK, "", ""))
        else:
            self._put_file(frame, None)
            self._set(DeviceStatus(OK, "", ""))

    def _put_file(self, item: Any, gen: int | None) -> None:
        while not self._stop.is_set():
            try:
                self._files.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    @staticmethod
    def _release(cap: Capture | None) -> None:
        if cap is not None:
            try:
                cap.release()
            except Exception:  # noqa: BLE001
                log.debug("release failed", exc_info=True)

    # -- watchdog --------------------------------------------------------------------------

    def check_stall(self) -> bool:
        """One watchdog step (the watchdog thread calls it; tests call it with a fake clock).
        Returns True when it declared a stall and started a new reader."""
        if not self.spec.live or self._stop.is_set():
            return False
        with self._cond:
            silent = self._clock() - self._last_frame_t
        if silent <= self.stall_s:
            return False
        log.warning("%s: no new frame for %.1f s; reopening", self._describe(), silent)
        self._set(DeviceStatus(DEGRADED, "stalled", f"no new frame for {silent:.0f} s; reopening"))
        self._start_reader(None)
        return True

    def _watchdog(self) -> None:
        while not self._stop.wait(min(0.5, self.stall_s / 4)):
            if self.check_stall():
                self._stop.wait(self._backoff())

    def _set(self, status: DeviceStatus) -> None:
        if (status.state, status.reason) != (self._status.state, self._status.reason):
            self._status = DeviceStatus(status.state, status.reason, status.detail, self._clock())
            log.info("%s: %s %s", self._describe(), status.state, status.reason)
            try:
                self.on_status(self._status)
            except Exception:  # noqa: BLE001 - a listener bug must not stop the device
                log.exception("status listener failed")
