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
    item = journal.outbox_due(fake_clock.monotonic())[0]
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
