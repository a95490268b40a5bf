"""Decode QR codes and barcodes in camera frames with zbar and return the exact text.

Why not `pyzbar.pyzbar.decode`:
- it lets zbar guess the text encoding of QR payloads; zbar guesses wrong for Chinese (GBK bytes
  come back as Shift-JIS/Latin-1 mojibake). With ZBAR_CFG_BINARY set (zbar >= 0.23) zbar
  hands back the payload bytes untouched and we decode them ourselves: UTF-8, then GB18030.
- it builds a zbar scanner and sets ~40 config options on every call; a long-lived scanner
  per decoder pays that once, which leaves time for extra effort on hard frames.

zbar cannot be interrupted, so its time is bounded by what it is given: frames larger than
`max_side` are downscaled first, and the extra passes (zoom on a small code, adaptive
threshold) run only when nothing decoded, the frame shows QR finder patterns, the estimated
cost fits the per-frame budget, and the decoder has effort credit left (a share of the time
its plain passes took, so the long-run cost stays within the 1.1x budget of DESIGN.md).

Measured on tests/scanner/material.py frames (bench/scanner.py): the extra passes read QR
codes with ~1.8-2.4 px modules, or slightly blurred 2-3 px modules, that bare zbar misses:
34-36 decoded frames against bare zbar's 33 on the bench stream, at 1.03-1.05x its time
(39 with unlimited credit, so the credit, not the passes, is what limits). They do not help
codes blurred beyond ~1.2 px sigma at 2 px modules, nor 1.4 px modules (no finder survives).
"""
from __future__ import annotations

import ctypes
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import cv2
import numpy as np

from devices.scanner.errors import ScannerError, ZbarUnavailable
from devices.scanner.finders import find_finder_patterns, region_around
from devices.scanner.frames import image_frame, to_gray

log = logging.getLogger(__name__)

ZBAR_CFG_ENABLE = 0
ZBAR_CFG_BINARY = 4  # zbar >= 0.23: QR/SQ payloads as raw bytes, no charset conversion
ZBAR_Y800 = 0x30303859  # fourcc 'Y800': 8-bit grayscale, the only format zbar scans natively

# zbar's own symbology names (enum zbar_symbol_type_e), the names reported in results.
SYMBOLOGIES: dict[str, int] = {
    "EAN2": 2, "EAN5": 5, "EAN8": 8, "UPCE": 9, "ISBN10": 10, "UPCA": 12, "EAN13": 13,
    "ISBN13": 14, "COMPOSITE": 15, "I25": 25, "DATABAR": 34, "DATABAR_EXP": 35, "CODABAR": 38,
    "CODE39": 39, "PDF417": 57, "QRCODE": 64, "SQCODE": 80, "CODE93": 93, "CODE128": 128,
}
_NAMES = {v: k for k, v in SYMBOLOGIES.items()}
DEFAULT_SYMBOLOGIES = ("QRCODE", "CODE128")


def decode_text(raw: bytes) -> tuple[str, str]:
    """(text, encoding) of a payload: strict UTF-8, then strict GB18030 (superset of GBK/GB2312,
    what Chinese government forms use). A leading UTF-8 byte-order mark is a marker, not text.
    Bytes that are neither come back with U+FFFD replacements and encoding "unknown" so the
    caller can refuse them instead of acting on mojibake."""
    try:
        text = raw.decode("utf-8")
        return (text[1:] if text.startswith("\ufeff") else text), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), "unknown"


@dataclass(frozen=True, repr=False)
class Code:
    """One decoded symbol. Coordinates are in pixels of the frame given to the decoder."""

    symbology: str  # zbar's name: "QRCODE", "CODE128", ...
    text: str
    raw: bytes
    encoding: str  # "utf-8" | "gb18030" | "unknown"
    polygon: tuple[tuple[int, int], ...]
    rect: tuple[int, int, int, int]  # x, y, width, height
    quality: int = 0
    method: str = "plain"  # which pass found it: "plain" | "zoom" | "threshold"

    def __repr__(self) -> str:  # a repr ends up in logs: never show the payload
        return (f"Code({self.symbology}, {len(self.raw)} bytes, {self.encoding}, rect={self.rect}, "
                f"method={self.method})")

    @property
    def key(self) -> tuple[str, bytes]:
        """Identity for debouncing: same symbology and same bytes is the same code."""
        return self.symbology, self.raw


