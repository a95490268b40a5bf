"""`kiosk diag bundle`: everything a vendor needs, nothing about any citizen, no secrets."""
from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import zipfile

from kiosk.core import logs, privacy
from kiosk.terminal.commands import diag as diag_cli
from kiosk.core.journal import Journal
from tests.ops.conftest import ID_MASKED, ID_NUMBER, LATIN_NAME, NAME, PHONE

SECRETS = {"mqtt_password": "hunter2-mqtt", "api_token": "tok-9f8e7d", "pin_hash": "scrypt$16384$8$1$c2FsdA$aGFzaA",
           "signing_key": "k3y-material", "client_secret": "s3cr3t-value"}


def plant(data_dir, fake_clock) -> None:
    """A name and an ID number everywhere a careless version could have put them."""
    logs.setup_logging(data_dir, stderr=False)
    privacy.register_sensitive(LATIN_NAME)
    logging.getLogger("kiosk.test").warning("holder %s %s id %s tel %s", NAME, LATIN_NAME, ID_NUMBER, PHONE)
    logs.remove_handlers()
    privacy.forget_all_sensitive()  # the session is over: the bundle must not depend on it
    # A log written by an older version, without masking, with the name escaped and plain.
    raw = {"ts": "2026-11-20T10:00:00+08:00", "level": "INFO", "logger": "old", "msg": f"read {NAME} {ID_NUMBER}"}
    (data_dir / "logs" / "kiosk.log.1").write_text(
        json.dumps(raw) + "\n" + f"plain text line {NAME} {ID_NUMBER}\n", encoding="utf-8")
    journal = Journal(data_dir / "journal.sqlite3", fake_clock)
    journal.incident("device_fault", f"idcard: parse error near {NAME} {ID_NUMBER}")
    journal.evaluation("s1", "queue_ticket", 5, [], comment=f"{NAME} says thanks, call {PHONE}")
    journal.close()


def site_file(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text(
        '[platform]\nurl = "https://kiosk:p4ssw0rd@platform.example.gov.cn/api?token=abc123&lang=zh"\n\n'
        '[fleet]\nbroker_host = "broker.example"\n'
        + "".join(f'{k} = "{v}"\n' for k, v in SECRETS.items())
        + '\n[technician]\npin_hash = "scrypt$16384$8$1$c2FsdA$aGFzaA"\nlockout_s = 300\n', encoding="utf-8")
    return site


def test_bundle_contents_redaction_and_no_personal_data(config_for, tmp_path, fake_clock, monkeypatch, capsys):
    cfg = config_for(printer="sim://", idcard="sim://")
    data_dir = tmp_path / "data"
    plant(data_dir, fake_clock)
    site = site_file(tmp_path)
    cfg = dataclasses.replace(cfg, source=str(site))
    monkeypatch.setattr(diag_cli, "_load_config", lambda args: cfg)
    out = tmp_path / "out" / "bundle.zip"

    parser = argparse.ArgumentParser(prog="kiosk")
    diag_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["diag", "bundle", "--out", str(out), "--timeout", "5"])
    assert args.func(args) == 0
    assert capsys.readouterr().out.strip() == str(out)

    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        text = {n: z.read(n).decode("utf-8") for n in names}
    assert {"manifest.json", "versions.json", "config.json", "status.json", "journal.json",
            "logs/kiosk.log", "logs/kiosk.log.1"} <= names
    everything = "\n".join(text.values())

    # no personal data, in any member, in any spelling we planted
    for needle in (NAME, ID_NUMBER, LATIN_NAME, PHONE, json.dumps(NAME)[1:-1]):
        assert needle not in everything, needle
    assert ID_MASKED in text["logs/kiosk.log"] and ID_MASKED in text["logs/kiosk.log.1"]
    assert all(json.loads(line) for line in text["logs/kiosk.log"].splitlines())

    # no secrets
    for value in (*SECRETS.values(), "p4ssw0rd", "abc123"):
        assert value not in everything, value
    config = json.loads(text["config.json"])
    fleet = config["files"][str(site)]["fleet"]
    assert all(fleet[k] == "<redacted>" for k in SECRETS) and fleet["broker_host"] == "broker.example"
    # an allow-list: a table the config does not know is hidden whole, numbers too
    assert config["files"][str(site)]["technician"] == {"pin_hash": "<redacted>", "lockout_s": "<redacted>"}
    assert config["files"][str(site)]["platform"]["url"] == \
        "https://<redacted>@platform.example.gov.cn/api?token=<redacted>&lang=<redacted>"
    assert config["effective"]["terminal"]["id"] == "test-0042"

    versions = json.loads(text["versions.json"])
    assert versions["python"] and "kiosk" in versions["packages"] and "requests" in versions["packages"]
    status = json.loads(text["status.json"])
    assert status["devices"]["printer"]["status"] == "ok" and status["journal"]["status"] == "ok"
    journal = json.loads(text["journal.json"])
    assert journal["stats"]["incidents"] == 1 and journal["stats"]["evaluations"] == 1
    (incident,) = journal["recent_incidents"]
    assert incident["kind"] == "device_fault" and ID_MASKED in incident["detail"]
    assert "says thanks" not in everything  # evaluation comments are the citizen's words: not exported
    manifest = json.loads(text["manifest.json"])
    assert manifest["terminal"] == "test-0042" and "logs/kiosk.log" in manifest["members"]


