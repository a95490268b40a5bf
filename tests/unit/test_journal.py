from __future__ import annotations

import sqlite3

import pytest

from kiosk.core.journal import SCHEMA_VERSION, Journal, JournalError


def test_schema_and_wal(tmp_path, fake_clock):
    j = Journal(tmp_path / "j.sqlite3", fake_clock)
    assert j.version == SCHEMA_VERSION
    mode = sqlite3.connect(tmp_path / "j.sqlite3").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    assert j.writable()


def test_migrates_an_old_journal_forward(tmp_path, fake_clock):
    from kiosk.core import journal as jmod

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    for stmt in jmod.MIGRATIONS[0].split(";"):
        if stmt.strip():
            db.execute(stmt)
    db.execute("PRAGMA user_version=1")
    db.execute("INSERT INTO sessions (id, language, started_at) VALUES ('s1', 'bo', 'x')")
    db.commit()
    db.close()
    j = Journal(path, fake_clock)
    assert j.version == SCHEMA_VERSION
    assert j.rows("sessions")[0]["id"] == "s1"  # data kept
    j.incident("test", "incidents table exists now")
    assert j.stats()["incidents"] == 1


def test_refuses_a_newer_schema(tmp_path, fake_clock):
    path = tmp_path / "new.sqlite3"
    sqlite3.connect(path).execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(JournalError, match="newer than this software"):
        Journal(path, fake_clock)


def test_print_job_lifecycle_and_crash_recovery(tmp_path, fake_clock):
    j = Journal(tmp_path / "j.sqlite3", fake_clock)
    job = j.print_job_started("s1", "queue_ticket", "queue_ticket")
    j.print_job_update(job, "sent")
    assert [r["id"] for r in j.unfinished_print_jobs()] == [job]
    j.close()
    # power cut here: a new process finds the job unfinished
    j2 = Journal(tmp_path / "j.sqlite3", fake_clock)
    assert [r["state"] for r in j2.unfinished_print_jobs()] == ["sent"]
    j2.print_job_update(job, "done")
    assert j2.unfinished_print_jobs() == [] and j2.print_job(job)["attempts"] == 1


def test_sessions_left_open_by_a_crash_are_closed(tmp_path, fake_clock):
    j = Journal(tmp_path / "j.sqlite3", fake_clock)
    j.session_started("a", "ii", "queue_ticket")
    j.session_started("b", "zh_CN")
    j.session_ended("b", "completed")
    assert j.close_open_sessions() == 1
    outcomes = {r["id"]: r["outcome"] for r in j.rows("sessions")}
    assert outcomes == {"a": "interrupted", "b": "completed"}


def test_outbox_keys_make_puts_idempotent_and_backoff_defers(tmp_path, fake_clock):
    j = Journal(tmp_path / "j.sqlite3", fake_clock)
    k = j.outbox_put("evaluation", {"level": 5}, "key-1")
    j.outbox_put("evaluation", {"level": 5}, "key-1")
    assert j.outbox_pending_count() == 1
    wall = lambda: fake_clock.now().timestamp()  # noqa: E731 - stored times are wall-clock
    item = j.outbox_due(wall())[0]
    assert item["payload"] == {"level": 5} and item["idempotency_key"] == k
    j.outbox_failed(item["id"], "unreachable", wall() + 10)
    assert j.outbox_due(wall()) == []
    fake_clock.advance(10)
    assert len(j.outbox_due(wall())) == 1
    j.outbox_delivered(item["id"])
    assert j.outbox_pending_count() == 0


def test_evaluation_levels_are_checked(tmp_path, fake_clock):
    j = Journal(tmp_path / "j.sqlite3", fake_clock)
    j.evaluation("s", "queue_ticket", 5, ["fast"])
    with pytest.raises(sqlite3.IntegrityError):
        j.evaluation("s", "queue_ticket", 9, [])


