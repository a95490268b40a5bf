"""`kiosk diag`: the real drivers against their simulators, the demo platform, a temp journal."""
from __future__ import annotations

from kiosk.i18n.translator import Msg

import argparse
import json
import os
from datetime import datetime

import pytest

from devices import registry
from devices.printer.emulator import PrinterEmulator
from devices.status import FAULT, DeviceStatus
from kiosk.diag import checks, probes as diag
from kiosk.terminal.commands import diag as diag_cli

STATUSES = {"ok", "degraded", "fault"}


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="kiosk")
    sub = parser.add_subparsers(dest="command", required=True)
    diag_cli.register(sub)
    args = parser.parse_args(argv)
    code = args.func(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_no_epoch_numbers(obj) -> None:
    """Dates are strings; a number that large can only be a timestamp."""
    if isinstance(obj, dict):
        for v in obj.values():
            assert_no_epoch_numbers(v)
    elif isinstance(obj, list):
        for v in obj:
            assert_no_epoch_numbers(v)
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        assert abs(obj) < 10 ** 8, obj


def check_shape(report: dict) -> None:
    assert list(report) == ["version", "devices", "platform", "journal"]
    assert isinstance(report["version"], str) and report["version"]
    for name, d in report["devices"].items():
        assert set(d) == {"status", "detail", "since"}, name
        assert d["status"] in STATUSES
        assert isinstance(d["detail"], str)
        datetime.fromisoformat(d["since"])  # an ISO date-time string, not a number
    assert report["platform"]["status"] in STATUSES
    assert report["journal"]["status"] in STATUSES
    assert_no_epoch_numbers(report)


def test_healthy_demo_is_ok_with_the_exact_shape(config_for, monkeypatch, capsys):
    cfg = config_for(printer="sim://", idcard="sim://")
    monkeypatch.setattr(diag_cli, "_load_config", lambda args: cfg)
    code, out, _ = run_cli(["diag", "--json", "--timeout", "5"], capsys)
    report = json.loads(out)
    check_shape(report)
    assert code == 0, report
    assert set(report["devices"]) == {"printer", "idcard"}  # "none" devices are not reported
    assert all(d["status"] == "ok" for d in report["devices"].values())
    assert report["platform"]["status"] == "ok" and report["platform"]["url"] == "embedded://"
    j = report["journal"]
    assert j["status"] == "ok" and j["writable"] is True
    assert j["schema_version"] == j["expected_schema_version"]
    assert j["stats"]["incidents"] == 0


def test_faulty_devices_are_named_with_reasons_and_the_rest_is_ok(config_for, tmp_path, monkeypatch, capsys):
    with PrinterEmulator(state="paper_out") as emulator:
        cfg = config_for(printer=emulator.url, idcard=f"serial://{tmp_path}/ttyUSB9?baud=115200",
                         scanner="sim://")
        monkeypatch.setattr(diag_cli, "_load_config", lambda args: cfg)
        code, out, _ = run_cli(["diag", "--json", "--timeout", "5"], capsys)
    report = json.loads(out)
    check_shape(report)
    assert code != 0
    devices = report["devices"]
    assert devices["printer"]["status"] == "fault" and devices["printer"]["detail"].startswith("paper_out")
    assert devices["idcard"]["status"] == "fault" and devices["idcard"]["detail"].startswith("disconnected")
    assert "ttyUSB9" in devices["idcard"]["detail"]
    assert devices["scanner"]["status"] == "ok"
    assert report["platform"]["status"] == "ok" and report["journal"]["status"] == "ok"


def test_text_output_and_a_real_site_file(tmp_path, capsys):
    site = tmp_path / "site.toml"
    site.write_text(f'[terminal]\ndata_dir = "{tmp_path / "data"}"\n\n[devices]\nprinter = "tcp://127.0.0.1:9"\n',
                    encoding="utf-8")
    code, out, _ = run_cli(["diag", "--config", str(site), "--timeout", "2"], capsys)
    assert code == 1
    assert "printer" in out and "fault" in out and "not_responding" in out
    from kiosk.i18n.translator import Translator

    fix = Translator().text(Msg("tech.fix.not_responding"), "zh_CN")  # the site's default language
    assert f"fix: {fix}" in out


def test_an_unreachable_platform_and_an_unknown_url(config_for, tmp_path):
    from tests.ops.conftest import make_config

    cfg = make_config(tmp_path / "d", platform_url="http://127.0.0.1:9", printer="gopher://x")
    report = checks.run_diag(cfg, timeout_s=3)
    assert report.exit_code == 1
    assert report.data["platform"]["status"] == "fault" and report.data["platform"]["detail"]
    assert report.data["devices"]["printer"]["detail"].startswith("bad_url")
    assert any(line.startswith("platform: fault") for line in report.problems())


def test_a_hung_self_test_is_bounded(config_for):
    import threading

    release = threading.Event()

    class Hung:
        def self_test(self):
            release.wait(10)
            return DeviceStatus("ok")

    try:
        statuses = diag.probe_devices({"printer": "x://"}, timeout_s=0.2, factory=lambda n, u, r: Hung())
    finally:
        release.set()
    assert statuses["printer"].state == FAULT and statuses["printer"].reason == "self_test_timeout"


def test_live_statuses_of_a_running_kiosk_are_used(config_for, tmp_path):
    cfg = config_for(printer="tcp://127.0.0.1:9", idcard="sim://")
    path = diag.live_status_path(tmp_path / "data")
    diag.write_live_status(path, {"printer": DeviceStatus("degraded", "paper_near_end", "roll low", 1.0)})
    live = diag.read_live_status(path)
    assert live is not None and live["printer"].reason == "paper_near_end"
    report = checks.run_diag(cfg, timeout_s=3, statuses=live)
    assert report.data["devices"]["printer"]["status"] == "degraded"
    assert report.data["devices"]["idcard"]["status"] == "ok"  # not published: probed
    data = json.loads(path.read_text())
    data["pid"] = 2 ** 22 + 12345  # its writer is gone
    path.write_text(json.dumps(data))
    assert diag.read_live_status(path) is None


@pytest.mark.parametrize("url,kind", [("tcp://10.0.0.9:9100", "EscPosPrinter"), ("memory://", "MemoryPrinter")])
def test_factory_maps_printer_urls(url, kind):
    import contextlib

    with contextlib.ExitStack() as stack:
        assert type(diag.device_factory("printer", url, stack)).__name__ == kind


def test_factory_maps_the_other_devices():
    import contextlib

    with contextlib.ExitStack() as stack:
        reader = diag.device_factory("sscard", "pcsc://?reader=ACS", stack)
        assert type(reader).__name__ == "SmartCardReader" and reader.reader_substring == "ACS"
        assert type(diag.device_factory("idcard", "serial:///dev/ttyUSB0", stack)).__name__ == "IdCardReader"
        assert type(diag.device_factory("scanner", "serial:///dev/ttyACM0", stack)).__name__ == "SerialScanner"
        assert type(diag.device_factory("scanner", "file:///tmp/x.png", stack)).__name__ == "CameraScanner"
        assert type(diag.device_factory("scanner", "sim://", stack)).__name__ == "CameraScanner"  # as in the hub
        assert diag.device_factory("sscard", "sim://", stack).reader_substring == "Virtual PCD"
        with pytest.raises(registry.UnsupportedDeviceUrl):
            diag.device_factory("idcard", "tcp://x", stack)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_diag_as_root_leaves_the_journal_to_the_kiosk_user(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    os.chown(data, 4242, 4242)
    result = checks.check_journal(data / "journal.sqlite3")
    assert result["status"] == "ok"
    assert {p.stat().st_uid for p in data.iterdir()} == {4242}


def test_cli_uses_published_statuses_unless_told_not_to(config_for, tmp_path, monkeypatch, capsys):
    cfg = config_for(printer="tcp://127.0.0.1:9")
    monkeypatch.setattr(diag_cli, "_load_config", lambda args: cfg)
    monkeypatch.setattr(diag, "RUN_DIR", tmp_path / "no-run-dir")
    diag.write_live_status(tmp_path / "data" / "run" / "devices.json",
                           {"printer": DeviceStatus("ok", "", "", 1.0)})
    code, out, _ = run_cli(["diag", "--json", "--timeout", "2"], capsys)
    assert code == 0 and json.loads(out)["devices"]["printer"]["status"] == "ok"
    code, out, _ = run_cli(["diag", "--no-live", "--json", "--timeout", "2"], capsys)
    assert code == 1 and json.loads(out)["devices"]["printer"]["detail"].startswith("not_responding")
