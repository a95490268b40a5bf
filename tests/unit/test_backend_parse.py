"""kiosk.platform.parse: good replies become typed results, anything else only PlatformBadReply.

Also checks the bundled demo seed, since the parsers are what the kiosk reads it through.
"""
from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.platform import parse
from kiosk.platform.api import PlatformBadReply, Ticket
from kiosk.demo_platform.server import SEED_PATH

SEED = json.loads(SEED_PATH.read_text(encoding="utf-8"))


def catalog_doc() -> dict[str, Any]:
    return {"departments": copy.deepcopy(SEED["departments"])}


def queue_doc() -> dict[str, Any]:
    return {"queue_types": copy.deepcopy(SEED["queue_types"])}


def ticket_doc() -> dict[str, Any]:
    return {
        "ticket": {
            "number": "A001",
            "type_id": "social_insurance",
            "title": {"zh_CN": "社保业务", "bo": "སྤྱི་ཚོགས་ཉེན་བཅོལ་ལས་དོན།"},
            "counter_group": "1-4",
            "waiting": 6,
            "issued_at": "2026-11-22T23:05:00+08:00",
            "verify_url": "http://127.0.0.1:8700/t/A001",
        }
    }


def submission_doc() -> dict[str, Any]:
    return {
        "submission": {
            "id": "S000001",
            "kind": "evaluation",
            "received_at": "2026-11-22T23:05:00+08:00",
            "duplicate": False,
            "payload": {"level": 5},
        }
    }


# -- good replies -------------------------------------------------------------------------------


def test_catalog_from_seed() -> None:
    depts = parse.parse_catalog(catalog_doc())
    assert [d.id for d in depts] == [
        "social_insurance",
        "medical_insurance",
        "real_estate",
        "household",
        "civil_affairs",
        "market_regulation",
        "taxes",
    ]
    item = depts[2].items[0]
    assert item.id == "re_query"
    assert item.department == "real_estate"
    assert item.flow == "real_estate_query"
    assert item.needs == ("idcard", "camera", "printer")
    assert item.title.get("bo") == "མི་གཡོ་བའི་རྒྱུ་ནོར་ཐོ་འགོད་ཆ་འཕྲིན་འཚོལ་བཤེར།"
    assert item.title.get("fr") == "不动产登记信息查询"  # unknown language falls back to Chinese
    counter_only = [i.id for d in depts for i in d.items if i.flow is None]
    assert "si_retirement" in counter_only


def test_catalog_without_items_and_plain_string_title() -> None:
    [d] = parse.parse_catalog({"departments": [{"id": "x", "title": "综合"}]})
    assert d.items == ()
    assert d.title.zh == "综合"


def test_queue_types_from_seed() -> None:
    types = parse.parse_queue_types(queue_doc())
    assert [(t.id, t.waiting) for t in types][:2] == [("social_insurance", 6), ("medical_insurance", 3)]
    assert types[4].title.zh == "综合窗口"
    assert types[4].counter_group == "13-14"


def test_ticket() -> None:
    t = parse.parse_ticket(ticket_doc(), expected_type="social_insurance")
    assert (t.number, t.type_id, t.waiting) == ("A001", "social_insurance", 6)
    assert t.title.get("bo") == "སྤྱི་ཚོགས་ཉེན་བཅོལ་ལས་དོན།"
    assert t.verify_url == "http://127.0.0.1:8700/t/A001"
    assert t.extra == {}


def test_submission_and_health() -> None:
    s = parse.parse_submission(submission_doc(), expected_kind="evaluation")
    assert s["id"] == "S000001"
    assert s["duplicate"] is False
    assert parse.parse_health({"status": "ok", "version": "1"}) == {"status": "ok", "version": "1"}


def test_decode_json() -> None:
    assert parse.decode_json('{"a": [1, "藏"]}'.encode(), "x") == {"a": [1, "藏"]}


@pytest.mark.parametrize(
    "raw, code",
    [
        ({"error": {"code": "unknown_queue_type", "message": "无"}}, "unknown_queue_type"),
        ({"error": {"code": 7}}, "http_404"),
        ({"error": "nope"}, "http_404"),
        ({"error": {"code": "has space"}}, "http_404"),
        ([1, 2], "http_404"),
        (None, "http_404"),
    ],
)
def test_error_code(raw: Any, code: str) -> None:
    assert parse.parse_error_code(raw, 404) == code


# -- bad replies --------------------------------------------------------------------------------