# -- issue 14 #12: the paper estimate with a clock moved back ------------------------------------
def test_paper_estimate_counts_receipts_after_the_clock_moved_back(tmp_path):
    from datetime import datetime, timedelta, timezone

    class BackClock:
        wall = datetime(2026, 11, 22, 23, 0, tzinfo=timezone.utc)

        def monotonic(self) -> float:
            return 0.0

        def now(self):
            return self.wall

    clock = BackClock()
    j = Journal(tmp_path / "j.sqlite3", clock)
    j.paper_loaded(80000)
    clock.wall -= timedelta(hours=1)  # NTP corrects a clock that ran ahead
    for _ in range(300):
        job = j.print_job_started("s", "queue_ticket", "queue_ticket")
        j.print_job_update(job, "sent")
        j.print_job_update(job, "done", paper_mm=60.0)
    est = j.paper_estimate()
    assert est["used_mm"] == pytest.approx(18000.0) and est["left_mm"] == pytest.approx(62000.0)
    clock.wall += timedelta(days=2)  # and forward again: still the same, never less
    assert j.paper_estimate()["used_mm"] == pytest.approx(18000.0)
    j.paper_loaded(80000)  # a new roll counts from zero
    assert j.paper_estimate()["used_mm"] == 0.0


# -- issue 14 #4: a damaged journal is set aside, never fatal ---------------------------------------
def _journal_with_unsent(path, clock, n: int = 3) -> None:
    j = Journal(path, clock)
    for i in range(n):
        j.outbox_put("evaluation", {"level": 5, "n": i}, f"key-unsent-{i}")
    j.close()


def _damage(path, how: str) -> None:
    import shutil

    if how == "garbage_header":
        data = bytearray(path.read_bytes())
        data[:100] = b"\xa5" * 100
        path.write_bytes(bytes(data))
    elif how == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3 + 17])
    elif how == "garbage_page2":
        data = bytearray(path.read_bytes())
        page = int.from_bytes(data[16:18], "big") or 65536
        data[page:2 * page] = b"\x5a" * page
        path.write_bytes(bytes(data))
    elif how == "directory":
        path.unlink()
        path.mkdir()
        (path / "x").write_text("not a journal")
    else:
        raise ValueError(how)
    for side in ("-wal", "-shm"):
        p = path.with_name(path.name + side)
        if p.exists() and not p.is_dir():
            p.unlink()
    del shutil


@pytest.mark.parametrize("how", ["garbage_header", "truncated", "garbage_page2", "directory"])
def test_a_damaged_journal_is_moved_aside_and_replaced(tmp_path, fake_clock, how):
    from kiosk.core.journal_recovery import open_journal

    path = tmp_path / "journal.sqlite3"
    _journal_with_unsent(path, fake_clock, 40)
    _damage(path, how)
    opened = open_journal(path, fake_clock)
    j = opened.journal
    assert opened.problem is None and j.writable() and j.version == SCHEMA_VERSION
    assert opened.moved_aside is not None and opened.moved_aside.exists()
    assert opened.moved_aside.name.startswith("journal.sqlite3.corrupt-20261122T2300")
    incidents = [r for r in j.rows("incidents") if r["kind"] == "journal_corrupt"]
    assert len(incidents) == 1
    keys = [r["idempotency_key"] for r in j.rows("outbox")]
    assert len(keys) == len(set(keys)) == opened.carried_over  # what could be read, once each
    if how == "garbage_page2":
        assert opened.carried_over > 0  # the outbox page survived a bad page elsewhere


def test_a_healthy_journal_is_left_alone(tmp_path, fake_clock):
    from kiosk.core.journal_recovery import open_journal

    path = tmp_path / "journal.sqlite3"
    _journal_with_unsent(path, fake_clock)
    opened = open_journal(path, fake_clock)
    assert opened.moved_aside is None and opened.journal.outbox_pending_count() == 3
    assert list(tmp_path.glob("*.corrupt-*")) == []
