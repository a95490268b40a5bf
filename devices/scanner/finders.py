"""QR finder patterns: where a code that zbar did not decode probably is, so the decoder's extra
passes (zoom, adaptive threshold) work on that region only."""
from __future__ import annotations

from typing import Sequence

import cv2
import numpy as np


def find_finder_patterns(gray: np.ndarray, min_side: int = 5) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (x, y, w, h) of QR finder-pattern candidates: a dark ring around a light
    ring around a dark square, i.e. three nested contours with areas near 49 : 25 : 9.

    Dark means "15 levels darker than the 21x21 neighbourhood mean". A global (Otsu) threshold
    was measured on tests/scanner/material.py scenes and rejected: sensor noise on a smooth
    background turns its iso-line into thousands of speckle contours (5-10x the time), and
    blurring first to avoid that loses the thin rings of small codes, the ones this is for."""
    dark = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 21, 15)
    contours, hierarchy = cv2.findContours(dark, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    h = hierarchy[0]
    child = h[:, 2]
    # Only contours with a grandchild can be finders; select them without a Python loop
    # because noisy frames have thousands of contours.
    has_child = child >= 0
    grand = np.full(len(h), -1)
    grand[has_child] = child[child[has_child]]
    found = []
    for i in np.flatnonzero(grand >= 0):
        x, y, w, hh = cv2.boundingRect(contours[i])
        if min(w, hh) < min_side or max(w, hh) > 2.0 * min(w, hh):
            continue
        a0 = cv2.contourArea(contours[i])
        a1 = cv2.contourArea(contours[child[i]])
        a2 = cv2.contourArea(contours[grand[i]])
        if a1 <= 0 or a2 <= 0:
            continue
        # Ideal 1.96 and 2.78; blur and thresholding shift both, so accept a wide band.
        if 1.2 <= a0 / a1 <= 4.0 and 1.4 <= a1 / a2 <= 6.0:
            found.append((x, y, w, hh))
    return found


def region_around(finders: Sequence[tuple[int, int, int, int]], shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """Crop (x0, y0, x1, y1) that surely contains a QR code with these finder patterns: with a
    single finder the code may extend up to ~8 finder widths (version 10) in any direction."""
    side = max(max(w, h) for _, _, w, h in finders)
    x0 = min(x for x, _, _, _ in finders)
    y0 = min(y for _, y, _, _ in finders)
    x1 = max(x + w for x, _, w, _ in finders)
    y1 = max(y + h for _, y, _, h in finders)
    reach = side if len(finders) >= 3 else 8 * side
    H, W = shape
    return max(0, x0 - reach), max(0, y0 - reach), min(W, x1 + reach), min(H, y1 + reach)