@dataclass(frozen=True)
class DecoderConfig:
    symbologies: tuple[str, ...] = DEFAULT_SYMBOLOGIES
    # Region of interest as fractions of the frame (x, y, width, height); None = whole frame.
    roi: tuple[float, float, float, float] | None = None
    # Longer side above this is downscaled before zbar: zbar's time grows with pixels and
    # it cannot be interrupted, so this is what bounds a frame's worst case.
    max_side: int = 1280
    # Per-frame budget for the optional passes; the plain pass always runs.
    budget_ms: float = 40.0
    # Zoom / threshold passes where a QR finder pattern shows but nothing decoded.
    extra_effort: bool = True
    # Long-run cap on that extra work, as a share of the time spent in plain passes: finding
    # finder patterns costs a few ms on every undecoded frame (most frames at an idle kiosk),
    # so it runs on credit earned by plain passes. 0.05 keeps the whole decoder within 1.1x of
    # bare zbar (bench/scanner.py) while still rescuing small and blurred codes.
    extra_share: float = 0.05
    # More finder candidates than this is a texture or a page of text, not a code in hand.
    max_finders: int = 9

    def __post_init__(self) -> None:
        unknown = [s for s in self.symbologies if s not in SYMBOLOGIES]
        if unknown or not self.symbologies:
            raise ValueError(f"unknown symbology {unknown or '(none)'}; known: {sorted(SYMBOLOGIES)}")
        if self.roi is not None:
            x, y, w, h = self.roi
            if not (0 <= x < 1 and 0 <= y < 1 and 0 < w <= 1 - x + 1e-9 and 0 < h <= 1 - y + 1e-9):
                raise ValueError(f"roi must be fractions inside the frame, got {self.roi}")
        if self.extra_share < 0 or self.budget_ms < 0:
            raise ValueError("extra_share and budget_ms must be >= 0")
        if self.max_side < 64:
            raise ValueError("max_side must be >= 64")


@dataclass
class ScanResult:
    codes: list[Code]
    ms: float
    passes: list[str] = field(default_factory=list)
    finders: int = 0  # QR finder-pattern candidates seen (only computed when needed)
    skipped_for_budget: bool = False


class EffortCredit:
    """Token bucket in milliseconds: every plain pass earns `share` of its time, extra passes
    spend it. Capped so a long idle period cannot fund a burst of slow frames later."""

    def __init__(self, share: float, cap_ms: float) -> None:
        self.share, self.cap_ms = share, cap_ms
        self.ms = 0.0

    def earn(self, plain_ms: float) -> None:
        self.ms = min(self.cap_ms, self.ms + plain_ms * self.share)

    def spend(self, ms: float) -> None:
        self.ms -= ms  # may go negative: the next frames pay it back before trying again

    @property
    def available(self) -> bool:
        return self.ms > 0


class _Zbar:
    """ctypes bindings to libzbar, borrowed from pyzbar's loader (it knows where the library
    lives on every platform) plus the two functions pyzbar does not declare."""

    def __init__(self) -> None:
        try:
            from pyzbar import wrapper as w
        except (ImportError, OSError) as e:  # pyzbar raises ImportError when libzbar is absent
            raise ZbarUnavailable(f"libzbar not available: {e}") from e
        self.w = w
        sym_p = ctypes.POINTER(w.zbar_symbol)
        self.symbol_get_type = w.zbar_function("zbar_symbol_get_type", ctypes.c_int, sym_p)
        self.get_symbol_name = w.zbar_function("zbar_get_symbol_name", ctypes.c_char_p, ctypes.c_int)


_ZBAR: _Zbar | None = None
_ZBAR_LOCK = threading.Lock()


def _zbar() -> _Zbar:
    global _ZBAR
    with _ZBAR_LOCK:
        if _ZBAR is None:
            _ZBAR = _Zbar()
        return _ZBAR


