"""Frames as the scanner's image code takes them: 8-bit pictures, checked at the door, in gray."""
from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from devices.scanner.errors import ScannerError


def image_frame(frame: Any) -> np.ndarray:
    """The frame if the decoder can take it: an 8-bit image (gray, or BGR/BGRA as OpenCV gives
    them), at least 1x1. Anything else is ScannerError("bad_frame") here, at the door, never an
    OpenCV or numpy error from deep inside a pass (cv2.error is not a ScannerError, so a caller
    that handles the scanner's errors would be killed by it). Not converted: a float or bool
    array is not a camera's picture, and guessing its range would decode noise."""
    if not isinstance(frame, np.ndarray):
        raise ScannerError(f"a frame is an image array, not {type(frame).__name__}", "bad_frame")
    if frame.dtype != np.uint8:
        raise ScannerError(f"a frame has 8-bit pixels, not {frame.dtype}", "bad_frame")
    if frame.ndim not in (2, 3) or frame.ndim == 3 and frame.shape[2] not in (1, 3, 4):
        raise ScannerError(f"unsupported frame shape {frame.shape}", "bad_frame")
    if frame.shape[0] < 1 or frame.shape[1] < 1:
        raise ScannerError(f"empty frame {frame.shape}", "bad_frame")
    return frame


def to_gray(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        return frame
    if frame.ndim == 3 and frame.shape[2] == 1:
        return frame[:, :, 0]
    if frame.ndim == 3 and frame.shape[2] == 3:
        return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    if frame.ndim == 3 and frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    raise ScannerError(f"unsupported frame shape {frame.shape}", "bad_frame")
