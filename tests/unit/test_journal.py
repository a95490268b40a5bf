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
    item = j.outbox_due(fake_clock.monotonic())[0]
    assert item["payload"] == {"level": 5} and item["idempotency_key"] == k
    j.outbox_failed(item["id"], "unreachable", fake_clock.monotonic() + 10)
    assert j.outbox_due(fake_clock.monotonic()) == []
    fake_clock.advance(10)
    assert len(j.outbox_due(fake_clock.monotonic())) == 1
    j.outbox_delivered(item["id"])
    assert j.outbox_pending_count() == 0


def test_evaluation_levels_are_checked(tmp_path, fake_clock):
    j = Journal(tmp_path / "j.sqlite3", fake_clock)
    j.evaluation("s", "queue_ticket", 5, ["fast"])
    with pytest.raises(sqlite3.IntegrityError):
        j.evaluation("s", "queue_ticket", 9, [])
