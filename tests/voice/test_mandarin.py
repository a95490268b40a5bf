"""Chinese clips: toned pinyin for espeak-ng's cmn-latn-pinyin, and the measurement behind it."""
from __future__ import annotations

import shutil

import pytest

from kiosk.i18n.mandarin import chinese_number, measure, segments

espeak = pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng not installed (make setup)")


def test_polyphones_are_resolved_by_word():
    assert segments("银行") == [("pinyin", "yin2 hang2")]
    assert segments("执行") == [("pinyin", "zhi2 xing2")]
    assert segments("请重新办理") == [("pinyin", "qing3 chong2 xin1 ban4 li3")]
    assert segments("本机正在重连") == [("pinyin", "ben3 ji1 zheng4 zai4 chong2 lian2")]  # PHRASES fix
    assert segments("等待时间长") == [("pinyin", "deng3 dai4 shi2 jian1 chang2")]


def test_digits_latin_and_punctuation():
    assert chinese_number("24") == "二十四" and chinese_number("10") == "十" and chinese_number("12345") == "一二三四五"
    assert segments("24小时") == [("pinyin", "er4 shi2 si4 xiao3 shi2")]
    assert segments("政务服务App中") == [("pinyin", "zheng4 wu4 fu2 wu4"), ("en", "App"), ("pinyin", "zhong1")]
    assert segments("热线：12345") == [("pinyin", "re4 xian4"), ("pause", ""), ("pinyin", "yi1 er4 san1 si4 wu3")]


@espeak
def test_measure_shows_cmn_reading_by_english_rules_and_pinyin_route_tones(locales):
    po = locales / "zh_CN" / "LC_MESSAGES" / "kiosk.po"
    head = po.read_text(encoding="utf-8").split("\n\n")[0]
    po.write_text(head + '\n\n#. t\n# review: source\nmsgid "t.bank"\nmsgstr "请到银行办理"\n', encoding="utf-8")
    result = measure(locales)
    assert "(en)" in result["examples"]["t.bank"]["cmn"]  # the cmn voice's English-rules fallback
    assert result["pinyin_bad_syllables"] == {}
    assert result["summary"]["cmn-latn-pinyin: prompts with a wrong syllable"] == "0/1"
