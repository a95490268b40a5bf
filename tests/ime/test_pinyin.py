"""Pinyin: librime through ctypes, fuzzy rules, the government word list first."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from kiosk.ime import readings
from kiosk.ime.pinyin import gov_words, vocabulary_matches

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("keys, first", [
    ("shebao", "社保"), ("yibao", "医保"), ("budongchan", "不动产"), ("canbaozhengming", "参保证明"),
    ("dianzizhengzhao", "电子证照"),  # librime alone says 电子征兆: the word list must win
    ("sfz", "身份证"), ("dzzz", "电子证照"), ("shenfz", "身份证"),
    ("sebao", "社保"), ("sengfenzeng", "身份证"),  # fuzzy: sh/s, en/eng, zh/z
])
def test_government_words_come_first(pinyin_ime, keys, first):
    assert pinyin_ime.candidates(keys, 10)[0] == first


def test_librime_answers_beyond_the_word_list(pinyin_ime):
    found = pinyin_ime.candidates("nihao", 10)
    assert "你好" in found and not vocabulary_matches("nihao")
    assert "旅游" in pinyin_ime.candidates("nvyou", 10)  # fuzzy n/l from the schema patch


def test_no_keys_no_candidates(pinyin_ime):
    assert pinyin_ime.candidates("", 10) == [] and pinyin_ime.candidates("123", 10) == []


@pytest.mark.parametrize("keys, word, quality", [
    ("shebao", "社保", 3), ("sb", "社保", 2), ("sheb", "社保", 2), ("sebao", "社保", 1),
    ("shebao", "医保", 0), ("shebaoz", "社保", 0), ("s", "社保", 0), ("lvyou", "旅游", 3), ("nvyou", "旅游", 1),
    ("zhongqing", "重庆", 3), ("chongqing", "重庆", 3),  # polyphones keep every reading
])
def test_keys_match(keys, word, quality):
    assert readings.keys_match(keys, word) == quality


def test_word_list_holds_the_catalog_titles_and_the_glossary():
    seed = json.loads((ROOT / "kiosk/demo_platform/seed.json").read_text(encoding="utf-8"))
    titles = {d["title"]["zh_CN"] for d in seed["departments"]}
    titles |= {i["title"]["zh_CN"] for d in seed["departments"] for i in d["items"]}
    with (ROOT / "locales/glossary.tsv").open(encoding="utf-8") as f:
        titles |= {row["zh_CN"] for row in csv.DictReader(f, delimiter="\t")}
    assert titles - set(gov_words()) == set()
