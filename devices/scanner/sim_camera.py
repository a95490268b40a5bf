"""The camera for `scanner = "sim://"`: the one device that cannot run here. Frames come from the
demo's simulator panel (a blank view, or an image with a code on it) and go through the real
FrameSource, decoder and debouncer, as a camera's would."""
from __future__ import annotations

import threading
import time
from typing import Any


class SimCamera:
    """The cv2.VideoCapture subset FrameSource uses, showing whatever it was last told to."""

    def __init__(self) -> None:
        self._frame: Any = None  # None: the blank scene (numpy loads with the first frame read)
        self._lock = threading.Lock()
        self._tick = 0

    @staticmethod
    def _blank() -> Any:
        import numpy as np

        return np.full((480, 640), 235, dtype=np.uint8)

    def show(self, image: Any | None) -> None:
        with self._lock:
            self._frame = image

    def show_code(self, text: str) -> None:
        import io

        import numpy as np
        import segno
        from PIL import Image

        buf = io.BytesIO()
        segno.make_qr(text, error="m").save(buf, kind="png", scale=6, border=4)
        buf.seek(0)
        img = np.array(Image.open(buf).convert("L"))
        frame = np.full((480, 640), 235, dtype=np.uint8)
        h, w = min(img.shape[0], 440), min(img.shape[1], 600)
        y, x = (480 - h) // 2, (640 - w) // 2
        frame[y:y + h, x:x + w] = img[:h, :w]
        self.show(frame)

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return True

    def read(self) -> tuple[bool, Any]:
        time.sleep(1 / 15)  # a camera delivers frames at its pace, not as fast as we ask
        with self._lock:
            frame = self._blank() if self._frame is None else self._frame.copy()
        # A real sensor never gives two identical frames; the stall detector relies on that.
        self._tick = (self._tick + 1) % 256
        frame[0, 0] = self._tick
        return True, frame

    def release(self) -> None:
        pass

    def get(self, prop: int) -> float:
        return 0.0

    def set(self, prop: int, value: float) -> bool:
        return True