def test_bundle_without_probing(config_for, tmp_path):
    from kiosk.diag.bundle import make_bundle

    cfg = config_for(printer="tcp://127.0.0.1:9")
    bundle = make_bundle(cfg, tmp_path / "b.zip", probe=False)
    assert "status.json" not in bundle.members and bundle.report is None
    assert not list(tmp_path.glob(".*.partial"))


def test_no_secret_reaches_the_bundle(config_for, tmp_path, fake_clock):
    """Every secret a config can hold, set, and also written where a careless version could have put
    it (an unmasked log line, an incident): none of the values is anywhere in the zip. Before the
    allow-list, technician_card_hashes went out in clear (issue 14, finding 6)."""
    from kiosk.core import techpin
    from kiosk.diag.bundle import make_bundle

    pin_hash = techpin.hash_pin("246813", n=2 ** 4)
    card_hashes = (techpin.hash_card("T20260001", n=2 ** 4), techpin.hash_card("T20260002", n=2 ** 4))
    secrets = {"password": "mqtt-pass-0xB16B00B5", "username": "kiosk-user-77", "session_token": "tok-5e55i0n",
               "tls_key": "-----BEGIN PRIVATE KEY-----MIIEvg"}
    base = config_for(printer="tcp://printer-user:printer-pass@127.0.0.1:9")
    terminal = dataclasses.replace(base.terminal, technician_pin_hash=pin_hash, technician_card_hashes=card_hashes)
    platform = dataclasses.replace(base.platform, url="http://plat-user:plat-pass@127.0.0.1:9/api?apikey=k-31337&lang=zh")
    site = tmp_path / "site.toml"
    site.write_text(f'[terminal]\ntechnician_pin_hash = "{pin_hash}"\n'
                    f'technician_card_hashes = ["{card_hashes[0]}", "{card_hashes[1]}"]\n'
                    '[fleet]\n' + "".join(f'{k} = "{v}"\n' for k, v in secrets.items())
                    + 'repo_url = "https://repo-user:repo-pass@updates.example/?sig=s1gn4ture"\n', encoding="utf-8")
    cfg = dataclasses.replace(base, terminal=terminal, platform=platform, source=str(site),
                              fleet={**secrets, "repo_url": "https://repo-user:repo-pass@updates.example/?sig=s1gn4ture"})
    values = [pin_hash, *card_hashes, *secrets.values(), "printer-pass", "plat-pass", "k-31337", "repo-pass", "s1gn4ture"]

    data_dir = tmp_path / "data"
    (data_dir / "logs").mkdir(parents=True)
    (data_dir / "logs" / "kiosk.log").write_text(  # an old version that logged its config
        json.dumps({"msg": f"config {pin_hash} {card_hashes} {secrets}"}) + "\n" + f"plain {secrets['password']}\n",
        encoding="utf-8")
    journal = Journal(data_dir / "journal.sqlite3", fake_clock)
    journal.incident("fleet", f"login failed for {secrets['username']} with {secrets['password']}")
    journal.close()

    bundle = make_bundle(cfg, tmp_path / "b.zip", data_dir=data_dir, timeout_s=2)
    with zipfile.ZipFile(bundle.path) as z:
        everything = "\n".join(z.read(n).decode("utf-8") for n in z.namelist())
        assert "status.json" in z.namelist() and "logs/kiosk.log" in z.namelist()
        config = json.loads(z.read("config.json"))
    leaked = [v for v in values if v in everything or json.dumps(v)[1:-1] in everything]
    assert leaked == []
    assert config["effective"]["terminal"]["technician_card_hashes"] == "<redacted>"
    assert config["effective"]["terminal"]["id"] == "test-0042"  # what is allowed still shows
