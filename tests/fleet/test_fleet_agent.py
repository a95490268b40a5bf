"""The MQTT agent against a real mosquitto: status and last will, telemetry without personal
data, allow-listed commands run at most once, the outbox, a broker restart."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from tests.support.fleetkit import HERE, settings_for, wait_for

from kiosk.remote import protocol
from kiosk.remote.agent import Agent
from kiosk_fleet.localbroker import LocalBroker
from kiosk.remote.netloop import NetLoop
from kiosk_fleet.operator import Operator

# What a citizen session holds; none of it may reach the fleet channel.
CITIZEN_NAMES = ["张三", "扎西顿珠", "阿依木呷", "Zhang San"]
CITIZEN_IDS = ["513325199001011234", "51332519900101123X", "513325900101123", "13812345678"]


class Counting:
    """Handlers that count how often they ran."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.lock = threading.Lock()

    def handler(self, name: str, result: dict | None = None):
        def run(args: dict) -> dict:
            with self.lock:
                self.calls[name] = self.calls.get(name, 0) + 1
            return {"ran": name, "args": args, **(result or {})}

        return run

    def handlers(self) -> dict:
        return {n: self.handler(n) for n in ("diag", "check_update", "set_maintenance", "set_announcement")}


@pytest.fixture
def make_agent(tmp_path, settings):
    made: list[Agent] = []

    def _make(terminal: str = "terminal-0001", state: Path | None = None, s=None, **kw) -> Agent:
        kw.setdefault("handlers", {})
        agent = Agent(terminal, s or settings, state_dir=state or tmp_path / terminal, **kw)
        made.append(agent)
        return agent

    yield _make
    for a in made:
        if not a._stop.is_set():  # noqa: SLF001
            a.stop(timeout=2)


@pytest.fixture
def operator(settings):
    with Operator(settings) as op:
        op.watch_acks()
        yield op


def test_online_status_is_retained_and_a_clean_stop_says_offline(make_agent, collector, settings):
    agent = make_agent("status-1", status_info=lambda: {"version": "1.1.0"})
    agent.start()
    assert agent.wait_connected(5)
    late = collector(["kiosk/status-1/status"])  # subscribes after: gets the retained copy
    st = wait_for(lambda: late.on("kiosk/status-1/status"), what="retained status")[-1]
    assert st["state"] == "online" and st["version"] == "1.1.0"
    agent.stop()
    wait_for(lambda: late.on("kiosk/status-1/status")[-1]["state"] == "offline", what="offline")
    with Operator(settings) as op:
        assert op.statuses(0.2)["status-1"]["reason"] == "stopped"


def test_last_will_marks_a_killed_terminal_offline(tmp_path, broker, collector):
    watch = collector(["kiosk/will-1/status"])
    child = subprocess.Popen([sys.executable, str(HERE / "agent_child.py"), str(broker.port), "will-1",
                              str(tmp_path / "will-1")], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: any(s["state"] == "online" for s in watch.on("kiosk/will-1/status")), timeout=10,
                 what="child online")
        child.send_signal(signal.SIGKILL)  # no DISCONNECT: the kernel just closes the socket
        child.wait(5)
        last = wait_for(lambda: [s for s in watch.on("kiosk/will-1/status") if s["state"] == "offline"],
                        what="last will")[-1]
        assert last["reason"] == "lost"
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_abort_without_disconnect_fires_the_will_in_process(make_agent, collector):
    agent = make_agent("will-2")
    watch = collector(["kiosk/will-2/status"])
    agent.start()
    assert agent.wait_connected(5)
    agent.abort()
    last = wait_for(lambda: [s for s in watch.on("kiosk/will-2/status") if s["state"] == "offline"], what="will")
    assert last[-1]["reason"] == "lost"


def test_telemetry_carries_no_personal_data(make_agent, collector):
    def provider() -> dict:
        # A careless provider: personal data in odd places. The agent must not pass it on.
        return {
            "versions": {"app": "1.1.0", "tuf_root": 3},
            "update": {"state": "committed", "pending": None},
            "devices": {"idcard": {"status": "ok", "last_reader": CITIZEN_NAMES[0]},
                        "printer": {"status": "degraded", "reason": f"jam after job for {CITIZEN_IDS[0]}"},
                        "scanner": {"status": "fault", "reason": "no camera"}},
            "paper": {"level": "low", "remaining_pct": 12},
            "sessions": {"today": 41, "active": 1, "last_name": CITIZEN_NAMES[1]},
            "citizen": {"name": CITIZEN_NAMES[2], "id_number": CITIZEN_IDS[1]},
            "errors": [CITIZEN_IDS[2], "printer_timeout", CITIZEN_NAMES[3] + " " + CITIZEN_IDS[3]],
        }

    agent = make_agent("telemetry-1", telemetry=provider)
    watch = collector(["kiosk/telemetry-1/telemetry"])
    agent.start()
    assert agent.wait_connected(5)
    agent.publish_telemetry()
    sample = wait_for(lambda: watch.on("kiosk/telemetry-1/telemetry"), what="telemetry")[0]
    raw = watch.raw()[0].decode("utf-8")
    for secret in CITIZEN_NAMES + CITIZEN_IDS:
        assert secret not in raw
        assert json.dumps(secret)[1:-1] not in raw  # nor escaped
    assert "citizen" not in sample
    assert sample["paper"] == {"level": "low", "remaining_pct": 12}
    assert sample["devices"]["scanner"] == {"status": "fault", "reason": "no camera"}
    assert sample["sessions"]["today"] == 41
    assert sample["agent"]["scrubbed"] >= 6
    assert (sample["terminal"], sample["seq"]) == ("telemetry-1", 1)