def mutate(doc: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    target = doc
    for p in path[:-1]:
        target = target[p]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


BAD: list[tuple[str, Callable[[Any], Any], dict[str, Any], str]] = [
    ("catalog not object", parse.parse_catalog, [], "catalog: expected an object, got list"),  # type: ignore[list-item]
    ("departments missing", parse.parse_catalog, mutate(catalog_doc(), ["departments"], KeyError), "catalog.departments: missing"),
    ("dept id number", parse.parse_catalog, mutate(catalog_doc(), ["departments", 1, "id"], 3), "catalog.departments[1].id: expected a string, got number"),
    ("dept id empty", parse.parse_catalog, mutate(catalog_doc(), ["departments", 0, "id"], ""), "catalog.departments[0].id: expected a non-empty id"),
    ("dept id control", parse.parse_catalog, mutate(catalog_doc(), ["departments", 0, "id"], "a\nb"), "catalog.departments[0].id"),
    ("items not list", parse.parse_catalog, mutate(catalog_doc(), ["departments", 0, "items"], {}), "catalog.departments[0].items: expected a list, got object"),
    ("item title no zh", parse.parse_catalog, mutate(catalog_doc(), ["departments", 0, "items", 1, "title"], {"bo": "ཁྲལ"}), "catalog.departments[0].items[1].title: expected a text with a zh_CN value"),
    ("item title bad value", parse.parse_catalog, mutate(catalog_doc(), ["departments", 0, "items", 1, "title", "ii"], 5), "catalog.departments[0].items[1].title[...]: expected a string, got number"),
    ("item flow missing", parse.parse_catalog, mutate(catalog_doc(), ["departments", 3, "items", 0, "flow"], KeyError), "catalog.departments[3].items[0].flow: missing"),
    ("item flow bool", parse.parse_catalog, mutate(catalog_doc(), ["departments", 3, "items", 0, "flow"], True), "catalog.departments[3].items[0].flow: expected a string or null, got boolean"),
    ("needs member", parse.parse_catalog, mutate(catalog_doc(), ["departments", 2, "items", 0, "needs", 1], None), "catalog.departments[2].items[0].needs[1]: expected a string, got null"),
    ("duplicate dept", parse.parse_catalog, {"departments": [SEED["departments"][0], SEED["departments"][0]]}, "catalog.departments[1].id: duplicate id 'social_insurance'"),
    ("queue waiting string", parse.parse_queue_types, mutate(queue_doc(), ["queue_types", 2, "waiting"], "9"), "queue_types.queue_types[2].waiting: expected an integer, got string"),
    ("queue waiting bool", parse.parse_queue_types, mutate(queue_doc(), ["queue_types", 2, "waiting"], True), "queue_types.queue_types[2].waiting: expected an integer, got boolean"),
    ("queue waiting float", parse.parse_queue_types, mutate(queue_doc(), ["queue_types", 2, "waiting"], 9.0), "queue_types.queue_types[2].waiting: expected an integer, got number"),
    ("queue waiting negative", parse.parse_queue_types, mutate(queue_doc(), ["queue_types", 2, "waiting"], -1), "queue_types.queue_types[2].waiting: -1 is out of range"),
    ("queue counter missing", parse.parse_queue_types, mutate(queue_doc(), ["queue_types", 0, "counter_group"], KeyError), "queue_types.queue_types[0].counter_group: missing"),
    ("ticket not object", parse.parse_ticket, {"ticket": "A001"}, "ticket: expected an object, got string"),
    ("ticket number int", parse.parse_ticket, mutate(ticket_doc(), ["ticket", "number"], 17), "ticket.number: expected a string, got number"),
    ("ticket number tibetan digits", parse.parse_ticket, mutate(ticket_doc(), ["ticket", "number"], "A༠༡"), "ticket.number: expected 1-16 ASCII"),
    ("ticket issued_at", parse.parse_ticket, mutate(ticket_doc(), ["ticket", "issued_at"], "yesterday"), "ticket.issued_at: 'yesterday' is not an ISO 8601 time"),
    ("ticket url scheme", parse.parse_ticket, mutate(ticket_doc(), ["ticket", "verify_url"], "javascript:alert(1)"), "ticket.verify_url: expected an http(s) URL"),
    ("ticket url long", parse.parse_ticket, mutate(ticket_doc(), ["ticket", "verify_url"], "https://x/" + "a" * 600), "ticket.verify_url: longer than 512"),
    ("ticket extra list", parse.parse_ticket, mutate(ticket_doc(), ["ticket", "extra"], []), "ticket.extra: expected an object, got list"),
    ("submission duplicate str", parse.parse_submission, mutate(submission_doc(), ["submission", "duplicate"], "no"), "submission.duplicate: expected true or false, got string"),
    ("submission id missing", parse.parse_submission, mutate(submission_doc(), ["submission", "id"], KeyError), "submission.id: missing"),
    ("health status", parse.parse_health, {"status": 503}, "health.status: expected a string, got number"),
]


@pytest.mark.parametrize("name, parser, raw, message", BAD, ids=[b[0] for b in BAD])
def test_bad_reply_names_the_field(name: str, parser: Callable[[Any], Any], raw: Any, message: str) -> None:
    with pytest.raises(PlatformBadReply) as exc:
        parser(raw)
    assert str(exc.value).startswith(message), str(exc.value)


def test_ticket_of_another_type_is_bad_reply() -> None:
    with pytest.raises(PlatformBadReply, match=r"ticket.type_id: asked for 'taxes', got 'social_insurance'"):
        parse.parse_ticket(ticket_doc(), expected_type="taxes")


def test_submission_of_another_kind_is_bad_reply() -> None:
    with pytest.raises(PlatformBadReply, match=r"submission.kind: sent 'journal'"):
        parse.parse_submission(submission_doc(), expected_kind="journal")


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "x: empty, expected JSON"),
        (b"  \n", "x: empty, expected JSON"),
        (b"<html>502</html>", "x: not JSON"),
        (b"\xff\xfe{}", "x: not UTF-8"),
        (b'{"waiting": NaN}', "x: waiting: not a finite number"),
        (b"[Infinity]", "x: [0]: not a finite number"),
        (b"[" * 100_000 + b"]" * 100_000, "x: nested deeper than"),
    ],
)
def test_decode_json_bad(body: bytes, message: str) -> None:
    with pytest.raises(PlatformBadReply) as exc:
        parse.decode_json(body, "x")
    assert str(exc.value).startswith(message)


