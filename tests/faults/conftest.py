"""The fault suite: the real kiosk (app in a child process, or the headless services) against
full disks, read-only and rotten files, trickling links, clock jumps, kill -9 and reboots.
Every case is bounded in time; a case that needs a privilege it lacks skips and says which."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

DRIVER = Path(__file__).with_name("app_driver.py")
CASE_TIMEOUT_S = 120


def run_app(scenario: str, data: Path, arg: str = "", expect_kill: bool = False) -> dict[str, Any]:
    """Run one app scenario in a child process (under Xvfb when there is no display)."""
    argv = [sys.executable, str(DRIVER), scenario, str(data), arg]
    if not os.environ.get("DISPLAY"):
        if shutil.which("xvfb-run") is None:
            pytest.skip("no display and no xvfb-run: the app cannot open its window")
        argv = ["xvfb-run", "-a", "-s", "-screen 0 1280x2000x24", *argv]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=CASE_TIMEOUT_S)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if expect_kill:
        assert proc.returncode != 0, "the child was meant to die by SIGKILL"
    else:
        assert proc.returncode == 0, proc.stderr[-3000:]
    assert lines, proc.stderr[-3000:]
    return json.loads(lines[-1])


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB tmpfs: a disk that really fills. Skips where mounting is not allowed."""
    mnt = tmp_path / "tmpfs"
    mnt.mkdir()
    try:
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", str(mnt)],
                              capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as e:
        pytest.skip(f"cannot mount a tmpfs for the disk-full case: {e}")
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs for the disk-full case (needs root or CAP_SYS_ADMIN): "
                    f"{proc.stderr.strip()[:200]}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True, timeout=10)
