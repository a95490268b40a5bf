"""Handwriting: zinnia with Debian's simplified Chinese model, candidates after every stroke."""
from __future__ import annotations

import json

import pytest

from kiosk.ime import handwriting

STROKES = json.loads(handwriting.SAMPLE_YI.read_text())  # 医, 7 strokes


@pytest.fixture(scope="module")
def rec():
    r = handwriting.Recognizer()
    yield r
    r.close()


def line(a, b, n=8):
    return [[a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n] for i in range(n + 1)]


def test_ten_from_two_strokes(rec):
    assert rec.classify([line((100, 500), (900, 500)), line((500, 100), (500, 900))])[0] == "十"


def test_candidates_follow_each_stroke(rec):
    seen = [rec.classify(STROKES[:i], 10) for i in range(1, len(STROKES) + 1)]
    assert seen[0][0] == "一" and seen[1][0] == "匚"  # the frame first, as the model learnt 医
    assert "医" in seen[-1][:3]


def test_no_strokes_no_candidates(rec):
    assert rec.classify([]) == []


@pytest.mark.parametrize("bad", [{"x": 1}, [[[1, 2, 3]]], [[[1, 2000]]], [[["a", 1]]], [[[True, 1]]], [[]] * 65])
def test_bad_strokes_are_refused(bad):
    with pytest.raises(ValueError):
        handwriting.validate(bad)


def test_missing_model_says_which_package(tmp_path):
    with pytest.raises(handwriting.HandwritingUnavailable, match="tegaki-zinnia-simplified-chinese"):
        handwriting.Recognizer(tmp_path / "none.model")
