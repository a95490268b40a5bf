"""Technician mode's content without a window: fixes for every fault, paper estimate, update
state from a hostile file, masked events and self-test results, technician cards."""
from __future__ import annotations

import dataclasses
import json
from datetime import datetime

import pytest

from devices.status import DeviceStatus
from kiosk.core import config as kconfig
from kiosk.diag import dashboard as tech
from kiosk.i18n.catalogs import read
from kiosk.core.clock import FakeClock
from kiosk.i18n.translator import Msg, Plain, Translator
from kiosk.core.journal import Journal
from kiosk.core.techpin import PinFormatError, PinGate, hash_card, hash_pin, verify_card

FAST = {"n": 2 ** 4}  # scrypt cost low for tests; the format is the same


def catalog_keys() -> set[str]:
    return {m.id for m in read("zh_CN") if m.id}


def test_every_fixed_reason_and_every_technician_text_is_in_the_catalog():
    keys = catalog_keys()
    missing = [f"tech.fix.{r}" for r in tech.FIXED_REASONS if f"tech.fix.{r}" not in keys]
    missing += [f"tech.device.{d}" for d in tech.DEVICES if f"tech.device.{d}" not in keys]
    missing += [f"tech.test.body.{d}" for d in tech.DEVICES if f"tech.test.body.{d}" not in keys]
    assert missing == []


def test_an_unknown_reason_still_gets_a_fix_that_names_its_code():
    fix = tech.fix_for("sam_melted")
    assert fix.id == "tech.fix.other" and dict(fix.params)["code"] == "sam_melted"
    assert "sam_melted" in Translator().text(fix, "zh_CN")


def test_dashboard_rows_say_state_since_and_for_a_fault_reason_and_fix():
    now = datetime(2026, 11, 23, 3, 0)
    statuses = {"printer": DeviceStatus("ok", "", "", 1000.0),
                "sscard": DeviceStatus("fault", "pcscd_down", "x", 400.0)}
    board = tech.build_dashboard(statuses=statuses, stats={"sessions": 3, "print_jobs": 2, "print_jobs_unfinished": 0,
                                                           "outbox_pending": 1, "incidents": 4},
                                 paper={"roll_mm": 80000, "used_mm": 20000, "left_mm": 60000}, platform_error="timeout",
                                 version="1.2.3", install_root=None, maintenance=True, now_mono=1000.0, now_wall=now)
    t = Translator()
    printer, sscard = board.devices
    assert printer.problem is None and "2026-11-23 03:00" in t.text(printer.line, "zh_CN")
    assert "02:50" in t.text(sscard.line, "en")  # 600 s before now
    assert "pcscd_down" in t.text(sscard.problem, "en") and "pcscd" in t.text(sscard.problem, "zh_CN")
    lines = [t.text(x, "en") for x in board.lines]
    assert any("60.0 m (75%)" in x for x in lines)
    assert any("timeout" in x for x in lines) and any("1.2.3" in x for x in lines)
    assert any("Maintenance mode is on" in x for x in lines)


@pytest.mark.parametrize("content, expected", [
    (None, "tech.update.none"),
    ("{not json", "tech.update.unreadable"),
    ("[1, 2]", "tech.update.unreadable"),
    (json.dumps({"current": "1.4.0", "pending": None, "previous": "1.3.0", "bad": ["1.4.1"] * 9}), "tech.update.state"),
    (json.dumps({"current": {"evil": 1}, "bad": "x" * 10000}), "tech.update.state"),
])
def test_update_state_is_read_as_hostile_input(tmp_path, content, expected):
    if content is not None:
        (tmp_path / "state.json").write_text(content)
    line = tech.update_line(tmp_path)
    assert line.id == expected
    text = Translator().text(line, "en")
    assert len(text) < 300
    if content and "1.4.0" in content:
        assert "1.4.0" in text and "1.3.0" in text and "1.4.1" in text


def test_paper_estimate_counts_done_jobs_since_the_roll_was_loaded(tmp_path):
    j = Journal(tmp_path / "j.sqlite3", FakeClock())
    assert j.paper_estimate() is None
    assert tech.paper_line(None).id == "tech.paper.unknown"
    old = j.print_job_started(None, "queue_ticket", "ticket")
    j.print_job_update(old, "done", paper_mm=500)  # before the roll: not counted
    j.clock.advance(60)
    j.paper_loaded(80000)
    j.clock.advance(60)
    for mm, state in ((120.5, "done"), (99.0, "failed"), (80.0, "done")):
        job = j.print_job_started(None, "queue_ticket", "ticket")
        j.print_job_update(job, "sent")
        j.print_job_update(job, state, paper_mm=mm if state == "done" else 0)
    est = j.paper_estimate()
    assert est == {"roll_mm": 80000.0, "used_mm": 200.5, "left_mm": 79799.5}


