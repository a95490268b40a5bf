"""`kiosk device read-id` and `kiosk sim idcard` as a technician runs them: real processes."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tty

import pytest

from tests.support.idcard_cards import CARD_FILES, CARDS_DIR, ROOT, load_card

KEYS = {
    "resident": {"card_type", "name", "gender", "nation", "nation_code", "birth_date", "valid_from", "valid_until",
                 "long_term", "id_number", "id_number_valid", "has_photo", "address", "issuer"},
    "hk_mo_tw_permit": {"card_type", "name", "gender", "birth_date", "valid_from", "valid_until", "long_term",
                        "id_number", "id_number_valid", "has_photo", "address", "issuer", "pass_number",
                        "issue_count"},
    "foreign_permanent": {"card_type", "name", "name_en", "gender", "birth_date", "valid_from", "valid_until",
                          "long_term", "id_number", "id_number_valid", "has_photo", "nationality", "issuer_code"},
    "foreign_permanent_2023": {"card_type", "name", "name_en", "gender", "birth_date", "valid_from", "valid_until",
                               "long_term", "id_number", "id_number_valid", "has_photo", "nationality"},
}


def kiosk(*args: str, timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk.terminal.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, stdin=subprocess.DEVNULL)


def read_id(port: str, timeout: str = "3", *extra: str) -> subprocess.CompletedProcess:
    return kiosk("device", "read-id", "--port", port, "--json", "--timeout", timeout, *extra)


def assert_one_plain_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.mark.parametrize("name", CARD_FILES)
def test_read_id_prints_one_json_object_with_exactly_the_contract_keys(sim_factory, name):
    card = load_card(name)
    sim = sim_factory(card, fault="noisy")
    out = read_id(sim.path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("\n") == 1
    data = json.loads(out.stdout)
    assert set(data) == KEYS[card["card_type"]]
    for key in KEYS[card["card_type"]] & set(card):
        assert data[key] == card[key], key
    assert data["has_photo"] is True and data["id_number_valid"] in (True, None)
    for key in ("birth_date", "valid_from", "valid_until"):
        assert data[key] is None or len(data[key]) == 10 and data[key][4] == "-"


def test_long_term_card_in_json(sim_factory):
    sim = sim_factory(load_card("resident_yi_liangshan.json"))
    data = json.loads(read_id(sim.path).stdout)
    assert (data["valid_until"], data["long_term"], data["nation"], data["nation_code"]) == (None, True, "彝", "07")


def test_without_json_the_summary_is_masked(sim_factory):
    card = load_card("resident_han.json")
    sim = sim_factory(card)
    out = kiosk("device", "read-id", "--port", sim.path, "--timeout", "3")
    assert out.returncode == 0
    assert card["id_number"] not in out.stdout and card["name"] not in out.stdout
    assert card["id_number"][:6] in out.stdout and "resident" in out.stdout


def test_no_card_in_time(sim_factory):
    sim = sim_factory(load_card("resident_han.json"), fault="nocard")
    out = read_id(sim.path, "0.3")
    assert out.returncode == 1 and out.stdout == ""
    assert "no card" in assert_one_plain_line(out.stderr)


def test_sam_out_of_service(sim_factory):
    sim = sim_factory(load_card("resident_han.json"), fault="sam")
    out = read_id(sim.path)
    assert out.returncode == 4 and out.stdout == ""
    assert "SAM" in assert_one_plain_line(out.stderr)


def test_reader_not_answering():
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        out = read_id(os.ttyname(slave), "0.2")
    finally:
        os.close(master)
        os.close(slave)
    assert out.returncode == 3
    assert "not answering" in assert_one_plain_line(out.stderr)


def test_no_such_port(tmp_path):
    out = read_id(str(tmp_path / "ttyNOPE"), "0.2")
    assert out.returncode == 3
    assert "cannot use" in assert_one_plain_line(out.stderr)


def test_sim_command_serves_until_sigterm():
    proc = subprocess.Popen([sys.executable, "-m", "kiosk.terminal.cli", "sim", "idcard", "--fault", "noisy",
                             "--card", str(CARDS_DIR / "foreign_permanent_y.json")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                            cwd=ROOT)
    try:
        path = proc.stdout.readline().strip()
        assert path.startswith("/dev/")
        out = read_id(path)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["card_type"] == "foreign_permanent_2023"
        again = read_id(path)  # default sim: the card stays readable for the next smoke test
        assert again.returncode == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    assert "Traceback" not in proc.stderr.read()


def test_sim_command_rejects_a_bad_card_file(tmp_path):
    bad = tmp_path / "card.json"
    bad.write_text('{"card_type": "passport"}', encoding="utf-8")
    out = kiosk("sim", "idcard", "--card", str(bad))
    assert out.returncode == 2
    assert "card_type" in assert_one_plain_line(out.stderr)
