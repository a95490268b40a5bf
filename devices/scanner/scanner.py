"""The camera scanner: frame source + decoder + debounce -> on_code(code).

A person holds a code in front of the camera for a second or two: that is one presentation and
must give one event, even though the code decodes in many frames (and misses some, when the
hand moves). The same code gives a new event only after it has been out of view for
`gone_after_s`, i.e. it was taken away and shown again.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Iterable

from devices.scanner.camera import EndOfStream, Frame, FrameSource
from devices.status import FAULT, OK, DeviceStatus

if TYPE_CHECKING:  # OpenCV, numpy and zbar load with the first decode, off the start-up path
    from devices.scanner.decode import Code, Decoder, DecoderConfig

log = logging.getLogger(__name__)


class Debouncer:
    """Pure: feed the codes of each frame with the frame's time, get the new presentations."""

    def __init__(self, gone_after_s: float = 1.0) -> None:
        self.gone_after_s = gone_after_s
        self._last_seen: dict[tuple[str, bytes], float] = {}

    def feed(self, codes: Iterable[Code], t: float) -> list[Code]:
        # Expire first: a code unseen for gone_after_s has left the view.
        self._last_seen = {k: s for k, s in self._last_seen.items() if t - s <= self.gone_after_s}
        new = []
        for code in codes:
            if code.key not in self._last_seen:
                new.append(code)
            self._last_seen[code.key] = t
        return new

    def reset(self) -> None:
        self._last_seen.clear()


class CameraScanner:
    """Driver with open/close/status/poll (see devices/supervisor.py): poll() processes one
    frame; start() runs poll in its own thread for the app."""

    def __init__(self, source: FrameSource | str, on_code: Callable[[Code], None] | None = None, *,
                 decoder: Decoder | None = None, config: DecoderConfig | None = None,
                 gone_after_s: float = 1.0, frame_timeout_s: float = 0.5) -> None:
        self.source = FrameSource(source) if isinstance(source, str) else source
        self.on_code = on_code or (lambda code: None)
        self._decoder = decoder
        self._config = config
        self.debouncer = Debouncer(gone_after_s)
        self.frame_timeout_s = frame_timeout_s
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.frames_seen = 0
        self.events = 0
        self.preview: Any = None

    @property
    def decoder(self) -> Decoder:
        if self._decoder is None:
            from devices.scanner.decode import Decoder

            self._decoder = Decoder(self._config)
        return self._decoder

    def open(self) -> None:
        self.decoder  # noqa: B018 - fail early (ZbarUnavailable) before the camera spins up
        self.source.open()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)
        self.source.close()
        self.debouncer.reset()  # nothing of the last citizen's codes survives a close

    def status(self) -> DeviceStatus:
        return self.source.status()

    @property
    def ended(self) -> bool:
        return self.source.ended

    def process(self, frame: Frame) -> list[Code]:
        """Decode one frame and return (and report) the codes that start a presentation."""
        self.frames_seen += 1
        self.preview = frame.image  # newest picture, for the on-screen preview; never stored
        new = self.debouncer.feed(self.decoder.decode(frame.image), frame.t)
        for code in new:
            self.events += 1
            log.info("code: %s, %d bytes, %s", code.symbology, len(code.raw), code.encoding)
            try:
                self.on_code(code)
            except Exception:  # noqa: BLE001 - a listener bug must not stop scanning
                log.exception("on_code listener failed")
        return new

    def poll(self) -> list[Code]:
        """Process the next frame, if one comes within frame_timeout_s. Raises EndOfStream at
        the end of a file source."""
        frame = self.source.read(self.frame_timeout_s)
        return self.process(frame) if frame is not None else []

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll()
            except EndOfStream:
                return

    def start(self) -> None:
        self.open()
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="camera-scanner", daemon=True)
        self._thread.start()

    def self_test(self) -> DeviceStatus:
        """Open, read one frame within 5 s, close: proves the camera delivers frames."""
        try:
            self.open()
            deadline = time.monotonic() + 5.0
            while time.monotonic() < deadline:
                if self.source.read(0.5) is not None:
                    return DeviceStatus(OK, "", "frames arriving")
            return DeviceStatus(FAULT, "no_frames", "no frame within 5 s")
        except EndOfStream:
            return DeviceStatus(OK, "", "file source readable")
        except Exception as e:  # noqa: BLE001
            return DeviceStatus(FAULT, getattr(e, "reason", type(e).__name__), str(e)[:200])
        finally:
            self.close()
