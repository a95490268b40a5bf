"""MQTT command envelopes through the real agent (no broker: its publish is recorded): every
envelope gets exactly one ack, `ok`, `refused` with a reason or `invalid` naming the field
(issue 14, finding 9). On the code before the typed decoder, `issued_at: NaN` ran and was acked
"ok"; `expires_at: NaN`, a 400-digit `issued_at` and arguments nested 5,000 deep got no ack at all
(IntegrityError, OverflowError, RecursionError), and 13 of 5,000 random envelopes got none."""
from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.remote import protocol
from kiosk.remote.agent import Agent
from kiosk.remote.mqtt import BrokerSettings

NOW = 1_800_000_000.0
TEN_YEARS = 10 * 365 * 24 * 3600.0
STATUSES = {"ok", "error", "refused", "invalid", "duplicate"}


class Inline:
    """An executor that runs the handler at once, so its ack is there when delivery returns."""

    def submit(self, fn: Any, *args: Any) -> None:
        fn(*args)

    def shutdown(self, wait: bool = True) -> None:
        pass


class Rig:
    def __init__(self, state: Path) -> None:
        self.ran: list[str] = []
        self.acks: list[dict[str, Any]] = []
        handlers = {name: self._handler(name) for name in protocol.COMMANDS}
        self.agent = Agent("t-0001", BrokerSettings("127.0.0.1", 1, tls=False), handlers=handlers,
                           state_dir=state, executor=Inline(), wall=lambda: NOW, command_max_ttl_s=3600)
        self.agent.client.publish = self._publish  # type: ignore[method-assign]

    def _handler(self, name: str) -> Any:
        def run(args: dict[str, Any]) -> dict[str, Any]:
            self.ran.append(name)
            return {"ran": name}

        return run

    def _publish(self, topic: str, payload: Any = None, qos: int = 0, retain: bool = False, properties: Any = None) -> Any:
        assert topic == self.agent.topic_ack
        self.acks.append(json.loads(payload))
        return SimpleNamespace(rc=0)

    def deliver(self, payload: bytes) -> list[dict[str, Any]]:
        """The acks this one delivery produced."""
        before = len(self.acks)
        self.agent._on_message(None, None, SimpleNamespace(topic=self.agent.topic_cmd, payload=payload))  # noqa: SLF001
        return self.acks[before:]


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    # The store fsyncs every claim; on tmpfs 5,000 envelopes take seconds, not a minute.
    shm = Path("/dev/shm")
    state = Path(tempfile.mkdtemp(dir=shm)) if shm.is_dir() else tmp_path / "state"
    r = Rig(state)
    yield r
    r.agent.store.close()
    shutil.rmtree(state, ignore_errors=True)


def envelope(**fields: Any) -> dict[str, Any]:
    base = protocol.make_command("diag", now=NOW, ttl_s=300, command_id=fields.pop("id", "c-1"))
    base.update(fields)
    return base


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("payload, field", [
    # NaN compares false with everything: the lifetime and future checks were skipped.
    (json.dumps(envelope(issued_at=float("nan"), expires_at=NOW + TEN_YEARS)), "issued_at"),
    (json.dumps(envelope(expires_at=float("nan"))), "expires_at"),
    (json.dumps(envelope(issued_at=float("inf"))), "issued_at"),
    (json.dumps(envelope(issued_at=10**400)), "issued_at"),
    (json.dumps(envelope(expires_at=-(10**400))), "expires_at"),
    (json.dumps(envelope(expires_at=1e999)), "expires_at"),  # dumps writes Infinity
    (json.dumps(envelope(cmd="set_maintenance"))[:-1] + ', "args": {"on": ' + nested(5000) + "}}", "args"),
    (json.dumps(envelope(cmd="set_maintenance", args={"on": True, "reason": 5})), "args.reason"),
], ids=["issued_nan_ten_year_life", "expires_nan", "issued_inf", "issued_400_digits", "expires_minus_400_digits",
        "expires_1e999", "args_5000_deep", "arg_of_wrong_type"])
