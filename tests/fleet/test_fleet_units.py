"""Pure pieces: the [fleet] config table, command validation, telemetry scrubbing, the store."""
from __future__ import annotations

import json
import time

import pytest

from kiosk.core.config import ConfigError
from kiosk.remote import protocol
from kiosk.core.fleet_config import FleetConfig
from kiosk.remote.store import CommandStore


def test_fleet_config_from_table_checks_types_and_ranges(tmp_path):
    cfg = FleetConfig.from_table({"broker_host": "mqtt.example.gov.cn", "pilot_percent": 10,
                                  "telemetry_interval_s": 30}, "site.toml")
    assert cfg.broker_port == 8883 and cfg.tls and cfg.telemetry_interval_s == 30.0
    assert str(cfg.trusted_root_path()) == "/opt/kiosk/current/fleet/root.json"
    with pytest.raises(ConfigError, match=r"site.toml: fleet.pilot_percent: 101 is out of range \(must be <= 100\)"):
        FleetConfig.from_table({"pilot_percent": 101}, "site.toml")
    with pytest.raises(ConfigError, match="fleet.brokr_host: unknown key"):
        FleetConfig.from_table({"brokr_host": "x"}, "site.toml")
    with pytest.raises(ConfigError, match="fleet.tls: expected true or false"):
        FleetConfig.from_table({"tls": "yes"}, "site.toml")
    with pytest.raises(ConfigError, match="needs tls_cert_file"):
        FleetConfig.from_table({"tls_key_file": "/k.pem"}, "site.toml")
    pw = tmp_path / "pw"
    pw.write_text("s3cret\n")
    assert FleetConfig.from_table({"password_file": str(pw)}).password_value() == "s3cret"


def _read(raw) -> protocol.Envelope:
    return protocol.read_envelope(json.dumps(raw).encode())


def test_command_validation():
    now = time.time()
    good = protocol.make_command("set_announcement", {"texts": {"zh_CN": "a", "bo": "b"}, "until": 5}, now=now)
    cmd = protocol.validate(_read(good), now, 3600)
    assert cmd.args == {"texts": {"zh_CN": "a", "bo": "b"}, "until": 5.0}
    assert protocol.validate(_read(protocol.make_command("check_update", now=now)), now, 3600).args == {}
    refused = [
        (protocol.make_command("diag", now=now, ttl_s=7200), "lifetime"),
        (protocol.make_command("diag", now=now + 3600), "future"),
        (protocol.make_command("diag", now=now - 3600), "expired"),
        (protocol.make_command("shell", {"line": "rm -rf /"}, now=now), "unknown command"),
    ]
    for raw, why in refused:
        with pytest.raises(protocol.Refused, match=why):
            protocol.validate(_read(raw), now, 3600)
    invalid = [
        ({**protocol.make_command("diag", now=now), "expires_at": "tomorrow"}, "expires_at", "expected a number"),
        ({**protocol.make_command("diag", now=now), "expires_at": now - 1}, "expires_at", "not after issued_at"),
        (protocol.make_command("set_maintenance", {"on": 1}, now=now), "args.on", "expected true or false"),
        (protocol.make_command("set_maintenance", {}, now=now), "args.on", "missing"),
        (protocol.make_command("set_maintenance", {"on": True, "sudo": 1}, now=now), "args.sudo", "unknown key"),
        (protocol.make_command("restart_app", {"reason": True}, now=now), "args.reason", "expected a string"),
        (protocol.make_command("restart_app", {"reason": "x" * 201}, now=now), "args.reason", "longer than 200"),
        (protocol.make_command("set_announcement", {"texts": {"zh_CN": 5}}, now=now), "args.texts[...]", "expected a string"),
        (protocol.make_command("set_announcement", {"texts": {str(i): "x" for i in range(9)}}, now=now), "args.texts",
         "more than 8"),
    ]
    for raw, field, why in invalid:
        with pytest.raises(protocol.Invalid) as e:
            protocol.validate(_read(raw), now, 3600)
        assert e.value.field == field and why in e.value.reason, e.value.reason
        assert e.value.command_id == raw["id"]
    with pytest.raises(protocol.Refused, match="larger"):
        protocol.read_envelope(b"{" + b" " * protocol.MAX_COMMAND_BYTES + b"}")
    with pytest.raises(protocol.Invalid) as e:
        protocol.read_envelope(b'{"id": "../../etc", "cmd": "diag"}')
    assert e.value.field == "id" and e.value.command_id is None
    with pytest.raises(ValueError):
        protocol.check_terminal_id("kiosk/+/x")