# -- property: nothing but PlatformBadReply escapes ---------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


def maybe(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a plausible value, sometimes anything: deep fields are reached only when the
    fields checked before them pass."""
    return st.one_of(good, good, json_values)


def near(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the right keys holding near-valid values; sometimes keys are missing."""
    return st.one_of(st.fixed_dictionaries(fields), st.fixed_dictionaries({}, optional=fields))


ident = maybe(st.sampled_from(["a", "b", "social_insurance"]))
local_text = maybe(st.fixed_dictionaries({"zh_CN": st.sampled_from(["社保", ""])}, optional={"bo": json_values, "ii": maybe(st.just("ꆈꌠ"))}))
catalog_item = near({"id": ident, "title": local_text, "flow": maybe(st.sampled_from([None, "queue_ticket", "new_flow"])), "needs": maybe(st.lists(ident, max_size=3))})
department = near({"id": ident, "title": local_text, "items": maybe(st.lists(catalog_item, max_size=3))})
queue_type = near({"id": ident, "title": local_text, "counter_group": maybe(st.just("1-4")), "waiting": maybe(st.integers(-2, 200_000))})
ticket = near(
    {
        "number": maybe(st.sampled_from(["A001", "B-2", ""])),
        "type_id": maybe(st.just("social_insurance")),
        "title": local_text,
        "counter_group": maybe(st.just("1-4")),
        "waiting": maybe(st.integers(-2, 10)),
        "issued_at": maybe(st.sampled_from(["2026-11-22T23:05:00+08:00", "2026-13-01"])),
        "verify_url": maybe(st.sampled_from(["http://x/t/A1", "ftp://x"])),
        "extra": maybe(st.dictionaries(st.text(max_size=3), json_values, max_size=2)),
    }
)
submission = near(
    {
        "id": ident,
        "kind": maybe(st.just("evaluation")),
        "received_at": maybe(st.just("2026-11-22T23:05:00")),
        "duplicate": maybe(st.booleans()),
    }
)

PARSERS: dict[str, tuple[Callable[[Any], Any], st.SearchStrategy[Any]]] = {
    "catalog": (parse.parse_catalog, maybe(near({"departments": maybe(st.lists(department, max_size=3))}))),
    "queue_types": (parse.parse_queue_types, maybe(near({"queue_types": maybe(st.lists(queue_type, max_size=3))}))),
    "ticket": (lambda raw: parse.parse_ticket(raw, expected_type="social_insurance"), maybe(near({"ticket": maybe(ticket)}))),
    "submission": (lambda raw: parse.parse_submission(raw, expected_kind="evaluation"), maybe(near({"submission": maybe(submission)}))),
    "health": (parse.parse_health, maybe(near({"status": ident}))),
}


RESULT_TYPES: dict[str, type] = {"catalog": list, "queue_types": list, "ticket": Ticket, "submission": dict, "health": dict}


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_parsers_raise_only_bad_reply(name: str, data: st.DataObject) -> None:
    parser, strategy = PARSERS[name]
    raw = data.draw(strategy)
    try:
        result = parser(raw)
    except PlatformBadReply:
        return
    assert isinstance(result, RESULT_TYPES[name])


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_decode_json_raises_only_bad_reply(body: bytes) -> None:
    try:
        value = parse.decode_json(body, "x")
    except PlatformBadReply:
        return
    assert not (isinstance(value, float) and math.isnan(value))


@settings(max_examples=200, deadline=None)
@given(raw=json_values, status=st.integers(400, 499))
def test_error_code_never_raises(raw: Any, status: int) -> None:
    code = parse.parse_error_code(raw, status)
    assert isinstance(code, str) and code


# -- the bundled seed ---------------------------------------------------------------------------

LANGS = {"zh_CN", "bo", "ii", "en"}


def all_titles(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "title" or (isinstance(v, dict) and set(v) == LANGS):
                found.append(v)
            else:
                found.extend(all_titles(v))
    elif isinstance(node, list):
        for v in node:
            found.extend(all_titles(v))
    return found


def test_seed_titles_are_in_four_languages_and_scripts() -> None:
    titles = all_titles(SEED)
    assert len(titles) > 50
    for t in titles:
        assert set(t) == LANGS, t
        assert any("\u4e00" <= c <= "\u9fff" for c in t["zh_CN"]), t
        assert all("\u0f00" <= c <= "\u0fff" or c in " ()" for c in t["bo"]), t
        assert t["ii"] and all("\ua000" <= c <= "\ua48f" for c in t["ii"]), t
        assert t["en"].isascii() and t["en"], t


def test_seed_catalog_uses_known_flows_and_devices() -> None:
    for d in parse.parse_catalog(catalog_doc()):
        assert 2 <= len(d.items) <= 4
        for i in d.items:
            assert i.flow is None or i.flow in parse.KNOWN_FLOWS, i.id
            assert set(i.needs) <= parse.KNOWN_DEVICES, i.id
    prefixes = [q["prefix"] for q in SEED["queue_types"]]
    assert len(set(prefixes)) == len(prefixes) and all(p.isascii() and p.isupper() for p in prefixes)
    assert 5 <= len(prefixes) <= 7
    # Counter numbers only: screens and receipts put the word "counter" around them per language.
    assert all(q["counter_group"].isascii() for q in SEED["queue_types"])


def iso7064_check(body: str) -> str:
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(body))
    return "10X98765432"[total % 11]


def test_seed_citizens() -> None:
    citizens = SEED["citizens"]
    assert len(citizens) == 8  # five of its own, and the three cards of the demo's simulator panel
    for c in citizens:
        n = c["id_number"]
        assert len(n) == 18 and n[:17].isdigit()
        assert n[17] == iso7064_check(n[:17]), n
        assert n[6:14] == c["birth_date"].replace("-", "")
        assert int(n[16]) % 2 == (1 if c["gender"] == "1" else 0)
        assert 2 <= len(c["elicenses"]) <= 3
        assert {e["type"] for e in c["elicenses"]} <= set(SEED["licence_types"])
        for a in c["applications"]:
            assert len(a["number"]) == 15 and a["number"].startswith("SC") and a["number"][2:].isdigit()
            assert a["status"] == a["timeline"][-1]["status"]
            assert {s["status"] for s in a["timeline"]} <= set(SEED["application_statuses"])
        assert set(c["social_insurance"]["schemes"]) <= set(SEED["insurance_schemes"])
    tibetan = next(c for c in citizens if c["nation"] == "04")
    assert "甘孜藏族自治州" in tibetan["address"]
    assert all("\u0f00" <= ch <= "\u0fff" for ch in tibetan["name"]["bo"])
    yi = next(c for c in citizens if c["nation"] == "07")
    assert "凉山彝族自治州" in yi["address"]
    assert all("\ua000" <= ch <= "\ua48f" for ch in yi["name"]["ii"])
    assert any(a["number"] == "SC2026112200123" for c in citizens for a in c["applications"])


def test_seed_is_small() -> None:
    size = SEED_PATH.stat().st_size
    assert size < 60 * 1024