def test_bad_numbers_and_depth_get_one_invalid_ack_naming_the_field(rig: Rig, payload: str, field: str) -> None:
    acks = rig.deliver(payload.encode())
    assert len(acks) == 1, acks
    assert acks[0]["status"] == "invalid" and acks[0]["field"] == field, acks[0]
    assert acks[0]["id"] == "c-1"  # the id was readable: the operator can match the ack
    assert rig.ran == []


def test_a_good_envelope_runs_once_and_its_copy_is_a_duplicate(rig: Rig) -> None:
    payload = json.dumps(envelope()).encode()
    assert [a["status"] for a in rig.deliver(payload)] == ["ok"]
    assert [a["status"] for a in rig.deliver(payload)] == ["duplicate"]
    assert rig.ran == ["diag"]


def test_an_envelope_the_agent_cannot_even_record_still_gets_an_ack(rig: Rig) -> None:
    def broken(*_a: Any, **_k: Any) -> None:
        raise OSError("disk full")

    rig.agent.store.claim = broken  # type: ignore[method-assign]
    acks = rig.deliver(json.dumps(envelope()).encode())
    assert [(a["status"], a["reason"]) for a in acks] == [("error", "OSError")]
    assert rig.ran == []


# -- 5,000 random envelopes --------------------------------------------------------------------------
leaf = (st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.sampled_from([10**400, -(10**400)])
        | st.floats() | st.text(max_size=12))
anything = st.recursive(leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                        max_leaves=8)
times = st.one_of(st.just(NOW), st.floats(NOW - 600, NOW + 600), st.floats(), anything)
ids = st.one_of(st.from_regex(r"\A[A-Za-z0-9_-]{1,12}\Z"), st.text(max_size=70), anything)
names = st.one_of(st.sampled_from(sorted(protocol.COMMANDS)), st.sampled_from(["shell", "", "diag "]), anything)
good_args = st.one_of(
    st.just({}), st.fixed_dictionaries({"on": st.booleans()}, optional={"reason": st.text(max_size=250)}),
    st.fixed_dictionaries({"texts": st.dictionaries(st.sampled_from(["zh_CN", "bo", "ii", "en", ""]), st.text(max_size=20),
                                                    max_size=9)}, optional={"until": times}),
    st.fixed_dictionaries({}, optional={"apply": anything, "reason": anything}))
DEEP = "@@deep@@"
arg_values = st.one_of(good_args, anything, st.just(DEEP))
members = st.fixed_dictionaries({}, optional={"id": ids, "cmd": names, "args": arg_values, "issued_at": times,
                                              "expires_at": times, "extra": anything})


@st.composite
def envelopes(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.binary(max_size=64))
    if kind == 1:
        return json.dumps(draw(anything)).encode()
    raw = draw(members)
    if kind < 5:  # mostly near-valid: real times and a real command
        raw.setdefault("id", draw(st.from_regex(r"\A[a-z0-9]{1,10}\Z")))
        raw.setdefault("cmd", draw(st.sampled_from(sorted(protocol.COMMANDS))))
        raw.setdefault("issued_at", NOW)
        raw.setdefault("expires_at", NOW + 60)
    text = json.dumps(raw)
    if DEEP in text:
        text = text.replace(json.dumps(DEEP), nested(draw(st.integers(1, 6000))), 1)
    return text.encode()


def test_5000_random_envelopes_each_get_exactly_one_ack(rig: Rig) -> None:
    seen: dict[str, int] = {}

    @settings(max_examples=5000, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(payload=envelopes())
    def one(payload: bytes) -> None:
        ran_before = len(rig.ran)
        acks = rig.deliver(payload)
        assert len(acks) == 1, (payload[:200], acks)
        ack = acks[0]
        assert ack["status"] in STATUSES, ack
        assert (ack["status"] == "invalid") == ("field" in ack), ack
        assert len(rig.ran) == ran_before + (ack["status"] == "ok")
        seen[ack["status"]] = seen.get(ack["status"], 0) + 1

    one()
    assert sum(seen.values()) == 5000
    assert {"ok", "refused", "invalid"} <= set(seen), seen  # the draw reached every kind of answer
