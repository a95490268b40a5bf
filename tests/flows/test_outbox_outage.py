"""Evaluations made while the platform is down wait in the outbox and reach the platform exactly
once when it is back: the idempotency key makes every resend harmless."""
from __future__ import annotations

import json

from tests.support.flowkit import FlowHarness, secrets_of

from flows.engine import COMPLETED
from kiosk.platform.outbox import OutboxSender


def rate(h: FlowHarness, level: int) -> None:
    h.drive(until="evaluate")
    h.choose(str(level))
    if level < 3:
        h.send("toggle", option="slow")  # a bad rating names a reason
    h.choose("submit")
    h.choose("skip")
    assert h.outcome == COMPLETED


def test_evaluations_made_during_an_outage_arrive_once(platform, server, tmp_path, fake_clock):
    def harness(flow_id: str) -> FlowHarness:
        h = FlowHarness(flow_id, platform=platform, server=server, data_dir=tmp_path, clock=fake_clock)
        h.start()
        return h

    ticket = harness("queue_ticket")
    ticket.drive(until="evaluate")  # the ticket needs the platform; the outage starts after it
    server.set_fault("down")
    rate(ticket, 5)
    standalone = harness("evaluation")
    rate(standalone, 2)
    journal = standalone.journal
    queued = [r for r in journal.rows("outbox") if r["kind"] == "evaluation"]
    assert len(queued) == 2 and all(r["delivered_at"] is None for r in queued)
    for r in queued:  # what waits in the outbox names no one
        assert not any(s in r["payload"] for s in secrets_of())

    sender = OutboxSender(journal, platform, fake_clock, base_backoff_s=5, max_backoff_s=60)
    assert sender.deliver_due()[0] == 0  # down: nothing delivered...
    assert journal.outbox_pending_count() >= 2  # ...and nothing lost
    assert sender.deliver_due() == (0, 0)  # backing off, not hammering
    server.set_fault("none")
    fake_clock.advance(60)
    sender.deliver_due()
    assert journal.outbox_pending_count() == 0
    assert sender.deliver_due() == (0, 0)

    stored = [s for s in server.submissions() if s["kind"] == "evaluation"]
    assert sorted(s["idempotency_key"] for s in stored) == sorted(r["idempotency_key"] for r in queued)
    assert sorted(s["payload"]["level"] for s in stored) == [2, 5]
    # A resend after a crash (delivered, but the journal did not mark it) is stored once.
    item = queued[0]
    reply = platform.submit("evaluation", json.loads(item["payload"]), item["idempotency_key"])
    assert reply["duplicate"] is True
    assert len([s for s in server.submissions() if s["kind"] == "evaluation"]) == 2
    ticket.close()
    standalone.close()