def test_commands_allowed_unknown_stale_bad_args_and_duplicates(make_agent, operator):
    counts = Counting()
    agent = make_agent("cmd-1", handlers=counts.handlers())
    agent.start()
    assert agent.wait_connected(5)

    ok = operator.wait_ack(operator.send("cmd-1", "diag")["id"], 5)
    assert ok["status"] == "ok" and ok["result"]["ran"] == "diag"

    unknown = operator.wait_ack(operator.send("cmd-1", "shell", {"line": "rm -rf /"})["id"], 5)
    assert unknown["status"] == "refused" and "unknown command" in unknown["reason"]

    stale_cmd = protocol.make_command("diag", ttl_s=60, now=time.time() - 3600)
    operator.send_raw("cmd-1", json.dumps(stale_cmd))
    stale = operator.wait_ack(stale_cmd["id"], 5)
    assert stale["status"] == "refused" and stale["reason"] == "expired"

    for args, field, why in (({"on": "yes"}, "args.on", "expected true or false"), ({}, "args.on", "missing"),
                             ({"on": True, "reason": "x" * 5000}, "args.reason", "longer than"),
                             ({"on": True, "sudo": 1}, "args.sudo", "unknown key")):
        ack = operator.wait_ack(operator.send("cmd-1", "set_maintenance", args)["id"], 5)
        assert ack["status"] == "invalid" and ack["field"] == field and why in ack["reason"], ack
    ack = operator.wait_ack(operator.send("cmd-1", "set_announcement", {"texts": {"zh_CN": "x" * 2000}})["id"], 5)
    assert ack["status"] == "invalid" and ack["field"] == "args.texts[...]"
    ack = operator.wait_ack(operator.send("cmd-1", "screenshot")["id"], 5)  # allowed, no handler here
    assert ack["status"] == "refused" and "not supported" in ack["reason"]

    operator.send_raw("cmd-1", b"\xff not json")
    wait_for(lambda: operator.stray_acks, what="ack for a malformed command")
    assert operator.stray_acks[0]["status"] == "invalid" and operator.stray_acks[0]["field"] == "envelope"

    again = protocol.make_command("set_maintenance", {"on": True}, ttl_s=600)
    operator.send_raw("cmd-1", json.dumps(again))
    first = operator.wait_ack(again["id"], 5)
    assert first["status"] == "ok"
    seen = []
    operator.client.on_message = _tap(operator.client.on_message, seen)
    operator.send_raw("cmd-1", json.dumps(again))  # the very same id again
    dup = wait_for(lambda: [a for a in seen if a.get("id") == again["id"]], what="duplicate ack")[0]
    assert dup["status"] == "duplicate" and dup["result"]["original"]["status"] == "ok"
    assert counts.calls == {"diag": 1, "set_maintenance": 1}

    # After a restart of the agent (same state dir), the id is still known.
    agent.stop()
    agent2 = make_agent("cmd-1", handlers=counts.handlers())
    agent2.start()
    assert agent2.wait_connected(5)
    seen.clear()
    operator.send_raw("cmd-1", json.dumps(again))
    dup2 = wait_for(lambda: [a for a in seen if a.get("id") == again["id"]], what="duplicate ack after restart")[0]
    assert dup2["status"] == "duplicate"
    assert counts.calls == {"diag": 1, "set_maintenance": 1}


def _tap(original, seen: list):
    def on_message(client, userdata, msg):
        if msg.topic.endswith("/ack"):
            seen.append(json.loads(msg.payload))
        original(client, userdata, msg)

    return on_message


def test_a_failing_handler_is_an_error_ack_not_a_crash(make_agent, operator):
    def boom(_args):
        raise RuntimeError("disk full")

    agent = make_agent("cmd-2", handlers={"diag_bundle": boom, "diag": lambda _a: {"ok": True}})
    agent.start()
    assert agent.wait_connected(5)
    ack = operator.wait_ack(operator.send("cmd-2", "diag_bundle")["id"], 5)
    assert ack["status"] == "error" and "disk full" in ack["reason"]
    assert operator.wait_ack(operator.send("cmd-2", "diag")["id"], 5)["status"] == "ok"


