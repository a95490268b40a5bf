"""Chinese handwriting: zinnia (Debian's libzinnia0) with the tegaki-zinnia-simplified-chinese model,
through ctypes.

Strokes are lists of [x, y] points in a 0-1000 box (the pad scales its touch points into it), and
the recogniser is asked again after every stroke: the candidates follow the finger. Model load
measured ~10 ms (zinnia maps the 26 MB model), classify 2-6 ms.
"""
from __future__ import annotations

import ctypes as C
import ctypes.util
import threading
from collections.abc import Sequence
from pathlib import Path

MODEL = Path("/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model")
BOX = 1000
# 医 in 7 strokes, frame first as the model learnt it (匚 then 矢): for tests, the bench and renders
SAMPLE_YI = Path(__file__).with_name("samples") / "yi_strokes.json"
Stroke = Sequence[Sequence[float]]


class HandwritingUnavailable(RuntimeError):
    pass


def _load() -> C.CDLL:
    try:
        z = C.CDLL(ctypes.util.find_library("zinnia") or "libzinnia.so.0")
    except OSError as e:
        raise HandwritingUnavailable(f"libzinnia not installed ({e}); apt-get install libzinnia0") from e
    p = C.c_void_p
    for fn, res, args in (("zinnia_recognizer_new", p, []), ("zinnia_recognizer_open", C.c_int, [p, C.c_char_p]),
                          ("zinnia_recognizer_destroy", None, [p]),
                          ("zinnia_character_new", p, []), ("zinnia_character_destroy", None, [p]),
                          ("zinnia_character_set_width", None, [p, C.c_size_t]),
                          ("zinnia_character_set_height", None, [p, C.c_size_t]),
                          ("zinnia_character_add", C.c_int, [p, C.c_size_t, C.c_int, C.c_int]),
                          ("zinnia_recognizer_classify", p, [p, p, C.c_size_t]),
                          ("zinnia_result_size", C.c_size_t, [p]),
                          ("zinnia_result_value", C.c_char_p, [p, C.c_size_t]),
                          ("zinnia_result_score", C.c_float, [p, C.c_size_t]),
                          ("zinnia_result_destroy", None, [p])):
        f = getattr(z, fn)
        f.restype, f.argtypes = res, args
    return z


class Recognizer:
    def __init__(self, model: Path = MODEL) -> None:
        if not Path(model).exists():
            raise HandwritingUnavailable(f"no handwriting model at {model}; apt-get install tegaki-zinnia-simplified-chinese")
        self._z = _load()
        self._lock = threading.Lock()
        self._rec = self._z.zinnia_recognizer_new()
        if not self._z.zinnia_recognizer_open(self._rec, str(model).encode()):
            raise HandwritingUnavailable(f"zinnia could not open {model}")

    def classify(self, strokes: Sequence[Stroke], limit: int = 10) -> list[str]:
        """Candidates for the strokes so far, best first; [] for no strokes."""
        strokes = [s for s in strokes if len(s) > 0]
        if not strokes:
            return []
        z = self._z
        with self._lock:
            ch = z.zinnia_character_new()
            try:
                z.zinnia_character_set_width(ch, BOX)
                z.zinnia_character_set_height(ch, BOX)
                for i, stroke in enumerate(strokes):
                    for x, y in stroke:
                        z.zinnia_character_add(ch, i, _clamp(x), _clamp(y))
                res = z.zinnia_recognizer_classify(self._rec, ch, limit)
                if not res:
                    return []
                try:
                    return [z.zinnia_result_value(res, i).decode("utf-8")
                            for i in range(z.zinnia_result_size(res))]
                finally:
                    z.zinnia_result_destroy(res)
            finally:
                z.zinnia_character_destroy(ch)

    def close(self) -> None:
        with self._lock:
            if self._rec:
                self._z.zinnia_recognizer_destroy(self._rec)
                self._rec = None


def _clamp(v: float) -> int:
    return max(0, min(BOX, round(v)))


def validate(data: object) -> list[list[tuple[float, float]]]:
    """Strokes from untrusted JSON: a list of strokes, each a list of [x, y] numbers in 0..1000."""
    if not isinstance(data, list) or len(data) > 64:
        raise ValueError("strokes must be a list of at most 64 strokes")
    out = []
    for stroke in data:
        if not isinstance(stroke, list) or len(stroke) > 2000:
            raise ValueError("each stroke must be a list of at most 2000 points")
        pts = []
        for pt in stroke:
            if (not isinstance(pt, list) or len(pt) != 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pt)
                    or not all(0 <= v <= BOX for v in pt)):
                raise ValueError("each point must be [x, y] with 0 <= x, y <= 1000")
            pts.append((float(pt[0]), float(pt[1])))
        out.append(pts)
    return out
