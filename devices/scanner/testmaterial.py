"""Generated test material for the scanner: codes, degraded frames, code-free frames, videos.

Here, not under tests/, because both the scanner tests and bench/scanner.py use it (bench imports
nothing from tests/); the terminal itself never imports it.

Everything is drawn here from payloads in testdata/payloads.json, deterministically (seeded), so
no binary test images are committed and no dataset is downloaded. Code 128 is drawn by a small
encoder below (code set B) so tests do not depend on python-barcode being installed.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import cv2
import numpy as np
import segno

DATA = Path(__file__).resolve().parent / "testdata"
FRAME = (480, 640)  # height, width of a typical kiosk camera frame


@dataclass(frozen=True)
class Payload:
    id: str
    symbology: str  # "QRCODE" | "CODE128"
    kind: str  # utf8 | gbk | gb18030 | ascii
    text: str

    @property
    def raw(self) -> bytes:
        enc = {"utf8": "utf-8", "gbk": "gbk", "gb18030": "gb18030", "ascii": "ascii"}[self.kind]
        return self.text.encode(enc)


def payloads() -> list[Payload]:
    data = json.loads((DATA / "payloads.json").read_text(encoding="utf-8"))
    out = [Payload(p["id"], "QRCODE", p["kind"], p["text"]) for p in data["qr"]]
    out += [Payload(p["id"], "CODE128", p["kind"], p["text"]) for p in data["code128"]]
    return out


def payload(pid: str) -> Payload:
    return next(p for p in payloads() if p.id == pid)


# -- symbols ---------------------------------------------------------------------------------

def qr(raw: bytes, module: int = 4, border: int = 4, error: str = "m") -> np.ndarray:
    """QR code (byte mode, raw bytes as given: GBK payloads stay GBK) as 8-bit gray."""
    q = segno.make(raw, mode="byte", error=error, micro=False, boost_error=False)
    m = np.array([list(row) for row in q.matrix], dtype=np.uint8)
    m = np.pad(m, border)
    img = np.where(m > 0, 0, 255).astype(np.uint8)
    return np.kron(img, np.ones((module, module), dtype=np.uint8))


# Code 128 bar/space widths for values 0..105 (the standard table), then the stop symbol.
_C128 = ("212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 "
         "112232 122132 122231 113222 123122 123221 223211 221132 221231 213212 223112 312131 "
         "311222 321122 321221 312212 322112 322211 212123 212321 232121 111323 131123 131321 "
         "112313 132113 132311 211313 231113 231311 112133 112331 132131 113123 113321 133121 "
         "313121 211331 231131 213113 213311 213131 311123 311321 331121 312113 312311 332111 "
         "314111 221411 431111 111224 111422 121124 121421 141122 141221 112214 112412 122114 "
         "122411 142112 142211 241211 221114 413111 241112 134111 111242 121142 121241 114212 "
         "124112 124211 411212 421112 421211 212141 214121 412121 111143 111341 131141 114113 "
         "114311 411113 411311 113141 114131 311141 411131 211412 211214 211232").split()
_C128_STOP = "2331112"


def code128(text: str, module: int = 2, height: int = 80, quiet: int = 12) -> np.ndarray:
    """Code 128 set B (printable ASCII) as 8-bit gray, quiet zones of `quiet` modules."""
    values = [ord(c) - 32 for c in text]
    if any(not 0 <= v < 95 for v in values):
        raise ValueError("code set B covers printable ASCII only")
    start = 104
    check = (start + sum(i * v for i, v in enumerate(values, 1))) % 103
    widths = "".join(_C128[v] for v in [start, *values, check]) + _C128_STOP
    row: list[int] = [255] * quiet
    for i, w in enumerate(widths):
        row += [0 if i % 2 == 0 else 255] * int(w)
    row += [255] * quiet
    line = np.repeat(np.array(row, dtype=np.uint8), module)
    return np.tile(line, (height, 1))


def symbol(p: Payload, module: int | None = None) -> np.ndarray:
    if p.symbology == "QRCODE":
        return qr(p.raw, module or 4)
    return code128(p.text, module or 2)


# -- scenes ----------------------------------------------------------------------------------

@functools.lru_cache(maxsize=64)
def background(seed: int = 0, shape: tuple[int, int] = FRAME) -> np.ndarray:
    """A plausible empty scene: light gradient, a darker blob (a hand, a sleeve), sensor noise.
    Cached (videos reuse it per frame) and read-only: callers build new arrays from it."""
    rng = np.random.default_rng(seed)
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = 150 + 50 * (xx / w) - 30 * (yy / h)
    cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(60, 160)
    img -= 60 * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
    img += rng.normal(0, 3, shape)
    out = np.clip(img, 0, 255).astype(np.uint8)
    out.setflags(write=False)
    return out


def place(bg: np.ndarray, sym: np.ndarray, center: tuple[float, float] | None = None,
          angle: float = 0.0, scale: float = 1.0, paper: int = 235) -> np.ndarray:
    """Put a symbol (on its white card) into a scene, rotated by `angle` degrees."""
    out = bg.copy()
    card = cv2.resize(sym, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale != 1.0 else sym
    card = np.where(card > 128, paper, 20).astype(np.uint8)
    ch, cw = card.shape
    h, w = out.shape
    cx, cy = center or (w / 2, h / 2)
    m = cv2.getRotationMatrix2D((cw / 2, ch / 2), angle, 1.0)
    m[0, 2] += cx - cw / 2
    m[1, 2] += cy - ch / 2
    warped = cv2.warpAffine(card, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
    mask = cv2.warpAffine(np.full_like(card, 255), m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
    a = mask.astype(np.float32) / 255
    return (out * (1 - a) + warped * a).astype(np.uint8)


def blur(img: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigma)


def noise(img: np.ndarray, sigma: float, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(img.astype(np.float32) + rng.normal(0, sigma, img.shape), 0, 255).astype(np.uint8)


def dim(img: np.ndarray, gain: float, offset: float = 0) -> np.ndarray:
    return np.clip(img.astype(np.float32) * gain + offset, 0, 255).astype(np.uint8)


def uneven(img: np.ndarray, strength: float = 0.7) -> np.ndarray:
    """A strong light gradient across the frame (a lamp on one side)."""
    h, w = img.shape
    ramp = np.linspace(1.0, 1.0 - strength, w, dtype=np.float32)[None, :]
    return np.clip(img * ramp, 0, 255).astype(np.uint8)


def scene(p: Payload, variant: str, seed: int = 0) -> np.ndarray:
    """One frame showing payload `p` under a named condition."""
    bg = background(seed)
    qr_ = p.symbology == "QRCODE"
    if variant == "plain":
        return place(bg, symbol(p))
    if variant == "rotated":
        return place(bg, symbol(p), angle=27 if p.symbology == "QRCODE" else 8)
    if variant == "rotated90":
        return place(bg, symbol(p), angle=90)
    if variant == "blurred":
        return blur(place(bg, symbol(p)), 1.2)
    if variant == "noisy":  # 2 px bars drown sooner than 4 px QR modules
        return noise(place(bg, symbol(p)), 18 if qr_ else 10, seed)
    if variant == "dark":
        return dim(place(bg, symbol(p)), 0.35)
    if variant == "small":  # ~2 px QR modules, 1.8 px bars: a code held far from the camera
        return place(bg, symbol(p, module=2) if qr_ else symbol(p), center=(200 if qr_ else 320, 300),
                     scale=1.0 if qr_ else 0.9)
    if variant == "offcenter":
        return place(bg, symbol(p), center=(470, 150) if qr_ else (380, 120), angle=-12 if qr_ else -4)
    raise ValueError(variant)


VARIANTS = ("plain", "rotated", "rotated90", "blurred", "noisy", "dark", "small", "offcenter")


# -- frames without codes (false-positive material) ------------------------------------------

def codeless_frames(seed: int = 7) -> Iterator[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    h, w = FRAME
    yield "gray", np.full(FRAME, 128, np.uint8)
    yield "black", np.zeros(FRAME, np.uint8)
    yield "white", np.full(FRAME, 255, np.uint8)
    yield "scene", background(seed)
    yield "noise", rng.integers(0, 256, FRAME, dtype=np.uint8)
    yield "noise_blur", blur(rng.integers(0, 256, FRAME, dtype=np.uint8), 1.0)
    stripes = np.zeros(FRAME, np.uint8)
    x = 0
    while x < w:  # random bar widths, like a barcode without structure
        bw = int(rng.integers(1, 6))
        stripes[:, x:x + bw] = 0 if (x // 3) % 2 else 255
        x += bw
    yield "stripes", stripes
    yield "checker", (np.indices(FRAME).sum(axis=0) // 8 % 2 * 255).astype(np.uint8)
    yield "text", text_page(seed)
    yield "glyphs", glyph_page(seed)


def text_page(seed: int = 0) -> np.ndarray:
    """Printed lines of Latin text (a form, a receipt) in a scene."""
    rng = np.random.default_rng(seed)
    img = np.full(FRAME, 230, np.uint8)
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-:/ "
    for row in range(22):
        s = "".join(rng.choice(list(letters), 40))
        cv2.putText(img, s, (12, 22 + row * 21), cv2.FONT_HERSHEY_SIMPLEX, 0.55, 20, 1, cv2.LINE_AA)
    return img


def glyph_page(seed: int = 0) -> np.ndarray:
    """Blocky CJK-like glyphs, including nested squares (a character like the one for
    'return' is literally a square in a square, the shape of a QR finder)."""
    rng = np.random.default_rng(seed)
    img = np.full(FRAME, 235, np.uint8)
    for gy in range(14, FRAME[0] - 30, 30):
        for gx in range(14, FRAME[1] - 30, 30):
            kind = rng.integers(0, 4)
            if kind == 0:  # nested squares
                cv2.rectangle(img, (gx, gy), (gx + 21, gy + 21), 15, 2)
                cv2.rectangle(img, (gx + 7, gy + 7), (gx + 14, gy + 14), 15, 2)
            else:
                for _ in range(int(rng.integers(3, 7))):
                    x0, y0 = gx + int(rng.integers(0, 18)), gy + int(rng.integers(0, 18))
                    if rng.random() < 0.5:
                        cv2.line(img, (gx, y0), (gx + 21, y0), 15, 2)
                    else:
                        cv2.line(img, (x0, gy), (x0, gy + 21), 15, 2)
    return img


# -- videos ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Presentation:
    payload: Payload
    start: int  # first frame showing the code
    end: int  # first frame after it left


def write_video(path: Path, frames: Iterable[np.ndarray], fps: float = 10.0) -> Path:
    """MJPG in AVI: the one codec OpenCV's headless wheels always write without ffmpeg setup."""
    writer = None
    try:
        for f in frames:
            if writer is None:
                h, w = f.shape[:2]
                writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
                if not writer.isOpened():
                    raise RuntimeError(f"cannot write {path}")
            writer.write(cv2.cvtColor(f, cv2.COLOR_GRAY2BGR) if f.ndim == 2 else f)
    finally:
        if writer is not None:
            writer.release()
    return path


