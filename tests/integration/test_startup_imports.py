"""Start-up stays fast as the kiosk grows (issue 15): the demo kiosk draws its first frame with
none of the heavy parts loaded (kiosk/terminal/app.py DEFERRED_IMPORTS: numpy, OpenCV, the HTTP
client, TUF, aiortc, ...). A new screen or desk that imports one at module level fails here, not
weeks later as a slow bench (the voice recording page once added numpy, 64 ms)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs a display (make test runs under Xvfb)")
def test_the_first_frame_is_drawn_without_the_heavy_parts(tmp_path):
    env = dict(os.environ, KIVY_NO_ARGS="1", KIOSK_MUTE="1", PYTHONPYCACHEPREFIX=str(tmp_path / "pyc"))
    out = subprocess.run([sys.executable, "-m", "kiosk.terminal.cli", "run", "--profile", "demo", "--startup-probe"],
                         capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert re.search(r"first_frame_s=[0-9.]+", out.stdout), out.stderr[-2000:]
    loaded = re.search(r"deferred_imports_loaded=(.*)", out.stdout)
    assert loaded is not None and loaded.group(1).strip() == "", f"loaded before the first frame: {loaded and loaded.group(1)}"
