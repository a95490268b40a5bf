"""Application progress against the demo platform: by receipt code or typed number (Tibetan
digits too), and plain words for a wrong code, a wrong number and an unknown one."""
from __future__ import annotations

import pytest
from tests.support.flowkit import DEMO_APPLICATION

from devices.status import FAULT, DeviceStatus
from flows.application_progress import number_from_code, number_from_typed
from flows.engine import COMPLETED, TIMED_OUT

FLOW = "application_progress"
TIBETAN = str.maketrans("0123456789", "༠༡༢༣༤༥༦༧༨༩")


@pytest.mark.parametrize("text,number", [
    ("http://127.0.0.1:1/a/SC2026112200123", "SC2026112200123"),
    ("SC2026112200123", "SC2026112200123"),
    ("https://example.org/progress?no=sc2026112200123&c=7F", "SC2026112200123"),
    ("SC20261122001234", None),  # one digit too many
    ("hello", None),
])
def test_number_from_code(text, number):
    assert number_from_code(text) == number


@pytest.mark.parametrize("typed,number", [
    ("2026112200123", "SC2026112200123"),
    ("SC2026112200123", "SC2026112200123"),
    ("sc 2026 1122 00123", "SC2026112200123"),
    ("2026112200123".translate(TIBETAN), "SC2026112200123"),
    ("２０２６１１２２００１２３", "SC2026112200123"),
    ("202611220012", None),
    ("AB2026112200123", "AB2026112200123"),  # typed on the keyboard: the platform knows its letters
    ("sc-2026-1122-00123", "SC2026112200123"),
    ("A2026112200123", None),
    ("S C2026112200123", "SC2026112200123"),
])
def test_number_from_typed(typed, number):
    assert number_from_typed(typed) == number


def test_scan_the_receipt_and_see_the_timeline(harness):
    h = harness(FLOW, lang="bo")
    assert h.step == "scan" and h.view.kind == "scan"
    h.send("code_scanned", symbology="QRCODE", text=f"{h.server.url}/a/{DEMO_APPLICATION}")
    assert h.step == "status"
    rows = h.view.data["rows"]
    assert len(rows) == 3 + 2 and h.view.data["status"] == "reviewing"
    assert "2026-11-24 16:02" in h.texts() and "ཞིབ་བཤེར་བྱེད་བཞིན་པ།" in h.texts()
    assert h.option_ids() == ["another", "evaluate", "done"]
    h.choose("done")
    assert h.outcome == COMPLETED


def test_type_the_number_in_tibetan_digits(harness):
    h = harness(FLOW)
    h.choose("keypad")
    assert h.view.kind == "keypad" and h.view.data["prefix"] == "SC" and h.view.data["max_len"] == 13
    h.send("keypad", text=DEMO_APPLICATION[2:].translate(TIBETAN))
    assert h.step == "status"


def test_a_code_that_is_not_a_receipt_says_so(harness):
    h = harness(FLOW)
    h.send("code_scanned", symbology="QRCODE", text="https://example.org/some/menu")
    assert h.step == "scan" and h.view.data["reason"] == "not_receipt"
    assert "这不是办件受理回执上的二维码" in h.texts()


def test_a_wrong_number_says_what_a_number_looks_like(harness):
    h = harness(FLOW)
    h.choose("keypad")
    h.send("keypad", text="12345")
    assert h.step == "keypad" and h.view.data["reason"] == "bad_number"
    assert h.view.data["text"] == "12345" and "13" in h.texts()


def test_an_unknown_number_says_so_plainly(harness):
    h = harness(FLOW)
    h.choose("keypad")
    h.send("keypad", text="2026000000000")
    assert h.step == "keypad" and h.view.data["reason"] == "not_found"
    assert "SC2026000000000" in h.texts()


def test_without_a_scanner_it_starts_at_the_keypad(harness):
    h = harness(FLOW, device_status=lambda name: DeviceStatus(FAULT, "disconnected", "") if name == "scanner" else None)
    assert h.step == "keypad" and h.option_ids() == ["letters"]
    h.choose("letters")
    assert h.view.kind == "text" and h.option_ids() == ["digits"]  # no scan offered without a scanner


def test_a_number_with_letters_on_the_keyboard(harness):
    """Issue 17: the keyboard (digits + Latin) beside the keypad, for a number with other letters."""
    h = harness(FLOW)
    h.choose("keypad")
    h.choose("letters")
    assert h.step == "keyboard" and h.view.kind == "text" and h.view.data["event"] == "keypad"
    assert h.view.data["modes"] == ["latin", "digits"] and h.option_ids() == ["digits", "scan"]
    h.send("keypad", text="AB2026000000000")
    assert h.step == "keyboard" and h.view.data["reason"] == "not_found" and "AB2026000000000" in h.texts()
    h.send("keypad", text="SC20")
    assert h.step == "keyboard" and h.view.data["reason"] == "bad_number" and h.view.data["text"] == "SC20"
    h.choose("digits")
    assert h.step == "keypad"
    h.choose("letters")
    h.send("keypad", text=DEMO_APPLICATION.lower())
    assert h.step == "status"


def test_platform_down_then_back(harness, server):
    h = harness(FLOW)
    server.set_fault("down")
    h.send("code_scanned", symbology="QRCODE", text=DEMO_APPLICATION)
    assert h.step == "error" and "09:00-17:30" in h.texts()
    server.set_fault("none")
    h.choose("retry")
    assert h.step == "status"


def test_nobody_at_the_scan_step(harness):
    h = harness(FLOW)
    h.expire()
    assert h.outcome == TIMED_OUT
