"""`kiosk device read-sscard` and `kiosk sim sscard` as a technician runs them (subprocesses)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from devices.smartcard.virtual_card import CARDS_DIR

ROOT = Path(__file__).resolve().parents[2]
CMD = [sys.executable, "-m", "kiosk.terminal.cli", "device", "read-sscard"]
JSON_KEYS = ["card_number", "card_id", "spec_version", "issue_date", "expiry_date"]


def run(*args: str, env: dict | None = None, timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run([*CMD, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def card_json(name: str) -> dict:
    return json.loads((CARDS_DIR / f"{name}.json").read_text(encoding="utf-8"))


def assert_one_plain_line(stderr: str, *words: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert lines[0].startswith("kiosk device read-sscard: ")
    for w in words:
        assert w in lines[0]


def test_read_sscard_json_prints_exactly_the_keys(pcscd, slot):
    slot.insert("tibetan")
    p = run("--json", "--timeout", "5")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    obj = card_json("tibetan")
    assert list(data) == JSON_KEYS + ["ssn", "name"]
    assert data == {k: obj[k] for k in JSON_KEYS + ["ssn", "name"]}


def test_read_sscard_json_without_holder_data_omits_ssn_and_name(pcscd, slot):
    slot.insert("protected")
    p = run("--json", "--timeout", "5", "--reader", slot.reader)
    assert p.returncode == 0, p.stderr
    assert list(json.loads(p.stdout)) == JSON_KEYS


def test_read_sscard_plain_output_is_masked(pcscd, slot):
    slot.insert("han")
    p = run("--timeout", "5")
    assert p.returncode == 0, p.stderr
    obj = card_json("han")
    assert "generation 3" in p.stdout
    assert obj["ssn"] not in p.stdout and obj["name"] not in p.stdout and obj["card_number"] not in p.stdout


def test_no_card_in_time_is_one_line_and_exit_1(pcscd, slot):
    p = run("--json", "--timeout", "0.5")
    assert p.returncode == 1
    assert p.stdout == ""
    assert_one_plain_line(p.stderr, "no card")


def test_card_removed_mid_read_is_one_line_and_exit_5(pcscd, slot):
    slot.insert("han", pull_after_apdus=2)
    p = run("--json", "--timeout", "5")
    assert p.returncode == 5
    assert p.stdout == ""
    assert_one_plain_line(p.stderr, "removed")


def test_no_matching_reader_is_one_line_and_exit_3(pcscd):
    p = run("--json", "--timeout", "1", "--reader", "No Such Reader 42")
    assert p.returncode == 3
    assert_one_plain_line(p.stderr, "no smart card reader", "No Such Reader 42")


def test_pcscd_not_running_is_one_line_and_exit_3(tmp_path):
    pytest.importorskip("smartcard.scard")
    # libpcsclite looks for the daemon at $PCSCLITE_CSOCK_NAME: point it at nothing, so this runs
    # whether or not a pcscd is up.
    p = run("--json", "--timeout", "1", env={"PCSCLITE_CSOCK_NAME": str(tmp_path / "no-pcscd.comm")})
    assert p.returncode == 3
    assert_one_plain_line(p.stderr, "pcscd is not running")


def test_sim_sscard_serves_a_card_until_sigterm(pcscd, slot):
    from devices.smartcard.reader import read_once

    sim = subprocess.Popen([sys.executable, "-m", "kiosk.terminal.cli", "sim", "sscard", "--card", "tibetan",
                            "--protect-ef06"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, text=True)
    try:
        line = sim.stdout.readline()
        assert "virtual social security card 'tibetan'" in line and "waiting" not in line
        slot.wait_present(True)
        record = read_once(pcscd.reader, 5)
        assert list(record.to_json()) == JSON_KEYS
        assert record.card_number == card_json("tibetan")["card_number"]
        sim.send_signal(signal.SIGTERM)
        assert sim.wait(10) == 0
        slot.wait_present(False)
    finally:
        if sim.poll() is None:
            sim.kill()
            sim.wait(5)


# ---- error lines without any daemon: read_once replaced by one that fails the given way -------

def _fail_with(exc: BaseException):  # noqa: ANN202
    def read_once(reader_substring: str, timeout_s: float):  # noqa: ANN202
        raise exc
    return read_once


@pytest.mark.parametrize(("make_exc", "code", "words"), [
    (lambda m: m.reader.ReaderFault("no_reader", "x"), 3, "no smart card reader"),
    (lambda m: m.reader.ReaderFault("pcsc_error", "weird"), 3, "PC/SC error"),
    (lambda m: m.reader.NoCard("x"), 1, "no card inserted within 2 s"),
    (lambda m: m.apdu.CardRemoved("x"), 5, "card removed"),
    (lambda m: m.apdu.CardError(0x6A82, "select SSSE"), 5, "not a social security card"),
    (lambda m: m.apdu.CardError(0x6E00), 5, "SW 6E00"),
    (lambda m: m.sscard.SscardParseError("issue date: byte 2A is not BCD"), 5, "malformed"),
    (lambda m: m.apdu.ProtocolError("loop"), 5, "could not be read"),
    (lambda m: RuntimeError("boom"), 3, "unexpected error: RuntimeError"),
])
def test_every_failure_is_one_plain_line(monkeypatch, capsys, make_exc, code, words):
    pytest.importorskip("smartcard.scard")
    import types

    from devices.smartcard import apdu, reader, sscard
    from kiosk.terminal.cli import main

    mods = types.SimpleNamespace(apdu=apdu, reader=reader, sscard=sscard)
    monkeypatch.setattr(reader, "read_once", _fail_with(make_exc(mods)))
    assert main(["device", "read-sscard", "--json", "--timeout", "2"]) == code
    out, err = capsys.readouterr()
    assert out == ""
    assert_one_plain_line(err, words)
