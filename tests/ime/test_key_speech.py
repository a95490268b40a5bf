"""Speech mode names every key of the on-screen keyboard from a clip (issue 17 item 1), by what
the key types in its mode: the Tibetan keyboard's keys are named by QWERTY position, and its "k"
is the letter ག, never the Latin K."""
from __future__ import annotations

import pytest

from kiosk.i18n.catalogs import read
from kiosk.ime.key_speech import key_clips
from kiosk.ime.tibetan import BASE, STACK_KEY

QWERTY = "qwertyuiopasdfghjklzxcvbnm"
SOURCE = {m.id for m in read("zh_CN") if m.id}


def test_latin_pinyin_and_yi_keys_are_their_letters():
    for mode in ("latin", "pinyin", "yi", None):
        assert [key_clips(k, mode) for k in "qz5"] == [["voice.letter.Q"], ["voice.letter.Z"], ["voice.digit.5"]]


def test_tibetan_keys_are_their_tibetan_letters_not_latin():
    assert key_clips("k", "tibetan") == ["keyboard.tibetan.ga"]  # ག on the QWERTY k
    assert key_clips("c", "tibetan") == ["keyboard.tibetan.ka"]
    assert key_clips("a", "tibetan") == ["keyboard.tibetan.a_chung"]  # འ
    assert key_clips("i", "tibetan") == ["keyboard.tibetan.vowel_i"]
    assert key_clips("j", "tibetan") == ["keyboard.tibetan.tsheg"]
    assert key_clips("'", "tibetan") == ["keyboard.tibetan.shad"]
    assert key_clips(STACK_KEY, "tibetan") == ["keyboard.tibetan.subjoin"]
    assert key_clips("3", "tibetan") == ["voice.digit.3"]  # ༣


@pytest.mark.parametrize("mode", ["digits", "latin", "pinyin", "tibetan", "yi"])
def test_every_key_of_every_mode_has_a_catalog_text(mode):
    keys = list(BASE) if mode == "tibetan" else list(QWERTY + "0123456789")
    keys += ["ok", "del", "space", "clear"] + [f"mode:{m}" for m in ("digits", "latin", "pinyin", "handwriting", "tibetan", "yi")]
    for key in keys:
        clips = key_clips(key, mode)
        assert clips, (mode, key)
        for clip in clips:
            assert clip in SOURCE, (mode, key, clip)  # a prompt the recording tool walks a speaker through


def test_a_candidate_or_an_unknown_key_has_no_clip():
    assert key_clips("candidate:社保", "pinyin") is None  # said by its place in the strip instead
    assert key_clips("mode:klingon", "latin") is None and key_clips("", "latin") is None
    assert key_clips("%", "tibetan") is None