def test_handlers_outside_the_allow_list_are_a_programming_error(tmp_path, settings):
    with pytest.raises(ValueError, match="allow-list"):
        Agent("x-1", settings, handlers={"shell": lambda a: {}}, state_dir=tmp_path)


def test_outbox_is_bounded_drops_oldest_and_delivers_on_connect(make_agent, collector):
    agent = make_agent("outbox-1", telemetry=lambda: {"paper": {"level": "ok"}}, outbox_max=5)
    watch = collector(["kiosk/outbox-1/telemetry"])
    for _ in range(8):  # not connected yet: everything goes to the outbox
        agent.publish_telemetry()
    assert len(agent.outbox) == 5 and agent.stats["outbox_dropped"] == 3
    agent.start()
    got = wait_for(lambda: len(watch.on("kiosk/outbox-1/telemetry")) >= 5 and watch.on("kiosk/outbox-1/telemetry"),
                   what="outbox delivered")
    assert [m["seq"] for m in got] == [4, 5, 6, 7, 8]  # oldest three dropped, order kept
    assert len(agent.outbox) == 0
    agent.publish_telemetry()  # the loss is reported to the operator in the next sample
    latest = wait_for(lambda: len(watch.on("kiosk/outbox-1/telemetry")) == 6 and watch.on("kiosk/outbox-1/telemetry")[-1],
                      what="next sample")
    assert latest["agent"]["outbox_dropped"] == 3 and latest["seq"] == 9


def test_broker_restart_reconnects_delivers_outbox_and_queued_commands_run_once(tmp_path, collector):
    b = LocalBroker(persistence=True, workdir=tmp_path / "broker").start()
    try:
        s = settings_for(b)
        counts = Counting()
        state = tmp_path / "restart-1"
        agent = Agent("restart-1", s, handlers=counts.handlers(), state_dir=state,
                      telemetry=lambda: {"paper": {"level": "ok"}})
        watch = collector(["kiosk/restart-1/telemetry", "kiosk/restart-1/status"], b=b, persistent=True)
        agent.start()
        assert agent.wait_connected(5)

        # 1. The broker goes away; telemetry waits in the outbox; the agent comes back by itself.
        b.stop()
        wait_for(lambda: not agent.connected, what="agent notices the broker is gone")
        for _ in range(3):
            agent.publish_telemetry()
        assert len(agent.outbox) == 3
        b.start()
        assert agent.wait_connected(10)
        wait_for(lambda: len(watch.on("kiosk/restart-1/telemetry")) >= 3, timeout=10, what="outbox after restart")
        assert [m["seq"] for m in watch.on("kiosk/restart-1/telemetry")][:3] == [1, 2, 3]

        # 2. The terminal is off; a command is queued for it; the broker restarts meanwhile.
        agent.stop()
        with Operator(s) as op:
            queued = op.send("restart-1", "check_update", {"apply": True}, ttl_s=600)
        b.stop()
        b.start()
        with Operator(s) as op:
            op.watch_acks("restart-1")
            agent2 = Agent("restart-1", s, handlers=counts.handlers(), state_dir=state)
            agent2.start()
            ack = op.wait_ack(queued["id"], 10)
            assert ack["status"] == "ok" and ack["result"]["args"] == {"apply": True}
            assert counts.calls == {"check_update": 1}
            agent2.stop()
            # 3. Once more: nothing left to deliver, nothing runs twice.
            agent3 = Agent("restart-1", s, handlers=counts.handlers(), state_dir=state)
            agent3.start()
            assert agent3.wait_connected(5)
            assert op.wait_ack(op.send("restart-1", "diag")["id"], 5)["status"] == "ok"
            assert counts.calls == {"check_update": 1, "diag": 1}
            agent3.stop()
    finally:
        b.close()


def test_many_agents_on_one_netloop(tmp_path, broker, settings, collector):
    loop = NetLoop("test-loop")
    loop.start()
    counts = Counting()
    agents = [Agent(f"pool-{i}", settings, handlers=counts.handlers(), state_dir=tmp_path / f"pool-{i}")
              for i in range(20)]
    watch = collector(["kiosk/pool-3/status"])
    try:
        for a in agents:
            a.start(loop)
        wait_for(lambda: all(a.connected for a in agents), what="all pooled agents online")
        with Operator(settings) as op:
            op.watch_acks()
            ids = [op.send(a.terminal_id, "diag")["id"] for a in agents]
            assert all(op.wait_ack(i, 5)["status"] == "ok" for i in ids)
        assert counts.calls == {"diag": 20}
        agents[3].abort()  # a power cut: the will fires
        wait_for(lambda: watch.on("kiosk/pool-3/status")[-1]["state"] == "offline", what="pooled will")
        assert watch.on("kiosk/pool-3/status")[-1]["reason"] == "lost"
    finally:
        for a in agents:
            if not a._stop.is_set():  # noqa: SLF001
                a.stop(timeout=2)
        loop.stop()
