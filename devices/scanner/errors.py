"""Typed errors of the scanner family; each carries a stable `reason` for DeviceStatus."""
from __future__ import annotations


class ScannerError(Exception):
    reason = "scanner_error"

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        if reason:
            self.reason = reason


class ZbarUnavailable(ScannerError):
    """libzbar could not be loaded (apt package libzbar0 missing)."""

    reason = "zbar_missing"


class SourceError(ScannerError):
    """A frame source URL is malformed or the source cannot be opened."""

    reason = "cannot_open"


class SerialScannerError(ScannerError):
    reason = "serial_error"


class FaceDetectorUnavailable(ScannerError):
    """No face detector can run in this OpenCV build (no cascade file / no classifier)."""

    reason = "no_face_detector"