class Decoder:
    """zbar with a long-lived scanner; not re-entrant (one lock), cheap to create one per thread."""

    def __init__(self, config: DecoderConfig | None = None,
                 monotonic: Callable[[], float] = time.perf_counter) -> None:
        self.config = config or DecoderConfig()
        self._clock = monotonic
        self._z = _zbar()
        self._lock = threading.Lock()
        self.credit = EffortCredit(self.config.extra_share, cap_ms=self.config.budget_ms)
        w = self._z.w
        self._scanner = w.zbar_image_scanner_create()
        if not self._scanner:
            raise ZbarUnavailable("zbar_image_scanner_create failed")
        # Symbology 0 = all: disable everything, then enable only what was asked; fewer
        # decoders means less time and fewer false positives on text and textures.
        w.zbar_image_scanner_set_config(self._scanner, 0, ZBAR_CFG_ENABLE, 0)
        for name in self.config.symbologies:
            w.zbar_image_scanner_set_config(self._scanner, SYMBOLOGIES[name], ZBAR_CFG_ENABLE, 1)
        for name in ("QRCODE", "SQCODE"):
            if name in self.config.symbologies:
                w.zbar_image_scanner_set_config(self._scanner, SYMBOLOGIES[name], ZBAR_CFG_BINARY, 1)

    def close(self) -> None:
        with self._lock:
            if self._scanner:
                self._z.w.zbar_image_scanner_destroy(self._scanner)
                self._scanner = None

    def __del__(self) -> None:  # pragma: no cover - best effort for forgotten decoders
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass

    def __enter__(self) -> "Decoder":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- zbar ------------------------------------------------------------------------------

    def _zscan(self, gray: np.ndarray) -> list[tuple[int, bytes, list[tuple[int, int]], int]]:
        """Run zbar on one 8-bit image; returns (type, raw bytes, points, quality) per symbol."""
        if not self._scanner:
            raise ScannerError("decoder is closed", "closed")
        gray = np.ascontiguousarray(gray, dtype=np.uint8)
        w = self._z.w
        height, width = gray.shape
        image = w.zbar_image_create()
        try:
            w.zbar_image_set_format(image, ZBAR_Y800)
            w.zbar_image_set_size(image, width, height)
            # zbar reads our buffer in place (no copy); `gray` stays alive until destroy.
            w.zbar_image_set_data(image, ctypes.c_void_p(gray.ctypes.data), gray.size, None)
            if w.zbar_scan_image(self._scanner, image) < 0:
                raise ScannerError("zbar rejected the image", "bad_frame")
            out = []
            sym = w.zbar_image_first_symbol(image)
            while sym:
                raw = ctypes.string_at(w.zbar_symbol_get_data(sym), w.zbar_symbol_get_data_length(sym))
                pts = [(w.zbar_symbol_get_loc_x(sym, i), w.zbar_symbol_get_loc_y(sym, i))
                       for i in range(w.zbar_symbol_get_loc_size(sym))]
                out.append((self._z.symbol_get_type(sym), raw, pts, w.zbar_symbol_get_quality(sym)))
                sym = w.zbar_symbol_next(sym)
            return out
        finally:
            w.zbar_image_destroy(image)

    # -- public ----------------------------------------------------------------------------

    def decode(self, frame: np.ndarray) -> list[Code]:
        return self.scan(frame).codes

    def scan(self, frame: np.ndarray) -> ScanResult:
        t0 = self._clock()
        cfg = self.config
        with self._lock:
            gray = to_gray(image_frame(frame))
            ox = oy = 0
            if cfg.roi is not None:
                H, W = gray.shape
                x, y, w, h = cfg.roi
                ox, oy = int(x * W), int(y * H)
                gray = gray[oy:oy + max(1, int(h * H)), ox:ox + max(1, int(w * W))]
            full = gray
            scale = 1.0
            if max(gray.shape) > cfg.max_side:
                scale = cfg.max_side / max(gray.shape)
                if min(gray.shape) * scale < 1:  # e.g. 1x5000: scaling would leave no row at all
                    raise ScannerError(f"frame {gray.shape} too thin to scale to {cfg.max_side} px", "bad_frame")
                gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            result = ScanResult([], 0.0, ["plain"])
            found = self._zscan(gray)
            plain_ms = (self._clock() - t0) * 1000
            self.credit.earn(plain_ms)
            if found:
                result.codes = self._codes(found, "plain", 1 / scale, 1 / scale, ox, oy)
            elif cfg.extra_effort and self.credit.available:
                self._extra(result, gray, full, scale, ox, oy, t0, plain_ms)
                self.credit.spend((self._clock() - t0) * 1000 - plain_ms)
            elif cfg.extra_effort:
                result.skipped_for_budget = True
            result.ms = (self._clock() - t0) * 1000
        if result.codes:
            log.debug("decoded %s in %.1f ms via %s", [(c.symbology, len(c.raw)) for c in result.codes],
                      result.ms, result.passes[-1])
        return result

    def _extra(self, result: ScanResult, gray: np.ndarray, full: np.ndarray, scale: float,
               ox: int, oy: int, t0: float, plain_ms: float) -> None:
        """Passes for frames that show a QR finder but did not decode: small codes (zoom the
        region, so zbar sees >= 3 px modules) and blurred or unevenly lit codes (adaptive
        threshold). Each pass runs only if its estimated cost fits what is left of the budget;
        zbar's cost is roughly proportional to pixels, so estimate from the plain pass."""
        cfg = self.config
        # Contour tracing costs most on the frames zbar also found slow (noise, texture):
        # about half the plain pass there. Do not start what cannot fit.
        if (self._clock() - t0) * 1000 + 0.5 * plain_ms > cfg.budget_ms:
            result.skipped_for_budget = True
            return
        finders = find_finder_patterns(gray)
        result.finders = len(finders)
        if not finders or len(finders) > cfg.max_finders:
            return
        per_pixel = plain_ms / max(1, gray.size)
        x0, y0, x1, y1 = region_around(finders, gray.shape)
        side = max(max(w, h) for _, _, w, h in finders) / scale  # finder width in full-res px
        # A finder is 7 modules wide; aim for ~4 px modules, at most 4x, and use the
        # full-resolution pixels when the frame was downscaled.
        zoom = min(4.0, max(1.0, 28.0 / max(side, 1.0)))
        fx0, fy0, fx1, fy1 = (int(v / scale) for v in (x0, y0, x1, y1))
        crop = full[fy0:fy1, fx0:fx1]
        passes: list[tuple[str, Callable[[], np.ndarray], float]] = []
        if zoom > 1.25 or scale < 1.0:
            passes.append(("zoom", lambda: cv2.resize(crop, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC)
                           if zoom > 1.0 else crop, zoom * zoom))
        passes.append(("threshold", lambda: _adaptive(crop, zoom), zoom * zoom))
        for name, make, factor in passes:
            elapsed = (self._clock() - t0) * 1000
            estimate = per_pixel * crop.size * factor * 1.5 + 0.5  # + resize/threshold work
            if elapsed + estimate > cfg.budget_ms:
                result.skipped_for_budget = True
                log.debug("skip %s pass: %.1f + %.1f ms > budget", name, elapsed, estimate)
                return
            img = make()
            result.passes.append(name)
            found = self._zscan(img)
            if found:
                k = 1.0 / zoom if img.shape != crop.shape else 1.0
                result.codes = self._codes(found, name, k, k, ox + fx0, oy + fy0)
                return

    def _codes(self, found: list[tuple[int, bytes, list[tuple[int, int]], int]], method: str,
               kx: float, ky: float, ox: int, oy: int) -> list[Code]:
        codes = []
        seen: set[tuple[int, bytes]] = set()
        for typ, raw, pts, quality in found:
            if (typ, raw) in seen:
                continue
            seen.add((typ, raw))
            text, encoding = decode_text(raw)
            poly = tuple((int(round(x * kx)) + ox, int(round(y * ky)) + oy) for x, y in pts)
            xs = [p[0] for p in poly] or [ox]
            ys = [p[1] for p in poly] or [oy]
            rect = (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
            codes.append(Code(_NAMES.get(typ, f"ZBAR_{typ}"), text, raw, encoding, poly, rect, quality, method))
        return codes


def _adaptive(crop: np.ndarray, zoom: float) -> np.ndarray:
    img = cv2.resize(crop, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC) if zoom > 1.0 else crop
    # Block about two modules wide: local enough for uneven light, wide enough not to
    # hollow out dark modules.
    block = max(11, int(round(8 * max(zoom, 1.0))) | 1)
    return cv2.adaptiveThreshold(img, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, 5)
