"""The one guide-search matcher, on the demo catalog's titles in four languages."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.ime.match import score, search
from kiosk.platform import guides as platform_guides

SEED = json.loads((Path(__file__).resolve().parents[2] / "kiosk/demo_platform/seed.json").read_text(encoding="utf-8"))
ITEMS = {i["id"]: i for d in SEED["departments"] for i in d["items"]}
GUIDES = [(g["item"], ITEMS[g["item"]]["title"], g["initials"]) for g in SEED["guides"]]


def ids(query):
    return [g[0] for g in search(query, GUIDES, lambda g: g[1], lambda g: g[2])]


@pytest.mark.parametrize("query, first", [
    ("社保", "si_guide"), ("shebao", "si_guide"), ("sb", "si_guide"), ("sebao", "si_guide"),
    ("yibao", "mi_guide"), ("医保", "mi_guide"), ("budongchan", "re_guide"), ("bdc", "re_guide"),
    ("hunyin", "ca_marriage_guide"), ("ＳＨＥＢＡＯ", "si_guide"), ("she bao", "si_guide"),
    ("སྤྱི་ཚོགས", "si_guide"), ("སྤྱིཚོགས", "si_guide"), ("སྤྱི་ཚོགས་", "si_guide"), ("སྤྱི ཚོགས", "si_guide"),
    ("ꎹꀣ", "si_guide"), ("ꑳꀣ", "mi_guide"), ("insurance", "si_guide"),
])
def test_first_hit(query, first):
    assert ids(query)[0] == first


def test_nothing_and_everything():
    assert ids("zzzz") == [] and len(ids("")) == len(GUIDES)


def test_ranking_prefers_the_title_start():
    titles = {"zh_CN": "社保业务办事指南"}
    assert score("社保", titles) > score("业务", titles) > 0
    assert score("shebao", titles) > score("yewu", titles) > score("sebao", titles) > 0


def test_the_platform_and_the_flow_use_this_matcher():
    assert platform_guides.search is search and platform_guides.score is score


def test_demo_platform_endpoint_ranks_with_it():
    from kiosk.demo_platform.services import DemoServices

    services = DemoServices(SEED, lambda: "http://127.0.0.1", lambda: "")
    _, reply = services.post("/api/v1/guides/search", {"query": "yibao"}, "")
    assert [g["id"] for g in reply["guides"]] == ids("yibao")[:len(reply["guides"])] and reply["guides"][0]["id"] == "mi_guide"
