"""Where the camera scanner's frames come from: the source URL (camera://, file://, rtsp://) and
the OpenCV capture that reads it (an image file is a capture of one frame). FrameSource
(devices/scanner/camera.py) runs a capture in its own thread with stall detection."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from devices.scanner.errors import SourceError

log = logging.getLogger(__name__)

# OpenCV's property ids (cv2.CAP_PROP_*), here so that importing this module does not load OpenCV:
# it loads when the first capture opens, in the supervisor's thread, not before the first frame.
CAP_PROP_POS_MSEC, CAP_PROP_FRAME_WIDTH, CAP_PROP_FRAME_HEIGHT, CAP_PROP_FPS, CAP_PROP_BUFFERSIZE = 0, 3, 4, 5, 38

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm"}


def quiet_opencv() -> None:
    """OpenCV prints its own WARN lines on stderr when a capture fails; this module already
    reports failures through logging and DeviceStatus, so command lines call this to keep
    stderr to their one plain line."""
    import cv2

    try:
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    except AttributeError:  # pragma: no cover - builds without the logging bindings
        os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")


@dataclass(frozen=True)
class SourceSpec:
    url: str
    kind: str  # "camera" | "file" | "rtsp"
    target: int | str  # camera index or device path, file path, or stream URL
    params: dict[str, str] = field(default_factory=dict)

    @property
    def live(self) -> bool:
        return self.kind != "file"

    @property
    def is_image(self) -> bool:
        return self.kind == "file" and Path(str(self.target)).suffix.lower() in IMAGE_SUFFIXES


def parse_source(url: str) -> SourceSpec:
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    if parts.scheme == "camera":
        target: int | str = parts.netloc or unquote(parts.path)
        if isinstance(target, str) and target.isdigit():
            target = int(target)
        if target == "":
            raise SourceError(f"camera URL needs an index or a device path: {url!r}", "bad_url")
        return SourceSpec(url, "camera", target, params)
    if parts.scheme == "file" or (parts.scheme == "" and url.startswith("/")):
        path = unquote(parts.path)
        if parts.netloc not in ("", "localhost"):
            raise SourceError(f"file URL must be local (file:///path): {url!r}", "bad_url")
        return SourceSpec(url, "file", path, params)
    if parts.scheme in ("rtsp", "rtsps", "http", "https"):
        return SourceSpec(url, "rtsp", url, params)
    raise SourceError(f"unsupported frame source {url!r} (camera://N, file:///path, rtsp://...)", "bad_url")


class Capture(Protocol):
    """The part of cv2.VideoCapture we use; tests inject fakes with the same methods."""

    def isOpened(self) -> bool: ...
    def read(self) -> tuple[bool, Any]: ...
    def release(self) -> None: ...
    def get(self, prop: int) -> float: ...
    def set(self, prop: int, value: float) -> bool: ...


class _ImageCapture:
    """A still image as a one-frame capture."""

    def __init__(self, path: str) -> None:
        import cv2

        self._img = cv2.imread(path, cv2.IMREAD_COLOR)
        self._done = False

    def isOpened(self) -> bool:
        return self._img is not None

    def read(self) -> tuple[bool, Any]:
        if self._done or self._img is None:
            return False, None
        self._done = True
        return True, self._img

    def release(self) -> None:
        self._img = None

    def get(self, prop: int) -> float:
        return 0.0

    def set(self, prop: int, value: float) -> bool:
        return False


def default_capture(spec: SourceSpec) -> Capture:
    import cv2

    if spec.is_image:
        return _ImageCapture(str(spec.target))
    if spec.kind == "rtsp":
        cap = cv2.VideoCapture(str(spec.target), cv2.CAP_FFMPEG)
    elif spec.kind == "camera":
        cap = cv2.VideoCapture(spec.target, cv2.CAP_ANY)
    else:
        cap = cv2.VideoCapture(str(spec.target))
    if spec.kind == "camera" and cap.isOpened():
        for key, prop in (("width", cv2.CAP_PROP_FRAME_WIDTH), ("height", cv2.CAP_PROP_FRAME_HEIGHT),
                          ("fps", cv2.CAP_PROP_FPS)):
            if key in spec.params:
                cap.set(prop, float(spec.params[key]))
        # One buffered frame: a frame queued in the driver is an old frame.
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
    return cap
