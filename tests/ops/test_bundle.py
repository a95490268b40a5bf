"""`kiosk diag bundle`: everything a vendor needs, nothing about any citizen, no secrets."""
from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import zipfile

from kiosk.core import logs
from kiosk.terminal.commands import diag as diag_cli
from kiosk.core.journal import Journal
from tests.ops.conftest import ID_MASKED, ID_NUMBER, LATIN_NAME, NAME, PHONE

SECRETS = {"mqtt_password": "hunter2-mqtt", "api_token": "tok-9f8e7d", "pin_hash": "scrypt$16384$8$1$c2FsdA$aGFzaA",
           "signing_key": "k3y-material", "client_secret": "s3cr3t-value"}


def plant(data_dir, fake_clock) -> None:
    """A name and an ID number everywhere a careless version could have put them."""
    logs.setup_logging(data_dir, stderr=False)
    logs.register_sensitive(LATIN_NAME)
    logging.getLogger("kiosk.test").warning("holder %s %s id %s tel %s", NAME, LATIN_NAME, ID_NUMBER, PHONE)
    logs.remove_handlers()
    logs.forget_all_sensitive()  # the session is over: the bundle must not depend on it
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
        '[fleet]\nbroker = "mqtts://broker.example:8883"\n'
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
    assert all(fleet[k] == "<redacted>" for k in SECRETS) and fleet["broker"] == "mqtts://broker.example:8883"
    assert config["files"][str(site)]["technician"] == {"pin_hash": "<redacted>", "lockout_s": 300}
    assert "lang=zh" in config["files"][str(site)]["platform"]["url"]
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