def presentation_frames(shows: list[Presentation], total: int, seed: int = 3) -> Iterator[np.ndarray]:
    """A person holds codes up one after another; the code drifts a little while shown, and
    some frames in a presentation are motion-blurred (decoding may miss them: debounce must
    not turn that into a second event)."""
    rng = np.random.default_rng(seed)
    for i in range(total):
        bg = background(seed)
        frame = bg
        for s in shows:
            if s.start <= i < s.end:
                k = i - s.start
                frame = place(bg, symbol(s.payload), center=(320 + 4 * k, 240 + 2 * k), angle=3 * k % 10)
                if k % 5 == 4:
                    frame = cv2.blur(frame, (15, 1))  # horizontal motion blur
        yield noise(frame, 2, seed=int(rng.integers(0, 1 << 30)))


def presentation_video(path: Path) -> tuple[Path, list[Presentation], int]:
    """10 fps: a UTF-8 QR, a GBK QR, the UTF-8 QR again (a new presentation), then Code 128."""
    utf8, gbk, c128 = payload("zh_utf8"), payload("zh_gbk"), payload("receipt")
    shows = [Presentation(utf8, 5, 20), Presentation(gbk, 28, 40), Presentation(utf8, 52, 62),
             Presentation(c128, 70, 80)]
    total = 86
    write_video(path, presentation_frames(shows, total), fps=10.0)
    return path, shows, total


