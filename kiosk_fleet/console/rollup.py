"""Telemetry history that stays bounded: raw samples for `raw_days`, then hourly roll-ups for
`hourly_days`, then daily roll-ups for `daily_days`; older rows are deleted. Run from the
console's timer (hourly). Idempotent: a crash between the roll-up and the delete only re-adds
nothing, because a period's roll-up is recomputed from scratch while its raw rows exist, and
the raw rows go in the same transaction."""
from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kiosk_fleet.console.db import TelemetryRaw, TelemetryRollup, upsert

HOUR, DAY = 3600, 86400


def _fold_raw(db: Session, cutoff: float) -> int:
    start = (func.floor(TelemetryRaw.ts / HOUR) * HOUR).label("start")
    rows = db.execute(select(TelemetryRaw.terminal_id, start, func.count(), func.min(TelemetryRaw.paper_pct),
                             func.max(TelemetryRaw.faults))
                      .where(TelemetryRaw.ts < cutoff).group_by(TelemetryRaw.terminal_id, start)).all()
    upsert(db, TelemetryRollup, [{"terminal_id": t, "period_s": HOUR, "start": float(s), "samples": n,
                                  "paper_pct_min": p, "faults_max": f or 0} for t, s, n, p, f in rows],
           ["terminal_id", "period_s", "start"], ["samples", "paper_pct_min", "faults_max"])
    db.execute(delete(TelemetryRaw).where(TelemetryRaw.ts < cutoff))
    return len(rows)


def _fold_hourly(db: Session, cutoff: float) -> int:
    start = (func.floor(TelemetryRollup.start / DAY) * DAY).label("day")
    rows = db.execute(select(TelemetryRollup.terminal_id, start, func.sum(TelemetryRollup.samples),
                             func.min(TelemetryRollup.paper_pct_min), func.max(TelemetryRollup.faults_max))
                      .where(TelemetryRollup.period_s == HOUR, TelemetryRollup.start < cutoff)
                      .group_by(TelemetryRollup.terminal_id, start)).all()
    upsert(db, TelemetryRollup, [{"terminal_id": t, "period_s": DAY, "start": float(s), "samples": int(n),
                                  "paper_pct_min": p, "faults_max": f or 0} for t, s, n, p, f in rows],
           ["terminal_id", "period_s", "start"], ["samples", "paper_pct_min", "faults_max"])
    db.execute(delete(TelemetryRollup).where(TelemetryRollup.period_s == HOUR, TelemetryRollup.start < cutoff))
    return len(rows)


def roll_up(db: Session, now: float, raw_days: float = 2, hourly_days: float = 90, daily_days: float = 730) -> dict[str, int]:
    # Cut at period boundaries, so a period is folded whole, once.
    raw_cut = (now - raw_days * DAY) // HOUR * HOUR
    hourly_cut = (now - hourly_days * DAY) // DAY * DAY
    out = {"hourly_written": _fold_raw(db, raw_cut), "daily_written": _fold_hourly(db, hourly_cut)}
    out["daily_deleted"] = db.execute(delete(TelemetryRollup).where(TelemetryRollup.period_s == DAY,
                                                                    TelemetryRollup.start < now - daily_days * DAY)).rowcount
    return out
