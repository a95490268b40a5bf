"""Issue 14 #13 and the SIGTERM part of #14: one ordered shutdown. `kiosk run --startup-probe`
stops after its first frame with exit 0 and nothing submitted to a closed pool or journaled into
a closed journal; SIGTERM stops the app promptly through the same path."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

KIOSK = Path(sys.executable).with_name("kiosk")


def _argv(*args: str) -> list[str]:
    argv = [str(KIOSK), *args]
    if not os.environ.get("DISPLAY"):
        if shutil.which("xvfb-run") is None:
            pytest.skip("no display and no xvfb-run")
        argv = ["xvfb-run", "-a", "-s", "-screen 0 1280x2000x24", *argv]
    return argv


def _env(tmp_path: Path) -> dict[str, str]:
    # The demo profile keeps its data under ~/.local/share: a scratch HOME keeps it out of the user's.
    return os.environ | {"HOME": str(tmp_path), "KIOSK_MUTE": "1"}


def test_startup_probe_exits_0_without_late_work(tmp_path):
    proc = subprocess.run(_argv("run", "--startup-probe"), capture_output=True, text=True, timeout=120,
                          env=_env(tmp_path))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "first_frame_s=" in proc.stdout
    for bad in ("could not journal a crash", "RuntimeError", "ProgrammingError", "Traceback"):
        assert bad not in out, f"{bad!r} during shutdown:\n{out[-3000:]}"


def test_sigterm_stops_the_app_promptly(tmp_path):
    log = tmp_path / "run.log"
    with open(log, "w") as f:
        # setsid: SIGTERM goes to the app only (xvfb-run's shell would not pass it on)
        proc = subprocess.Popen(_argv("run"), stdout=f, stderr=subprocess.STDOUT, env=_env(tmp_path),
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while "Start application main loop" not in log.read_text(errors="replace"):
            assert proc.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the app did not start"
            time.sleep(0.2)
        time.sleep(1.0)  # the first frames and the catalog load
        app_pid = _app_pid(proc.pid)
        t0 = time.monotonic()
        os.kill(app_pid, signal.SIGTERM)
        began = None
        while _alive(app_pid) and time.monotonic() - t0 < 20:
            if began is None and "signal 15: stopping" in log.read_text(errors="replace"):
                began = time.monotonic() - t0
            time.sleep(0.05)
        took = time.monotonic() - t0
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)
    text = log.read_text(errors="replace")
    # The app's own ordered stop starts at once; closing the devices (their threads' poll
    # timeouts, kiosk/runtime/devicehub.py) still takes ~2 s of the total.
    assert began is not None and began < 0.5, f"the app did not start stopping on SIGTERM ({began})"
    assert took < 6.0, f"SIGTERM took {took:.2f} s"
    assert "Traceback" not in text and "could not journal" not in text, text[-3000:]


def _app_pid(root: int) -> int:
    """The kiosk process itself (under xvfb-run it is a grandchild)."""
    for _ in range(50):
        out = subprocess.run(["pgrep", "-s", str(root), "-f", "bin/kiosk run"], capture_output=True, text=True).stdout
        pids = [int(p) for p in out.split()]
        if pids:
            return max(pids)
        time.sleep(0.1)
    return root


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
