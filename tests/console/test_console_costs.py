"""What the console's hot paths cost the database (bench/console.py's budgets depend on them), on
SQLite and on a throw-away PostgreSQL: the ingest's batches are folded in memory in arrival order
and written in a constant number of statements whatever they hold; the overview, refreshed every
second by every open browser, writes nothing; the alarm tick reads only the terminals a rule may
hold for."""
from __future__ import annotations

import json

from sqlalchemy import event, func, select

from kiosk_fleet.console import alarms
from kiosk_fleet.console.db import Alarm, Device, TelemetryRaw, Terminal
from kiosk_fleet.console.ingest import apply_messages
from tests.console.conftest import login


def msg(tid, leaf, **payload):
    return (f"kiosk/{tid}/{leaf}", json.dumps(payload).encode())


def feed(console, *msgs):
    with console.factory.begin() as db:
        return apply_messages(db, [(t, p, console.wall()) for t, p in msgs])


def sample(tid, ts, seq, **kw):
    return msg(tid, "telemetry", ts=ts, seq=seq, **kw)


def sql_of(console, action) -> list[str]:
    """The statements (an executemany counts once) that `action()` sent to the database."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _many):
        seen.append(statement)

    event.listen(console.engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(console.engine, "before_cursor_execute", count)
    return seen


def statements(console, *msgs) -> int:
    return len(sql_of(console, lambda: feed(console, *msgs)))


def devices(n: int, state: str = "ok") -> dict:
    return {f"dev{k}": {"state": state, "reason": f"r{k}"} for k in range(n)}


def test_a_batch_costs_the_same_statements_for_one_terminal_or_two_hundred(console):
    t0 = console.wall()
    one = statements(console, sample("aba-hongyuan-0001", t0, 1, devices=devices(4)))
    many = statements(console, *[sample(f"aba-maerkang-{i:04d}", t0, 1, devices=devices(4)) for i in range(200)])
    assert many == one  # new terminals, new devices: created set-wise, not one row at a time
    # Known terminals whose devices change state, and statuses mixed in: still the same count,
    # less the INSERT of new terminals and their second locking SELECT, which this batch needs not.
    again = statements(console, *[sample(f"aba-maerkang-{i:04d}", t0 + 60, 2, devices=devices(4, "fault"))
                                  for i in range(200)],
                       *[msg(f"aba-maerkang-{i:04d}", "status", state="online", since=t0) for i in range(200)])
    assert again == one - 2
    with console.factory() as db:
        assert db.scalar(select(func.count()).select_from(Device).where(Device.state == "fault")) == 800
        assert db.scalar(select(func.count()).select_from(TelemetryRaw)) == 401


def test_samples_of_one_batch_fold_in_arrival_order(console):
    tid, t0 = "ganzi-luhuo-0007", console.wall()
    latest = sample(tid, t0 + 60, 2, devices={"printer": {"state": "fault", "reason": "jam again"}},
                    versions={"app": "1.4.2"}, paper={"level": "low", "remaining_pct": 9},
                    journal={"outbox_pending": 6})
    n = feed(console,
             msg(tid, "status", state="online", since=t0 - 5, version="1.4.1"),
             sample(tid, t0, 1, devices={"printer": {"state": "fault", "reason": "jam"}},
                    journal={"outbox_pending": 4}),
             sample(tid, t0 - 600, 9, devices={"printer": {"state": "ok"}}, versions={"app": "1.3.0"}),  # a replay
             latest,
             latest,  # redelivered: history keeps one
             msg(tid, "status", state="offline", reason="lost"))
    assert n == 6
    with console.factory() as db:
        t = db.get(Terminal, tid)
        assert (t.state, t.state_reason, t.version, t.telemetry_ts) == ("offline", "lost", "1.4.2", t0 + 60)
        assert (t.paper_level, t.paper_pct, t.faults) == ("low", 9, 1)
        assert (t.outbox_pending, t.outbox_since) == (6, t0)  # growing since the first sample
        dev = db.get(Device, (tid, "printer"))
        assert (dev.state, dev.since, dev.reason) == ("fault", t0, "jam again")  # a fault since t0, not t0 + 60
        assert sorted(db.scalars(select(TelemetryRaw.seq))) == [1, 2, 9]


def test_the_overview_refresh_writes_nothing(console, clock):
    feed(console, msg("ganzi-luhuo-0001", "status", state="online", since=clock()))
    client = login(console, "vera")
    writes = lambda sql: [q for q in sql if q.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]
    for _ in range(3):
        clock.advance(1)
        assert writes(sql_of(console, lambda: client.get("/", headers={"HX-Request": "true"}))) == []
    clock.advance(console.auth.touch_s)  # the session's last use is written once a minute
    assert len(writes(sql_of(console, lambda: client.get("/")))) == 1


def test_the_alarm_tick_reads_only_candidates(console, clock):
    t0 = clock()
    feed(console, *[sample(f"ganzi-luhuo-{i:04d}", t0, 1, paper={"remaining_pct": 80}) for i in range(50)],
         sample("ganzi-luhuo-0050", t0, 1, paper={"remaining_pct": 5}),
         msg("ganzi-luhuo-0051", "status", state="offline", since=t0 - 3600))
    with console.factory.begin() as db:
        result = db.execute(alarms.candidates(clock(), alarms.Thresholds())).all()
        assert sorted(r.id for r in result) == ["ganzi-luhuo-0050", "ganzi-luhuo-0051"]
        alarms.evaluate(db, clock())
    with console.factory() as db:
        assert sorted((a.kind, a.terminal_id) for a in db.scalars(select(Alarm))) == [
            ("offline", "ganzi-luhuo-0051"), ("paper_low", "ganzi-luhuo-0050")]
