"""kiosk/core/decode.py: declarations (type, range, finiteness, length, enum), errors naming the
field path, and the walk that refuses NaN, infinities, huge integers and deep nesting before any
type is applied. Also the platform's `decode_json`, which let `1e999` through as inf (issue 14,
finding 14: on the code before the decoder, `decode_json(b"[1e999]")` returned `[inf]`)."""
from __future__ import annotations

import copy
import json
import math
from typing import Annotated, Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core import decode
from kiosk.core.decode import Check, DecodeError, Record, integer, number, one_of, text, unique
from kiosk.platform import parse
from kiosk.platform.api import PlatformBadReply


Name = text(min_len=1, max_len=8, pattern=r"^[a-z]+$", means="lower-case letters")
Kind = one_of("walk", "wait")


class Item(Record):
    id: Name
    wait_s: number(ge=0, le=3600) = 1.0
    count: integer(ge=0, le=100) = 0
    kind: Kind = "walk"
    tags: tuple[Annotated[str, Check(str.upper)], ...] = ()

    def check(self) -> None:
        if self.kind == "wait" and self.wait_s == 0:
            raise DecodeError("wait_s", "a wait needs a time")


class Plan(Record):
    items: Annotated[list[Item], msgspec.Meta(max_length=5)]

    def check(self) -> None:
        unique([i.id for i in self.items], "items")


def plan(*items: dict[str, Any]) -> dict[str, Any]:
    return {"items": [{"id": "a"}, {"id": "b"}, {"id": "c"}, *items]}


def test_a_good_value_is_typed_and_checked() -> None:
    p = decode.convert(plan({"id": "d", "wait_s": 5, "tags": ["x"], "kind": "wait"}), Plan)
    assert p.items[3] == Item(id="d", wait_s=5.0, count=0, kind="wait", tags=("X",))


@pytest.mark.parametrize("item, field, problem", [
    ({"id": "d", "wait_s": math.nan}, "items[3].wait_s", "not a finite number"),
    ({"id": "d", "wait_s": math.inf}, "items[3].wait_s", "not a finite number"),
    ({"id": "d", "wait_s": -math.inf}, "items[3].wait_s", "not a finite number"),
    ({"id": "d", "wait_s": -1}, "items[3].wait_s", "-1 is out of range (must be >= 0)"),
    ({"id": "d", "wait_s": 3601.5}, "items[3].wait_s", "3601.5 is out of range (must be <= 3600)"),
    ({"id": "d", "count": 10**400}, "items[3].count", "integer out of range (64 bits)"),
    ({"id": "d", "count": 2.0}, "items[3].count", "expected an integer, got number"),
    ({"id": "d", "count": True}, "items[3].count", "expected an integer, got boolean"),
    ({"id": "d", "wait_s": "5"}, "items[3].wait_s", "expected a number, got string"),
    ({"id": "toolongid"}, "items[3].id", "longer than 8 characters"),
    ({"id": ""}, "items[3].id", "must not be empty"),
    ({"id": "D"}, "items[3].id", "expected lower-case letters"),
    ({}, "items[3].id", "missing"),
    ({"id": "d", "kind": "run"}, "items[3].kind", "expected one of walk, wait"),
    ({"id": "d", "kind": "wait", "wait_s": 0}, "items[3].wait_s", "a wait needs a time"),
    ({"id": "d", "tags": ["x", 3]}, "items[3].tags[1]", "expected a string, got number"),
    ({"id": "a"}, "items[3].id", "duplicate id 'a'"),
])
def test_errors_name_the_field(item: dict[str, Any], field: str, problem: str) -> None:
    with pytest.raises(DecodeError) as e:
        decode.convert(plan(item), Plan, "plan")
    assert (e.value.field, e.value.problem) == ("plan." + field, problem)
    assert str(e.value) == f"plan.{field}: {problem}"


def test_lengths_and_shapes() -> None:
    with pytest.raises(DecodeError, match=r"^items: more than 5 items$"):
        decode.convert(plan({"id": "d"}, {"id": "e"}, {"id": "f"}), Plan)
    with pytest.raises(DecodeError, match=r"^items: expected a list, got object$"):
        decode.convert({"items": {}}, Plan)
    with pytest.raises(DecodeError, match=r"^expected an object, got list$"):
        decode.convert([], Plan)


def test_nesting_is_bounded_without_recursion() -> None:
    deep: Any = 1
    for _ in range(100_000):  # far past the interpreter's recursion limit
        deep = [deep]
    with pytest.raises(DecodeError) as e:
        decode.check_tree({"args": {"x": deep}})
    assert e.value.field == "args.x" and "nested deeper than 32" in e.value.problem
    decode.check_tree(json.loads("[" * 32 + "]" * 32))  # at the limit: fine


@pytest.mark.parametrize("body, field, problem", [
    (b"[1e999]", "[0]", "not a finite number"),
    (b'{"a": -1e999}', "a", "not a finite number"),
    (b'{"waiting": NaN}', "waiting", "not a finite number"),
    (b'{"a": {"b": [Infinity]}}', "a.b[0]", "not a finite number"),
    (b'{"issued_at": 1' + b"0" * 400 + b"}", "issued_at", "integer out of range (64 bits)"),
    (b"[" * 5000 + b"]" * 5000, "", "nested deeper than 32 levels"),
    (b"[" * 33 + b"]" * 33, "", "nested deeper than 32 levels"),
])
def test_loads_refuses_what_json_lets_through(body: bytes, field: str, problem: str) -> None:
    with pytest.raises(DecodeError) as e:
        decode.loads(body)
    assert (e.value.field, e.value.problem) == (field, problem)


def test_platform_decode_json_refuses_1e999() -> None:
    for body in (b"[1e999]", b'{"queue_types": [{"waiting": 1e999}]}', b"-1E+999"):
        with pytest.raises(PlatformBadReply, match=r"^GET /x: .*not a finite number"):
            parse.decode_json(body, "GET /x")
    assert parse.decode_json(b'{"a": 1e308}', "GET /x") == {"a": 1e308}


def test_members_are_checked_one_by_one() -> None:
    good, bad = decode.loads_members(b'{"id": "c1", "issued_at": NaN, "args": {"x": ' + b"[" * 5000 + b"]" * 5000 + b"}}")
    assert good == {"id": "c1"}
    assert {k: e.problem for k, e in bad.items()} == {"issued_at": "not a finite number",
                                                      "args": "nested deeper than 32 levels"}
    for body in (b"[1]", b"nope", b"", b"\xff"):
        with pytest.raises(DecodeError):
            decode.loads_members(body)


def test_every_number_field_of_every_reply_refuses_nan_and_huge_integers() -> None:
    """Each platform reply from the demo seed with one numeric field made NaN, or 400 digits."""
    from kiosk.demo_platform.server import SEED_PATH

    seed = json.loads(SEED_PATH.read_text(encoding="utf-8"))
    doc = {"queue_types": copy.deepcopy(seed["queue_types"])}
    for bad in (math.nan, math.inf, 10**400):
        raw = copy.deepcopy(doc)
        raw["queue_types"][2]["waiting"] = bad
        with pytest.raises(PlatformBadReply, match=r"^queue_types\.queue_types\[2\]\.waiting: "):
            parse.parse_queue_types(raw)


@settings(max_examples=300, deadline=None)
@given(value=st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                          max_leaves=15))
def test_convert_raises_only_decode_errors(value: Any) -> None:
    try:
        decode.convert(value, Plan)
    except DecodeError:
        pass
