"""What the pages show, as queries: the overview by hall with filters, a terminal's detail."""
from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from kiosk_fleet.console.db import Alarm, CommandRow, Device, Rollout, RolloutMember, Terminal
from kiosk_fleet.console.ingest import PAPER_LOW_PCT

PAGE = 200  # terminals listed at once; the hall summary covers the whole fleet
LISTED = (Terminal.id, Terminal.state_reason, Terminal.state_since, Terminal.version, Terminal.faults,
          Terminal.paper_pct, Terminal.paper_level, Terminal.last_seen)  # what the overview's rows show


def fmt_time(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts else "-"


def _degraded() -> Any:
    return and_(Terminal.state == "online",
                or_(Terminal.faults > 0, Terminal.paper_level == "low", Terminal.paper_pct < PAPER_LOW_PCT,
                    Terminal.maintenance.is_(True)))


def health_expr() -> Any:
    return case((Terminal.state == "offline", "offline"), (_degraded(), "degraded"),
                (Terminal.state == "online", "online"), else_="unknown")


@dataclass(frozen=True)
class Filters:
    state: str = ""     # online / offline / degraded / "" (all)
    hall: str = ""
    prefecture: str = ""
    q: str = ""         # part of a terminal id

    @classmethod
    def of(cls, params: Mapping[str, str]) -> Filters:
        return cls(**{k: str(params.get(k, ""))[:64] for k in ("state", "hall", "prefecture", "q")})


def _where(f: Filters) -> list[Any]:
    where = []
    if f.hall:
        where.append(Terminal.hall == f.hall)
    if f.prefecture:
        where.append(Terminal.prefecture == f.prefecture)
    if f.q:
        where.append(Terminal.id.contains(f.q, autoescape=True))
    if f.state:
        where.append(health_expr() == f.state)
    return where


def matching_ids(db: Session, f: Filters, limit: int) -> list[str]:
    """The terminals a filter selects (the overview's rules), at most `limit`."""
    return list(db.scalars(select(Terminal.id).where(*_where(f)).order_by(Terminal.id).limit(limit)))


def overview(db: Session, f: Filters, now: float) -> dict[str, Any]:
    health = health_expr().label("health")
    where = _where(f)
    by_hall = db.execute(
        select(Terminal.prefecture, Terminal.county, Terminal.hall,
               func.count().label("total"),
               func.sum(case((Terminal.state == "online", 1), else_=0)).label("online"),
               func.sum(case((Terminal.state == "offline", 1), else_=0)).label("offline"),
               func.sum(case((_degraded(), 1), else_=0)).label("degraded"))
        .where(*where).group_by(Terminal.prefecture, Terminal.county, Terminal.hall)
        .order_by(Terminal.prefecture, Terminal.county, Terminal.hall)).all()
    # The listed columns only: whole Terminal objects decoded every row's JSON telemetry, a
    # quarter of the page's query time, for nothing the page shows.
    listed = db.execute(select(*LISTED, health).where(*where).order_by(
        case((Terminal.state == "offline", 0), (_degraded(), 1), else_=2), Terminal.id).limit(PAGE)).all()
    rows = [(r, r.health) for r in listed]
    totals = {k: sum(int(getattr(h, k) or 0) for h in by_hall) for k in ("total", "online", "offline", "degraded")}
    open_alarms = db.scalar(select(func.count()).select_from(Alarm).where(Alarm.cleared_at.is_(None))) or 0
    return {"by_hall": by_hall, "rows": rows, "totals": totals, "open_alarms": open_alarms, "page": PAGE}


def terminal(db: Session, tid: str) -> dict[str, Any] | None:
    t = db.get(Terminal, tid)
    if t is None:
        return None
    devices = list(db.scalars(select(Device).where(Device.terminal_id == tid).order_by(Device.name)))
    commands = list(db.scalars(select(CommandRow).where(CommandRow.terminal_id == tid)
                               .order_by(CommandRow.issued_at.desc()).limit(30)))
    alarms = list(db.scalars(select(Alarm).where(Alarm.terminal_id == tid).order_by(Alarm.raised_at.desc()).limit(20)))
    health = db.scalar(select(health_expr()).where(Terminal.id == tid))
    return {"t": t, "health": health, "devices": devices, "commands": commands, "alarms": alarms}


# Why a terminal's handler said no, in words an operator acts on (the ack's status is "ok": the
# command ran; its result says the terminal declined).
DECLINED = {"session_active": "refused: a citizen is being served, and the terminal never captures its screen "
                              "then; ask again when it is idle"}


def command_outcome(c: CommandRow) -> tuple[str, str]:
    """(css class, text) for a command's status cell."""
    result = c.result if isinstance(c.result, dict) else {}
    if c.status == "ok" and result.get("ok") is False:
        reason = str(result.get("reason") or "")
        return "refused", DECLINED.get(reason, f"refused by the terminal: {reason or 'no reason given'}")
    return c.status, f"{c.status}: {c.reason}" if c.reason else c.status


def rollout_groups(db: Session, r: Rollout) -> list[dict[str, Any]]:
    rows = db.execute(select(RolloutMember.group_idx, RolloutMember.group_name, RolloutMember.outcome, func.count())
                      .where(RolloutMember.rollout_id == r.id)
                      .group_by(RolloutMember.group_idx, RolloutMember.group_name, RolloutMember.outcome)).all()
    groups: dict[int, dict[str, Any]] = {}
    for idx, name, outcome, n in rows:
        g = groups.setdefault(idx, {"idx": idx, "name": name, "total": 0, "waiting": 0, "sent": 0, "ok": 0, "failed": 0})
        g[outcome] = g.get(outcome, 0) + n
        g["total"] += n
    return [groups[k] for k in sorted(groups)]
