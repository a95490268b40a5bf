from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.i18n.translator import Msg, Plain, Translator, break_lines, normalize_digits, text_width

TIBETAN = "བོད་ཀྱི་སྐད་ཡིག་ནི་བསྒྲུབས་པ་ཡིན། ཞི་བདེ་ཡོང་བར་ཤོག"
CHINESE = "请在工作时间（09:00-17:30）到人工窗口办理。谢谢！"


def test_tibetan_breaks_only_after_tsheg_or_shad():
    lines = break_lines(TIBETAN, "bo", 300, 40)
    assert len(lines) > 1
    assert "".join(lines).replace(" ", "") == TIBETAN.replace(" ", "")
    for line in lines[:-1]:
        assert line.rstrip()[-1] in "\u0f0b\u0f0d", line


def test_lines_fit_their_width_in_the_real_font():
    for text, lang in ((TIBETAN, "bo"), (CHINESE, "zh_CN"), ("ꆈꌠꁱꂷꀋꁨꑌꐥꀕꇬꌋꇁꄮꇬꐥ", "ii"),
                       ("Please go to a staffed counter during opening hours.", "en")):
        for line in break_lines(text, lang, 260, 36):
            assert text_width(line, lang, 36) <= 260, (lang, line)


def test_chinese_keeps_closing_punctuation_off_the_line_start():
    for width in range(120, 520, 20):
        for line in break_lines(CHINESE, "zh_CN", width, 40):
            assert line[0] not in "，。、；：？！）」』】》", (width, line)


def test_spaces_are_break_points_and_words_stay_whole():
    lines = break_lines("Please go to a staffed counter", "en", 220, 40)
    assert all(w in {"Please", "go", "to", "a", "staffed", "counter"} for line in lines for w in line.split())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["བཀྲ", "ཤིས", "བསྒྲུབས", "ཀྱི", "་", "། ", "ꆈ", "ꌠ", "中", "文", "，", "。", "A1", " "]), max_size=40),
       st.integers(min_value=60, max_value=600))
def test_break_lines_never_splits_a_stack_and_loses_nothing(parts, width):
    text = "".join(parts)
    for lang in ("bo", "ii", "zh_CN"):
        lines = break_lines(text, lang, width, 32)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for line in lines:
            if line:  # no line starts with a subjoined letter or a vowel sign: the stack stayed whole
                assert not (0x0F71 <= ord(line[0]) <= 0x0FBC), line


def test_translator_pairs_and_params():
    tr = Translator()
    primary, zh = tr.pair(Msg("queue.receipt.waiting", waiting=3), "bo")
    assert "3" in primary and zh is not None and "3" in zh and primary != zh
    assert tr.pair(Msg("action.done"), "zh_CN")[1] is None  # monolingual
    assert tr.pair(Msg("action.done"), "en") == ("Done", None)
    assert tr.pair(Plain("A023"), "ii") == ("A023", None)  # a number is not repeated beneath


def test_missing_key_falls_back_to_chinese_and_is_recorded():
    tr = Translator()
    assert tr.text(Msg("no.such.key"), "bo") == "no.such.key"
    assert ("bo", "no.such.key") in tr.missing


@pytest.mark.parametrize("raw, clean", [("༡༢༣", "123"), ("A༠༢༣", "A023"), ("１２３", "123"), ("abc", "abc")])
def test_tibetan_and_fullwidth_digits_are_normalised(raw, clean):
    assert normalize_digits(raw) == clean
