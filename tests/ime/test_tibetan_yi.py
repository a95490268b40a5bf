"""Tibetan (national standard layout, stacks) and Yi (Liangshan romanisation) keyboards."""
from __future__ import annotations

import unicodedata

import pytest

from kiosk.ime import tibetan, yi

SI_BO = "སྤྱི་ཚོགས་ཉེན་བཅོལ།"  # social insurance


def test_layout_is_the_national_standard_one():
    # a few keys checked against the standard's chart: home row འ ས ད བ ང མ ་ ག ལ ཞ །
    assert "".join(tibetan.BASE[k] for k in "asdfghjkl;'") == "འསདབངམ་གལཞ།"
    assert tibetan.BASE["c"] == "ཀ" and tibetan.SUBJOINED["c"] == "\u0f90"


@pytest.mark.parametrize("keys, text", [
    ("smcj", "སྐ་"),            # s + stack + k: སྐ, then tsheg
    ("rmkmy", "རྒྱ"),          # three-letter stack: ra, subjoined ga, subjoined ya
    ("smbmyij", "སྤྱི་"),       # vowel after a stack
    ("scm", "སཀ"),             # a dangling stack key types nothing
    ("jmc", "་ཀ"),             # nothing stacks under a tsheg
])
def test_compose_builds_stacks(keys, text):
    assert tibetan.compose(keys) == text
    assert all(unicodedata.category(ch)[0] in "LM" or ch in tibetan.MARKS for ch in text)


def test_keys_for_round_trips_the_catalog_title():
    assert tibetan.compose(tibetan.keys_for(SI_BO)) == SI_BO


def test_tibetan_candidates_complete_to_catalog_words_without_tsheg():
    ime = tibetan.TibetanIME([SI_BO, "སྨན་བཅོས་ཉེན་བཅོལ།"])
    found = ime.candidates(tibetan.keys_for("སྤྱི་ཚོགས"))
    assert found[0] == "སྤྱི་ཚོགས" and "སྤྱི་ཚོགས་ཉེན་བཅོལ" in found
    assert "སྤྱི་ཚོགས་ཉེན་བཅོལ" in ime.complete("སྤྱིཚོགས")  # missing tsheg


def test_yi_table_is_unicode_romanisation():
    t = yi.table()
    assert len(t) == 1164 and t["nuo"] == "ꆈ" and t["su"] == "ꌠ" and t["it"] == "\ua000"
    assert yi.romanise("ꆈꌠ") == "nuosu"


@pytest.mark.parametrize("keys, done, tail", [
    ("nuosu", ["nuo", "su"], ""), ("nuos", ["nuo"], "s"), ("shep", ["shep"], ""), ("", [], ""),
])
def test_yi_segment(keys, done, tail):
    assert yi.segment(keys) == (done, tail)


def test_yi_candidate_strip():
    ime = yi.YiIME(["ꆈꌠꁱꂷ"])
    found = ime.candidates("nuosu")
    assert found[0] == "ꆈꌠ" and "ꆈꌠꁱꂷ" in found
    tones = ime.candidates("su")
    assert {"ꌠ", "ꌡ", "ꌢ", "ꌞ"} <= set(tones)  # su, sut, sux, sup: every tone on the strip
    assert ime.candidates("nuos")[0].startswith("ꆈ")