def test_ack_results_are_bounded():
    ack = protocol.make_ack("t-1", "c1", "diag", "ok", result={"blob": "x" * (protocol.MAX_RESULT_BYTES + 1)})
    assert ack["status"] == "error" and "result" not in ack and "upload" in ack["reason"]


def test_scrub_keeps_machine_codes_and_drops_the_rest():
    clean, dropped = protocol.scrub_telemetry({
        "paper": {"level": "low", "remaining_pct": 12.5},
        "devices": {"idcard": {"status": "ok", "card_holder": "\u5f20\u4e09"}},
        "sessions": {"active": 0, "513325199001011234": 1},
        "home_address": "somewhere",
    })
    assert clean == {"paper": {"level": "low", "remaining_pct": 12.5},
                     "devices": {"idcard": {"status": "ok", "card_holder": protocol.REDACTED}},
                     "sessions": {"active": 0}}
    assert dropped == 3


def test_store_claims_once_and_survives_reopen(tmp_path):
    store = CommandStore(tmp_path / "c.sqlite3")
    assert store.claim("a", "diag", time.time() + 60) is None
    store.finish("a", "ok", {"status": "ok"})
    store.close()
    again = CommandStore(tmp_path / "c.sqlite3")
    seen = again.claim("a", "diag", time.time() + 60)
    assert seen is not None and seen.status == "ok" and seen.ack == {"status": "ok"}
    assert again.claim("old", "diag", time.time() - 10 * 24 * 3600) is None
    assert again.prune() == 1 and again.count() == 1


def test_store_prunes_itself_and_stays_bounded(tmp_path):
    # Before: prune() was never called by anyone, so every id ever received stayed on disk.
    now = time.time()
    store = CommandStore(tmp_path / "c.sqlite3", max_rows=50, prune_every=10)
    for i in range(5):  # long expired: gone at the next periodic prune, without anyone asking
        assert store.claim(f"old-{i}", "diag", now - 3 * 24 * 3600, now) is None
    for i in range(10):
        store.claim(f"new-{i}", "diag", now + 60, now)
    assert store.count() == 10
    for i in range(200):  # a flood of live ids: never more than max_rows, the newest kept
        store.claim(f"flood-{i}", "diag", now + 3600, now + i)
        assert store.count() <= 50
    assert store.claim("flood-199", "diag", now + 3600, now) is not None  # still known
    store.close()
    assert CommandStore(tmp_path / "c.sqlite3").count() <= 50


def test_agent_prunes_its_store_at_start(tmp_path):
    from kiosk.remote.agent import Agent
    from kiosk.remote.mqtt import BrokerSettings

    store = CommandStore(tmp_path / "commands.sqlite3")
    store.claim("stale", "diag", time.time() - 3 * 24 * 3600)
    store.close()
    agent = Agent("t-1", BrokerSettings("127.0.0.1", 1, tls=False), handlers={}, state_dir=tmp_path)
    agent.start()
    try:
        assert agent.store.count() == 0
    finally:
        agent.abort()


def test_agent_from_config(tmp_path):
    from kiosk.remote.agent import Agent

    cfg = FleetConfig.from_table({"broker_host": "mqtt.example", "broker_port": 8883, "tls": False,
                                  "telemetry_interval_s": 15, "outbox_max": 7})
    agent = Agent.from_config(cfg, "ganzi-0001", tmp_path, handlers={"diag": lambda a: {}})
    try:
        assert agent.broker.username == "ganzi-0001" and agent.broker.port == 8883
        assert agent.outbox.maxlen == 7 and agent.telemetry_interval_s == 15
        assert (tmp_path / "fleet" / "commands.sqlite3").exists()
    finally:
        agent.store.close()
