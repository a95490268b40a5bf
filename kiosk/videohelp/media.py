"""Media for a call without hardware: the demo's synthetic camera (a moving test pattern at 640x480,
15 fps), a quiet tone for the microphone, and a sink that counts the frames decoded from the staff
member. A real terminal passes aiortc.contrib.media.MediaPlayer tracks for its camera and microphone."""
from __future__ import annotations

import asyncio
import fractions
import math
import time

import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, VideoFrame

VIDEO_CLOCK = 90000


class SyntheticCamera(MediaStreamTrack):
    kind = "video"

    def __init__(self, width: int = 640, height: int = 480, fps: int = 15) -> None:
        super().__init__()
        self.width, self.height, self.fps = width, height, fps
        self.sent = 0
        self.last = None  # the newest frame sent (rgb array): the citizen's own small picture
        self._start: float | None = None
        # Colour bars, made once; each frame shifts them, so the encoder has motion to code.
        bars = np.array([[235, 235, 235], [235, 235, 16], [16, 235, 235], [16, 235, 16],
                         [235, 16, 235], [235, 16, 16], [16, 16, 235], [16, 16, 16]], dtype=np.uint8)
        row = np.repeat(bars, math.ceil(width / 8), axis=0)[:width]
        self._base = np.ascontiguousarray(np.broadcast_to(row, (height, width, 3)))

    async def recv(self) -> VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        due = self._start + self.sent / self.fps
        wait = due - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        img = np.roll(self._base, (self.sent * 8) % self.width, axis=1)
        self.last = img
        frame = VideoFrame.from_ndarray(img, format="rgb24")
        frame.pts = int(self.sent * VIDEO_CLOCK / self.fps)
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        self.sent += 1
        return frame


class ToneTrack(MediaStreamTrack):
    """20 ms of a quiet 440 Hz tone per frame, 48 kHz mono."""

    kind = "audio"

    def __init__(self, rate: int = 48000, level: float = 0.05) -> None:
        super().__init__()
        self.rate, self.samples = rate, rate // 50
        t = np.arange(self.rate) / self.rate
        self._second = (np.sin(2 * np.pi * 440 * t) * level * 32767).astype(np.int16)
        self._n = 0
        self._start: float | None = None

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        wait = self._start + self._n * self.samples / self.rate - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        off = (self._n * self.samples) % self.rate
        chunk = np.take(self._second, range(off, off + self.samples), mode="wrap")
        frame = AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts = self.rate, self._n * self.samples
        frame.time_base = fractions.Fraction(1, self.rate)
        self._n += 1
        return frame


async def count_frames(track: MediaStreamTrack, counter: dict[str, int], key: str,
                       latest: dict[str, object] | None = None) -> None:
    """Decode and count what arrives (aiortc decodes only when someone pulls the track); the
    newest video frame is kept in `latest` for the call screen to draw (only the newest: no copy
    of the call accumulates anywhere)."""
    try:
        while True:
            frame = await track.recv()
            counter[key] = counter.get(key, 0) + 1
            if latest is not None and track.kind == "video":
                latest[key] = frame
    except (MediaStreamError, asyncio.CancelledError):
        pass
