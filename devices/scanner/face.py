"""Face capture for platform identity verification: guide the citizen until one frontal face is
well framed, lit and sharp for N consecutive frames, then hand over one JPEG, in memory only.

Guidance codes (the screen turns them into words and voice prompts):
    no_face, multiple_faces, too_dark, move_closer, move_back, center, too_blurry, ok

The detector is injectable (`FaceDetector`: gray image -> boxes):
- `HaarFaceDetector`: OpenCV's frontal-face Haar cascade. OpenCV 5 moved CascadeClassifier and
  the cascade files to opencv_contrib (xobjdetect), so with the opencv-python(-headless) 5.x
  wheels it is unavailable and says so with FaceDetectorUnavailable; it works with OpenCV 4.x
  wheels (cascade in cv2.data.haarcascades) or a contrib build plus Debian's opencv-data
  (/usr/share/opencv4/haarcascades).
- `YuNetFaceDetector`: cv2.FaceDetectorYN, present in OpenCV 5, given the YuNet ONNX model file
  (not shipped with the wheel; the terminal image provides it).

Privacy: the JPEG is the face region only (a person queueing behind is not in it), it is never
written to disk here, and the best frame held during a streak is dropped on reset().
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence

import cv2
import numpy as np

from devices.scanner.frames import to_gray
from devices.scanner.errors import FaceDetectorUnavailable

log = logging.getLogger(__name__)

Box = tuple[int, int, int, int]  # x, y, width, height

NO_FACE, MULTIPLE_FACES, TOO_DARK = "no_face", "multiple_faces", "too_dark"
MOVE_CLOSER, MOVE_BACK, CENTER, TOO_BLURRY, OK = "move_closer", "move_back", "center", "too_blurry", "ok"
GUIDANCE = (NO_FACE, MULTIPLE_FACES, TOO_DARK, MOVE_CLOSER, MOVE_BACK, CENTER, TOO_BLURRY, OK)


class FaceDetector(Protocol):
    def detect(self, gray: np.ndarray) -> list[Box]: ...


CASCADE_NAME = "haarcascade_frontalface_default.xml"


def find_cascade(name: str = CASCADE_NAME) -> Path | None:
    """Where OpenCV packages ship the Haar cascades: the 4.x wheels (cv2.data), Debian's
    opencv-data, older distributions."""
    dirs = []
    data = getattr(getattr(cv2, "data", None), "haarcascades", None)
    if data:
        dirs.append(Path(data))
    dirs += [Path("/usr/share/opencv4/haarcascades"), Path("/usr/share/opencv/haarcascades"),
             Path("/usr/local/share/opencv4/haarcascades")]
    for d in dirs:
        if (d / name).is_file():
            return d / name
    return None


class HaarFaceDetector:
    def __init__(self, cascade_path: str | os.PathLike[str] | None = None, scale_factor: float = 1.1,
                 min_neighbors: int = 5, min_width_frac: float = 0.08, work_width: int = 480) -> None:
        classifier_cls = getattr(cv2, "CascadeClassifier", None)
        if classifier_cls is None:
            raise FaceDetectorUnavailable(
                f"OpenCV {cv2.__version__} has no CascadeClassifier (moved to opencv_contrib in 5.x)")
        path = Path(cascade_path) if cascade_path else find_cascade()
        if path is None or not path.is_file():
            raise FaceDetectorUnavailable(f"Haar cascade {CASCADE_NAME} not found")
        self._clf = classifier_cls(str(path))
        if self._clf.empty():
            raise FaceDetectorUnavailable(f"cannot load Haar cascade {path}")
        self.scale_factor, self.min_neighbors = scale_factor, min_neighbors
        self.min_width_frac, self.work_width = min_width_frac, work_width

    def detect(self, gray: np.ndarray) -> list[Box]:
        # Detect on a reduced copy: the cascade's time grows with pixels and a kiosk face
        # fills a good part of the frame anyway.
        k = min(1.0, self.work_width / gray.shape[1])
        small = cv2.resize(gray, None, fx=k, fy=k, interpolation=cv2.INTER_AREA) if k < 1.0 else gray
        small = cv2.equalizeHist(small)
        side = max(20, int(self.min_width_frac * small.shape[1]))
        found = self._clf.detectMultiScale(small, scaleFactor=self.scale_factor, minNeighbors=self.min_neighbors,
                                           minSize=(side, side))
        return [tuple(int(round(v / k)) for v in box) for box in found]  # type: ignore[misc]


class YuNetFaceDetector:
    def __init__(self, model_path: str | os.PathLike[str], score_threshold: float = 0.8) -> None:
        create = getattr(cv2, "FaceDetectorYN_create", None) or getattr(getattr(cv2, "FaceDetectorYN", None), "create", None)
        if create is None:
            raise FaceDetectorUnavailable(f"OpenCV {cv2.__version__} has no FaceDetectorYN")
        if not Path(model_path).is_file():
            raise FaceDetectorUnavailable(f"YuNet model not found: {model_path}")
        self._det = create(str(model_path), "", (320, 320), score_threshold)

    def detect(self, gray: np.ndarray) -> list[Box]:
        bgr = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
        h, w = gray.shape
        self._det.setInputSize((w, h))
        _, faces = self._det.detect(bgr)
        return [] if faces is None else [tuple(int(v) for v in f[:4]) for f in faces]  # type: ignore[misc]


def default_detector(model_path: str | None = None) -> FaceDetector:
    """Haar if this OpenCV can run it, else YuNet if a model file is given."""
    try:
        return HaarFaceDetector()
    except FaceDetectorUnavailable as haar:
        if model_path:
            return YuNetFaceDetector(model_path)
        raise FaceDetectorUnavailable(f"{haar}; and no YuNet model configured") from haar


@dataclass(frozen=True)
class FaceConfig:
    min_width_frac: float = 0.22  # face narrower than this share of the frame: move closer
    max_width_frac: float = 0.60  # wider: move back (the chin and hair get cut, lens distorts)
    max_offset_frac: float = 0.15  # face centre this far from the frame centre: center
    min_brightness: float = 70.0  # mean gray of the face region, 0-255
    min_sharpness: float = 40.0  # variance of the Laplacian of the face at 128 px wide
    ignore_below: float = 0.4  # faces narrower than this share of the largest are background
    ok_frames: int = 5  # consecutive ok frames before the capture
    jpeg_quality: int = 90
    crop_margin: float = 0.35  # the JPEG is the face box grown by this share on each side


@dataclass(frozen=True, repr=False)
class FaceCheck:
    guidance: str
    box: Box | None = None
    faces: int = 0
    width_frac: float = 0.0
    brightness: float = 0.0
    sharpness: float = 0.0

    def __repr__(self) -> str:
        return (f"FaceCheck({self.guidance}, faces={self.faces}, width={self.width_frac:.2f}, "
                f"brightness={self.brightness:.0f}, sharpness={self.sharpness:.0f})")


@dataclass(frozen=True, repr=False)
class FaceResult:
    check: FaceCheck
    jpeg: bytes | None = None  # set once, on the frame that completes the ok streak

    def __repr__(self) -> str:  # never dump a photo into a log line
        return f"FaceResult({self.check!r}, jpeg={len(self.jpeg) if self.jpeg else 0} bytes)"


def sharpness(gray_face: np.ndarray) -> float:
    """Variance of the Laplacian, measured at a fixed width so near and far faces compare."""
    if gray_face.size == 0:
        return 0.0
    k = 128.0 / gray_face.shape[1]
    norm = cv2.resize(gray_face, (128, max(1, int(gray_face.shape[0] * k))), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(norm, cv2.CV_64F).var())


def check_frame(gray: np.ndarray, boxes: Sequence[Box], cfg: FaceConfig) -> FaceCheck:
    """Pure: the guidance for one frame given the detector's boxes. The order says what to fix
    first: there must be exactly one face; light first (size and sharpness are unreliable in
    the dark); then distance; then position; then sharpness (a person holding still)."""
    if not boxes:
        return FaceCheck(NO_FACE)
    boxes = sorted(boxes, key=lambda b: b[2] * b[3], reverse=True)
    main = boxes[0]
    others = [b for b in boxes[1:] if b[2] >= cfg.ignore_below * main[2]]
    if others:
        return FaceCheck(MULTIPLE_FACES, main, 1 + len(others))
    H, W = gray.shape
    x, y, w, h = main
    face = gray[max(0, y):y + h, max(0, x):x + w]
    width_frac = w / W
    brightness = float(face.mean()) if face.size else 0.0
    sharp = sharpness(face)
    m = dict(box=main, faces=1, width_frac=width_frac, brightness=brightness, sharpness=sharp)
    if brightness < cfg.min_brightness:
        return FaceCheck(TOO_DARK, **m)
    if width_frac < cfg.min_width_frac:
        return FaceCheck(MOVE_CLOSER, **m)
    if width_frac > cfg.max_width_frac:
        return FaceCheck(MOVE_BACK, **m)
    cx, cy = (x + w / 2) / W - 0.5, (y + h / 2) / H - 0.5
    if max(abs(cx), abs(cy)) > cfg.max_offset_frac:
        return FaceCheck(CENTER, **m)
    if sharp < cfg.min_sharpness:
        return FaceCheck(TOO_BLURRY, **m)
    return FaceCheck(OK, **m)


class FaceCapture:
    """Feed frames; read guidance; after `ok_frames` consecutive ok frames, one JPEG of the
    sharpest frame of that streak. Then `done` until reset()."""

    def __init__(self, detector: FaceDetector, config: FaceConfig | None = None) -> None:
        self.detector = detector
        self.config = config or FaceConfig()
        self._streak = 0
        self._best: tuple[float, np.ndarray, Box] | None = None
        self.done = False

    def reset(self) -> None:
        self._streak = 0
        self._best = None  # drop the held frame: nothing of this citizen outlives the step
        self.done = False

    def feed(self, frame: np.ndarray) -> FaceResult:
        gray = to_gray(frame)
        check = check_frame(gray, self.detector.detect(gray), self.config)
        if self.done:
            return FaceResult(check)
        if check.guidance != OK:
            self._streak, self._best = 0, None
            return FaceResult(check)
        self._streak += 1
        if self._best is None or check.sharpness > self._best[0]:
            self._best = (check.sharpness, frame.copy(), check.box)  # type: ignore[arg-type]
        if self._streak < self.config.ok_frames:
            return FaceResult(check)
        _, best, box = self._best
        jpeg = self._encode(best, box)
        self._best = None
        self.done = True
        log.info("face captured: %d bytes jpeg", len(jpeg))
        return FaceResult(check, jpeg)

    def _encode(self, frame: np.ndarray, box: Box) -> bytes:
        H, W = frame.shape[:2]
        x, y, w, h = box
        mx, my = int(w * self.config.crop_margin), int(h * self.config.crop_margin)
        crop = frame[max(0, y - my):min(H, y + h + my), max(0, x - mx):min(W, x + w + mx)]
        ok, buf = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, self.config.jpeg_quality])
        if not ok:  # pragma: no cover - imencode fails only on empty input
            raise ValueError("JPEG encoding failed")
        return buf.tobytes()
