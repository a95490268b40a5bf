"""`kiosk device scan` and `kiosk sim scanner` as a technician runs them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devices.scanner import testmaterial as M

ROOT = Path(__file__).resolve().parents[2]


def kiosk(*args: str, timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, LC_ALL="C")  # JSON must come out UTF-8 whatever the locale
    return subprocess.run([sys.executable, "-m", "kiosk.terminal.cli", *args], capture_output=True, timeout=timeout,
                          cwd=ROOT, env=env, **kw)


def test_scan_a_video_prints_one_exact_json_line_per_presentation_and_exits(presentation_video):
    path, shows, _ = presentation_video
    r = kiosk("device", "scan", "--camera", f"file://{path}", "--json", "--timeout", "60")
    assert r.returncode == 0, r.stderr
    expected = [json.dumps({"symbology": s.payload.symbology, "text": s.payload.text}, ensure_ascii=False)
                for s in shows]
    assert r.stdout.decode("utf-8").splitlines() == expected
    assert r.stderr == b""


def test_scan_max_and_unique(presentation_video):
    path, shows, _ = presentation_video
    r = kiosk("device", "scan", "--camera", f"file://{path}", "--json", "--max", "1")
    assert r.returncode == 0
    assert [json.loads(x)["text"] for x in r.stdout.decode().splitlines()] == [shows[0].payload.text]
    r = kiosk("device", "scan", "--camera", f"file://{path}", "--json", "--unique")
    texts = [json.loads(x)["text"] for x in r.stdout.decode().splitlines()]
    assert texts == [shows[0].payload.text, shows[1].payload.text, shows[3].payload.text]


def test_scan_an_image(tmp_path):
    import cv2

    p = M.payload("ii_utf8")
    path = tmp_path / "yi.png"
    cv2.imwrite(str(path), M.scene(p, "rotated"))
    r = kiosk("device", "scan", "--camera", f"file://{path}", "--json")
    assert r.returncode == 0
    assert json.loads(r.stdout) == {"symbology": "QRCODE", "text": p.text}


@pytest.mark.parametrize("url", ["file:///no/such/clip.avi", "bogus://x", "camera://97"])
def test_a_source_that_cannot_open_is_one_plain_stderr_line(url):
    r = kiosk("device", "scan", "--camera", url, "--json", "--timeout", "5")
    assert r.returncode != 0 and r.stdout == b""
    lines = r.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kiosk device scan: "), lines


def test_sim_scanner_and_scan_over_serial_with_timeout():
    p = M.payload("zh_utf8")
    sim = subprocess.Popen([sys.executable, "-m", "kiosk.terminal.cli", "sim", "scanner", "--code", p.text,
                            "--code", "A017", "--interval", "0.1"], stdout=subprocess.PIPE, cwd=ROOT)
    try:
        path = sim.stdout.readline().decode().strip()
        assert path.startswith("/dev/pts/")
        t0 = time.monotonic()
        r = kiosk("device", "scan", "--camera", f"serial://{path}?baud=9600", "--json", "--timeout", "2")
        elapsed = time.monotonic() - t0
    finally:
        sim.terminate()
        sim.wait(5)
    assert r.returncode == 0, r.stderr
    assert [json.loads(x) for x in r.stdout.decode().splitlines()] == [
        {"symbology": "UNKNOWN", "text": p.text}, {"symbology": "UNKNOWN", "text": "A017"}]
    assert 1.8 < elapsed < 15  # ran until the timeout, then exited 0


def test_scan_max_stops_a_serial_scan_early():
    sim = subprocess.Popen([sys.executable, "-m", "kiosk.terminal.cli", "sim", "scanner", "--code", "X1", "--exit"],
                           stdout=subprocess.PIPE, cwd=ROOT)
    try:
        path = sim.stdout.readline().decode().strip()
        r = kiosk("device", "scan", "--camera", f"serial://{path}", "--max", "1", "--timeout", "20")
    finally:
        sim.wait(10)
    assert r.returncode == 0 and r.stdout.decode() == "UNKNOWN\tX1\n"