# -- faces -----------------------------------------------------------------------------------
# No face photographs may be downloaded and none ships on the machine, and OpenCV 5's wheels
# cannot run the Haar cascade anyway: face capture is tested with drawn faces and a detector
# that finds them (tests/scanner/test_face.py), which exercises everything but the cascade.

def face_scene(faces: list[tuple[float, float, float]], seed: int = 0, gain: float = 1.0,
               blur_sigma: float = 0.0) -> np.ndarray:
    """BGR frame with cartoon faces at (centre x, centre y, width) given as fractions of the
    frame width/height, on a dim background; skin texture so sharpness has something to see."""
    rng = np.random.default_rng(seed)
    h, w = FRAME
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = (70, 60, 55)
    for fx, fy, fw in faces:
        cx, cy, rw = int(fx * w), int(fy * h), int(fw * w / 2)
        rh = int(rw * 1.3)
        cv2.ellipse(img, (cx, cy), (rw, rh), 0, 0, 360, (150, 180, 215), -1, cv2.LINE_AA)
        for side in (-1, 1):
            ex = cx + side * int(rw * 0.4)
            cv2.ellipse(img, (ex, cy - rh // 5), (max(2, rw // 6), max(1, rw // 11)), 0, 0, 360, (40, 30, 30), -1)
            cv2.line(img, (ex - rw // 5, cy - rh // 3), (ex + rw // 5, cy - rh // 3), (50, 40, 40), max(1, rw // 25))
        cv2.line(img, (cx, cy - rh // 8), (cx - rw // 10, cy + rh // 6), (110, 130, 170), max(1, rw // 30))
        cv2.ellipse(img, (cx, cy + rh // 2 - rh // 8), (rw // 3, max(2, rh // 12)), 0, 0, 180, (60, 60, 140),
                    max(1, rw // 20))
    img = np.clip(img.astype(np.float32) + rng.normal(0, 4, img.shape), 0, 255)
    img = np.clip(img * gain, 0, 255).astype(np.uint8)
    return cv2.GaussianBlur(img, (0, 0), blur_sigma) if blur_sigma else img


# (expected guidance, frames, scene kwargs) in the order a citizen might go through them
FACE_STEPS: list[tuple[str, int, dict]] = [
    ("no_face", 4, dict(faces=[])),
    ("move_closer", 4, dict(faces=[(0.5, 0.5, 0.12)])),
    ("move_back", 4, dict(faces=[(0.5, 0.5, 0.7)])),
    ("center", 4, dict(faces=[(0.2, 0.45, 0.3)])),
    ("too_dark", 4, dict(faces=[(0.5, 0.5, 0.35)], gain=0.3)),
    ("too_blurry", 4, dict(faces=[(0.5, 0.5, 0.35)], blur_sigma=6.0)),
    ("multiple_faces", 3, dict(faces=[(0.3, 0.5, 0.3), (0.72, 0.5, 0.25)])),
    ("ok", 8, dict(faces=[(0.5, 0.5, 0.35)])),
]


def face_video(path: Path) -> tuple[Path, list[str]]:
    """MJPG video of FACE_STEPS; returns the expected guidance per frame."""
    expected: list[str] = []
    frames = []
    for i, (guidance, n, kw) in enumerate(FACE_STEPS):
        for k in range(n):
            frames.append(face_scene(seed=100 * i + k, **kw))
            expected.append(guidance)
    write_video(path, frames, fps=10.0)
    return path, expected
