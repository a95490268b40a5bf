"""Submissions wait in the SQLite outbox while the platform is down and arrive exactly once."""
from __future__ import annotations

import pytest

from kiosk.demo_platform.server import DemoPlatformServer
from kiosk.platform.http_client import HttpPlatform
from kiosk.core.journal import Journal
from kiosk.platform.outbox import OutboxSender


@pytest.fixture
def server():
    s = DemoPlatformServer()
    s.start()
    yield s
    s.stop()


def make(server, tmp_path, fake_clock):
    platform = HttpPlatform(server.url, connect_timeout_s=0.5, read_timeout_s=0.5, retries=0, backoff_s=0,
                            sleep=fake_clock.sleep)
    journal = Journal(tmp_path / "j.sqlite3", fake_clock)
    return journal, OutboxSender(journal, platform, fake_clock, base_backoff_s=5, max_backoff_s=60)


def test_outage_then_delivery_without_loss_or_duplicates(server, tmp_path, fake_clock):
    journal, sender = make(server, tmp_path, fake_clock)
    keys = [journal.outbox_put("evaluation", {"flow": "queue_ticket", "level": lvl}) for lvl in (5, 4, 3)]
    server.set_fault("down")
    assert sender.deliver_due() == (0, 1)  # stops at the first failure: no hammering
    assert journal.outbox_pending_count() == 3
    assert sender.deliver_due() == (0, 0)  # backing off
    fake_clock.advance(5)
    assert sender.deliver_due() == (0, 1)
    server.set_fault("none")
    fake_clock.advance(10)  # second failure doubled the wait
    assert sender.deliver_due() == (3, 0)
    assert journal.outbox_pending_count() == 0
    stored = [s for s in server.submissions() if s.get("kind") == "evaluation"]
    assert sorted(s["idempotency_key"] for s in stored) == sorted(keys)


def test_a_resend_after_a_crash_is_not_a_duplicate(server, tmp_path, fake_clock):
    journal, sender = make(server, tmp_path, fake_clock)
    key = journal.outbox_put("evaluation", {"level": 5})
    item = journal.outbox_due(fake_clock.now().timestamp())[0]
    # the platform got it, then the power failed before the journal marked it delivered
    sender.platform.submit(item["kind"], item["payload"], item["idempotency_key"])
    assert sender.deliver_due() == (1, 0)
    assert [s["idempotency_key"] for s in server.submissions()].count(key) == 1


def test_a_rejected_item_is_parked_not_retried_in_a_loop(server, tmp_path, fake_clock):
    journal, sender = make(server, tmp_path, fake_clock)
    journal.outbox_put("evaluation", {"level": 5}, "key-ok-000")
    server.set_fault("error500")
    assert sender.deliver_due() == (0, 1)
    row = journal.rows("outbox")[0]
    assert row["attempts"] == 1 and row["last_error"] == "server_error" and row["delivered_at"] is None


class JumpClock:
    """Monotonic and wall clock apart: a reboot resets the first, an NTP fix moves the second."""

    def __init__(self) -> None:
        from datetime import datetime, timezone

        self.mono, self.wall = 5.0, datetime(2026, 11, 22, 23, 0, tzinfo=timezone.utc)

    def monotonic(self) -> float:
        return self.mono

    def now(self):
        return self.wall

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        from datetime import timedelta

        self.mono += seconds
        self.wall += timedelta(seconds=seconds)

    def jump_wall(self, seconds: float) -> None:
        from datetime import timedelta

        self.wall += timedelta(seconds=seconds)


def test_a_reboot_does_not_stall_the_outbox(server, tmp_path):
    """Issue 14 #3: next_attempt_at was time.monotonic(); after a reboot (monotonic near 0) an
    item parked before it waited for weeks. Now wall-clock: due after its backoff."""
    clock = JumpClock()
    clock.mono = 3_000_000.0  # a month of uptime
    platform = HttpPlatform(server.url, 0.5, 0.5, retries=0, backoff_s=0, sleep=clock.sleep)
    journal = Journal(tmp_path / "j.sqlite3", clock)
    journal.outbox_put("evaluation", {"level": 4}, "key-reboot-1")
    server.set_fault("down")
    assert OutboxSender(journal, platform, clock, 5, 60).deliver_due() == (0, 1)
    journal.close()
    server.set_fault("none")
    clock.mono = 12.0  # reboot: a new process, monotonic restarts
    clock.jump_wall(120)
    journal = Journal(tmp_path / "j.sqlite3", clock)
    assert OutboxSender(journal, platform, clock, 5, 60).deliver_due() == (1, 0)


@pytest.mark.parametrize("jump", [-86400 * 30, -3600, +3600, +86400 * 365])
def test_backoff_never_longer_than_its_maximum_whatever_the_clock_did(server, tmp_path, jump):
    clock = JumpClock()
    platform = HttpPlatform(server.url, 0.5, 0.5, retries=0, backoff_s=0, sleep=clock.sleep)
    journal = Journal(tmp_path / "j.sqlite3", clock)
    journal.outbox_put("evaluation", {"level": 3}, "key-jump-1")
    server.set_fault("down")
    sender = OutboxSender(journal, platform, clock, base_backoff_s=5, max_backoff_s=60)
    assert sender.deliver_due() == (0, 1)
    server.set_fault("none")
    clock.jump_wall(jump)
    clock.advance(60)  # the maximum backoff, in real (monotonic) time
    assert sender.deliver_due() == (1, 0)
    assert [s["idempotency_key"] for s in server.submissions()].count("key-jump-1") == 1


def test_an_old_journal_with_monotonic_times_is_due_after_migration(tmp_path):
    import sqlite3

    from kiosk.core import journal as jmod

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    for number in range(3):
        for stmt in jmod.MIGRATIONS[number].split(";"):
            if stmt.strip():
                db.execute(stmt)
    db.execute("PRAGMA user_version=3")
    db.execute("INSERT INTO outbox (kind, idempotency_key, payload, created_at, next_attempt_at) "
               "VALUES ('evaluation', 'k-old-1', '{}', 'x', 2.5e9)")  # a monotonic value far ahead
    db.commit()
    db.close()
    clock = JumpClock()
    j = Journal(path, clock)
    assert len(j.outbox_due(clock.now().timestamp())) == 1
