"""Service guide against the demo platform: browse by department, search by pinyin initials or
by the title in Chinese, Tibetan or Yi, the guide with its QR code, optional print."""
from __future__ import annotations

import pytest

from flows.engine import COMPLETED

FLOW = "service_guide"


def test_browse_a_department_then_read_a_guide_with_its_qr_code(harness):
    h = harness(FLOW)
    assert h.step == "browse" and h.view.kind == "search"
    assert h.option_ids()[0] == "dept:social_insurance" and h.view.data["query"] == ""
    h.choose("dept:real_estate")
    assert h.step == "department" and h.option_ids() == ["guide:re_guide", "guide:re_mortgage", "back"]
    h.choose("guide:re_guide")
    assert h.step == "guide"
    assert h.view.data["qr"] == f"{h.server.url}/g/re_guide"
    shown = h.texts()
    for expected in ("居民身份证", "不动产权证书", "5个工作日", "住宅每件80元", "不动产窗口 7-10 号"):
        assert expected in shown
    assert h.option_ids() == ["print", "back", "evaluate", "done"]
    h.choose("back")
    assert h.step == "department"


@pytest.mark.parametrize("query,first", [
    ("bdc", "guide:re_guide"),  # pinyin initials
    ("SBYW", "guide:si_guide"),
    ("婚姻", "guide:ca_marriage_guide"),  # Chinese
    ("ཐེམ་ཐོ་", "guide:hh_transfer_guide"),  # Tibetan, with its closing tsheg
    ("ꉸꈈꐂꑴ", "guide:hh_transfer_guide"),  # Yi
    ("income tax", "guide:tx_iit_guide"),
])
def test_search(harness, query, first):
    h = harness(FLOW)
    h.send("search", query=query)
    assert h.step == "browse" and h.view.data["query"] == query
    assert h.option_ids()[0] == first and h.view.data["count"] == len(h.option_ids())


def test_search_without_results_says_so_and_an_empty_query_shows_departments(harness):
    h = harness(FLOW)
    h.send("search", query="zzzz")
    assert h.option_ids() == [] and h.view.data["notice"] is not None
    h.send("search", query="")
    assert h.option_ids()[0].startswith("dept:")
    assert h.runner.history == ["loading", "browse"]  # typing does not re-enter the step


def test_print_the_guide_then_finish(harness):
    h = harness(FLOW, lang="en")
    h.send("search", query="sb")
    h.choose(h.option_ids()[0])
    h.choose("print")
    assert h.step == "printed"
    doc = h.printer.printed[-1]
    assert doc.kind == "service_guide" and doc.lang == "en"
    h.choose("done")
    assert h.outcome == COMPLETED


def test_platform_down_at_the_guide_list(server, harness):
    server.set_fault("down")
    h = harness(FLOW)
    assert h.step == "error" and h.view.data["reason"] in ("unreachable", "timeout")
    server.set_fault("none")
    h.choose("retry")
    assert h.step == "browse"