def test_events_and_log_lines_are_masked(tmp_path):
    from kiosk.core.logs import LOG_DIR_NAME, LOG_FILE_NAME

    logs = tmp_path / LOG_DIR_NAME
    logs.mkdir()
    line = {"ts": "2026-11-23T03:00:00.000+08:00", "level": "INFO", "logger": "x", "msg": "read 513335199203150012 ok"}
    (logs / LOG_FILE_NAME).write_text("garbage line 13800138000\n" + json.dumps(line) + "\n")
    out = [p.text for p in tech.log_lines(tmp_path)]
    assert len(out) == 2 and out[0].startswith("2026-11-23 03:00:00  INFO x: read")
    assert "513335199203150012" not in " ".join(out) and "13800138000" not in " ".join(out)
    events = tech.event_lines([{"created_at": "2026-11-23T03:00:00+00:00", "kind": "device", "detail": "printer: fault"}])
    assert events == [Plain("2026-11-23 03:00:00  device: printer: fault")]


def test_self_test_results_never_show_a_whole_id_number_or_name():
    from flows.ports import Identity

    t = Translator()
    lines = tech.card_result(Identity(source="idcard", name="Zhang Jianguo", id_number="440303198001151235",
                                      card_type="resident"))
    text = " ".join(t.text(x, "zh_CN") for x in lines)
    assert "440303198001151235" not in text and "Jianguo" not in text and "440303" in text
    code = " ".join(t.text(x, "en") for x in tech.code_result("QRCODE", "ID:440303198001151235;PHONE:13800138000"))
    assert "440303198001151235" not in code and "13800138000" not in code and "QRCODE" in code


def test_technician_cards_hash_verify_and_share_the_pin_lock_out():
    card = hash_card(" t20260001 ", **FAST)
    assert verify_card("T20260001", card) and not verify_card("T20260002", card)
    assert not verify_card("", card) and not verify_card("\u0000" * 5, card)
    with pytest.raises(PinFormatError):
        hash_card("12", **FAST)
    clock = FakeClock()
    gate = PinGate(hash_pin("246810", n=16), clock, max_failures=3, card_hashes=[card])
    assert gate.try_card("T20260002") == "wrong"
    assert gate.try_pin("111111") == "wrong"
    assert gate.try_card("X") == "locked"  # the third failure, PIN and cards together
    assert gate.try_card("T20260001") == "locked"
    clock.advance(301)
    assert gate.try_card("T20260001") == "ok"
    for _ in range(5):  # a card on the start screen is asked about, never counted as a try
        assert not gate.is_card("T20260002") and gate.is_card("T20260001") and not gate.is_card("")
    assert gate.failures == 0 and not gate.locked
    cards_only = PinGate("", clock, card_hashes=[card])
    assert cards_only.try_pin("246810") == "wrong" and cards_only.try_card("T20260001") == "ok"


def test_config_rejects_a_damaged_card_hash_and_an_implausible_roll(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text('profile = "demo"\n[terminal]\ntechnician_card_hashes = ["scrypt$16$8$1$xx"]\n')
    with pytest.raises(kconfig.ConfigError, match=r"terminal\.technician_card_hashes\[0\]"):
        kconfig.load(None, site)
    site.write_text('profile = "demo"\n[devices]\nprinter_roll_m = 0.5\n')
    with pytest.raises(kconfig.ConfigError, match="printer_roll_m"):
        kconfig.load(None, site)


def test_demo_sim_camera_shows_a_code_the_scanner_can_read():
    # segno picks Micro QR for short data, which zbar (and phones) cannot read.
    from devices.scanner.decode import Decoder
    from kiosk.demo.sim_rig import DEMO_CODE
    from devices.scanner.sim_camera import SimCamera

    cam = SimCamera()
    cam.show_code(DEMO_CODE)
    ok, frame = cam.read()
    assert ok and [c.text for c in Decoder().decode(frame)] == [DEMO_CODE]


def test_device_test_pages_offer_the_right_action():
    assert [a for a, _ in tech.DeviceTest("printer").actions] == ["run", "status", "back"]
    assert dict(tech.DeviceTest("scanner").actions)["run"] == Msg("tech.test.scan")
    assert tech.DeviceTest("scanner").preview and not tech.DeviceTest("idcard").preview
    assert [a for a, _ in tech.DeviceTest("fingerprint").actions] == ["status", "back"]
    assert dataclasses.is_dataclass(tech.DeviceTest)
