"""Issue 14 #2, #4, #8 and the fault suite's kill -9 / reboot / read-only cases: the real
services (Services.build, demo devices, embedded platform) and the real app in a child."""
from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from kiosk.core.busy import BusyLock, held_elsewhere
from kiosk.update.busy import idle_check
from tests.faults.conftest import run_app


def _services(data, clock=None):
    from kiosk.core import config
    from kiosk.demo.rig import headless_config
    from kiosk.runtime.services import Services

    cfg = headless_config(config.load("demo"))
    cfg = dataclasses.replace(cfg, terminal=dataclasses.replace(cfg.terminal, data_dir=str(data)))
    return Services.build(cfg, clock=clock, data_dir=data)


# -- #2 the busy lock ---------------------------------------------------------------------------
def test_busy_lock_is_counted_and_seen_by_the_updater(tmp_path):
    path = tmp_path / "busy.lock"
    lock, idle = BusyLock(path), idle_check(path)
    assert idle()
    lock.hold()
    lock.hold()  # a print job inside the session
    assert not idle() and held_elsewhere(path)
    lock.release()
    assert not idle()
    lock.release()
    assert idle() and path.exists()  # the file stays; only the lock means busy


def test_a_killed_app_never_leaves_the_terminal_busy(tmp_path):
    path = tmp_path / "busy.lock"
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from kiosk.core.busy import BusyLock
        BusyLock({str(path)!r}).hold()
        print("held", flush=True)
        time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        assert held_elsewhere(path)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        assert not held_elsewhere(path)
    finally:
        if child.poll() is None:
            child.kill()


def test_the_app_is_busy_for_a_session_and_idle_after(tmp_path):
    out = run_app("serve_one", tmp_path)
    assert out == {"busy_while_serving": True, "busy_after": False, "wiped": True, "unfinished": 0}


def test_kill_9_mid_session_then_reboot(tmp_path):
    """kill -9 with a citizen at the terminal and a receipt 'sent'; the next process (a reboot:
    new process, new monotonic clock) finds the terminal idle, the receipt failed (never
    re-printed), the session closed as interrupted, and nothing personal on disk."""
    from kiosk.core.journal import Journal

    out = run_app("serve_one", tmp_path, "hang", expect_kill=True)
    assert out["busy_while_serving"] is True
    assert not held_elsewhere(tmp_path / "busy.lock")
    j = Journal(tmp_path / "journal.sqlite3")
    job = j.print_job_started("s-crash", "queue_ticket", "queue_ticket")
    j.print_job_update(job, "sent")  # as a crash mid-print leaves it
    j.close()
    services = _services(tmp_path)
    try:
        assert services.journal_problem is None and services.recovered_print_jobs == 1
        row = services.journal.print_job(job)
        assert row["state"] == "failed" and row["detail"] == "interrupted:restart" and row["attempts"] == 1
        assert services.journal.stats()["print_jobs_unfinished"] == 0
        assert all(s["ended_at"] for s in services.journal.rows("sessions"))
    finally:
        services.close()
    from tests.faults.app_driver import ID_NUMBER, NAME

    for f in tmp_path.rglob("*"):
        if f.is_file() and f.stat().st_size < 50_000_000:
            data = f.read_bytes()
            assert NAME.encode() not in data and ID_NUMBER.encode() not in data, f


# -- #4 a damaged journal at start -----------------------------------------------------------------
@pytest.mark.parametrize("how", ["garbage_header", "directory"])
def test_services_start_on_a_damaged_journal(tmp_path, how):
    from tests.unit.test_journal import _damage, _journal_with_unsent
    from kiosk.core.clock import SystemClock

    path = tmp_path / "journal.sqlite3"
    _journal_with_unsent(path, SystemClock())
    _damage(path, how)
    services = _services(tmp_path)
    try:
        assert services.journal_problem is None  # a fresh journal: in service
        kinds = [r["kind"] for r in services.journal.rows("incidents")]
        assert "journal_corrupt" in kinds  # the technician's events show it
        assert list(tmp_path.glob("journal.sqlite3.corrupt-*"))
    finally:
        services.close()


# -- a read-only data directory ----------------------------------------------------------------------
def test_a_read_only_data_dir_is_honestly_out_of_service(small_tmpfs):
    r = subprocess.run(["mount", "-o", "remount,ro", str(small_tmpfs)], capture_output=True, text=True, timeout=10)
    if r.returncode != 0:
        pytest.skip(f"cannot remount read-only: {r.stderr.strip()[:200]}")
    services = _services(small_tmpfs)
    try:
        assert services.journal_problem == "journal_unwritable"
    finally:
        services.close()
