"""`kiosk device print-test`, `kiosk device receipt`, `kiosk sim printer`."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from kiosk.terminal.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_print_test_prints_in_the_locale(emulator, capsys):
    code, out, err = run(["device", "print-test", "--printer", emulator.url, "--locale", "bo"], capsys)
    assert code == 0 and err == ""
    assert "printed" in out
    (r,) = emulator.wait_receipts(1)
    assert r.complete and r.image.width == 576


def test_print_test_on_58mm(emulator, capsys):
    code, _, _ = run(["device", "print-test", "--printer", emulator.url, "--locale", "ii", "--width", "384"], capsys)
    assert code == 0 and emulator.wait_receipts(1)[0].image.width == 384


def test_print_test_warns_when_paper_is_low(emulator, capsys):
    emulator.set_state("near_end")
    code, _, err = run(["device", "print-test", "--printer", emulator.url, "--locale", "zh_CN"], capsys)
    assert code == 0 and "paper_near_end" in err and len(err.strip().splitlines()) == 1
    assert len(emulator.wait_receipts(1)) == 1


@pytest.mark.parametrize("state, reason", [("paper_out", "paper_out"), ("cover_open", "cover_open")])
def test_print_test_refuses_with_one_line(emulator, capsys, state, reason):
    emulator.set_state(state)
    code, out, err = run(["device", "print-test", "--printer", emulator.url, "--locale", "bo"], capsys)
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and reason in err and "Traceback" not in err
    assert emulator.receipts == []


def test_print_test_refuses_a_silent_printer_quickly(emulator, capsys):
    emulator.set_state("silent")
    t0 = time.monotonic()
    code, _, err = run(["device", "print-test", "--printer", emulator.url, "--locale", "bo",
                        "--status-timeout", "0.3"], capsys)
    assert code == 1 and "not_responding" in err and len(err.strip().splitlines()) == 1
    assert time.monotonic() - t0 < 2


def test_print_test_default_timeout_keeps_within_15_s():
    from kiosk.terminal.cli import build_parser

    args = build_parser().parse_args(["device", "print-test", "--printer", "tcp://x:9100"])
    assert args.status_timeout == 5.0  # one status query bounds the refusal well inside 15 s


@pytest.mark.parametrize("argv", [
    ["--printer", "lpt://1"], ["--printer", "tcp://127.0.0.1:9", "--locale", "xx"],
    ["--printer", "tcp://127.0.0.1:9", "--width", "500"],
])
def test_print_test_usage_mistakes(capsys, argv):
    code, _, err = run(["device", "print-test", *argv], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("locale", ["zh_CN", "bo", "ii", "en"])
def test_receipt_renders_a_sample(tmp_path, capsys, locale):
    out = tmp_path / f"{locale}.png"
    code, stdout, _ = run(["device", "receipt", "real_estate_query", "--locale", locale, "--out", str(out)], capsys)
    assert code == 0 and stdout.strip() == str(out)
    img = Image.open(out)
    assert img.mode == "1" and img.width == 576 and img.height > 600


def test_receipt_every_sample_and_width(tmp_path, capsys):
    from devices.printer import samples

    for name in samples.names():
        out = tmp_path / f"{name}.png"
        assert run(["device", "receipt", name, "--locale", "ii", "--out", str(out), "--width", "384"], capsys)[0] == 0
        assert Image.open(out).width == 384


def test_receipt_unknown_sample(tmp_path, capsys):
    code, _, err = run(["device", "receipt", "passport", "--locale", "bo", "--out", str(tmp_path / "x.png")], capsys)
    assert code == 2 and "unknown sample" in err


def test_sim_printer_serves_until_sigterm(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "kiosk.terminal.cli", "sim", "printer", "--port", "0",
                             "--state", "near_end", "--out", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("tcp://127.0.0.1:")
        from devices.printer.driver import EscPosPrinter

        p = EscPosPrinter(url, status_timeout_s=2.0)
        assert p.status().reason == "paper_near_end"
        p.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
