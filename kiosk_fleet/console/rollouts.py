"""Rollouts that stop themselves (after Eclipse hawkBit): a release already signed and published
in the TUF repository, a target filter, and groups — a pilot (halls by name), then waves by
percentage of the rest. The console opens one group at a time by asking its terminals to check
for the update now (`check_update {apply: true}`); terminals report the outcome in telemetry
(`versions.app`, `update.state`). When the share of terminals that committed the version reaches
the success threshold, the next group opens; when failures reach the error threshold (a count or
a percentage), the rollout halts and raises an alarm. Operators pause, resume and abort.

The console never signs anything: see docs/fleet.md, "Rollouts and keys".
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.update.rings import bucket, parse_version
from kiosk_fleet.console.alarms import FAILED_UPDATE_STATES, raise_alarm
from kiosk_fleet.console.db import Rollout, RolloutMember, Terminal

Send = Callable[[str, str, dict[str, Any]], str]  # (terminal, cmd, args) -> command id


@dataclass(frozen=True)
class GroupSpec:
    name: str
    halls: tuple[str, ...] = ()   # a pilot: these halls
    percent: float = 0.0          # a wave: this share of the fleet (by the terminal's bucket), cumulative

    def rule(self) -> dict[str, Any]:
        """As an admission lists it (kiosk/update/admission.py)."""
        return {"group": self.name, "halls": list(self.halls)} if self.halls else {"group": self.name, "percent": self.percent}

    @staticmethod
    def parse(text: str) -> list[GroupSpec]:
        """'pilot:hall=ganzi-luhuo,ganzi-kangding; wave1:20%; wave2:100%'"""
        out: list[GroupSpec] = []
        for part in (p.strip() for p in text.split(";")):
            if not part:
                continue
            name, _, rule = part.partition(":")
            name, rule = name.strip(), rule.strip()
            if rule.startswith("hall="):
                halls = tuple(h.strip() for h in rule[5:].split(",") if h.strip())
                out.append(GroupSpec(name, halls=halls))
            elif rule.endswith("%"):
                out.append(GroupSpec(name, percent=float(rule[:-1])))
            else:
                raise ValueError(f"group {name!r}: use hall=A,B or N%")
            if not name or len(name) > 64:
                raise ValueError("group names are 1-64 characters")
        if not out:
            raise ValueError("a rollout needs at least one group")
        return out


def create(session: Session, version: str, groups: Sequence[GroupSpec], *, user: str, now: float,
           success_pct: float = 90.0, error_pct: float = 10.0, error_count: int = 3,
           prefix: str = "") -> Rollout:
    """Assign every matching terminal still below `version` to the first group that takes it."""
    parse_version(version)  # refuses anything that is not a version
    if not (0 < success_pct <= 100 and 0 < error_pct <= 100 and error_count >= 1):
        raise ValueError("thresholds: success and error in (0, 100] %, error count >= 1")
    rollout = Rollout(version=version, created_by=user, created_at=now, success_pct=success_pct,
                      error_pct=error_pct, error_count=error_count, state="running", current_group=0,
                      prefix=prefix, groups=[g.rule() for g in groups])
    session.add(rollout)
    session.flush()
    taken: set[str] = set()
    target = parse_version(version)
    terms = [t for t in session.scalars(select(Terminal).where(Terminal.id.startswith(prefix)))
             if not _at_least(t.version, target)]
    for idx, g in enumerate(groups):
        for t in terms:
            if t.id in taken:
                continue
            if (g.halls and t.hall in g.halls) or (not g.halls and bucket(t.id) < g.percent):
                taken.add(t.id)
                session.add(RolloutMember(rollout_id=rollout.id, terminal_id=t.id, group_idx=idx,
                                          group_name=g.name, outcome="waiting", changed_at=now))
    return rollout


def _at_least(version: str, target: tuple[int, ...]) -> bool:
    try:
        return parse_version(version) >= target
    except ValueError:
        return False


def _outcome(rollout: Rollout, t: Terminal | None) -> str | None:
    if t is None:
        return None
    bad = (t.telemetry or {}).get("update", {}).get("bad") if isinstance(t.telemetry, dict) else None
    if t.update_state in FAILED_UPDATE_STATES or (isinstance(bad, list) and rollout.version in bad):
        return "failed"
    if _at_least(t.version, parse_version(rollout.version)) and t.update_state not in ("pending", "switching"):
        return "ok"
    return None


def group_counts(session: Session, rollout: Rollout, idx: int) -> dict[str, int]:
    counts = {"waiting": 0, "sent": 0, "ok": 0, "failed": 0}
    for m in session.scalars(select(RolloutMember).where(RolloutMember.rollout_id == rollout.id,
                                                         RolloutMember.group_idx == idx)):
        counts[m.outcome] = counts.get(m.outcome, 0) + 1
    counts["total"] = sum(counts.values())
    return counts


def tick(session: Session, now: float, send: Send) -> None:
    """Advance every running rollout by one step. Called after each ingest batch and on a timer."""
    for r in session.scalars(select(Rollout).where(Rollout.state == "running")):
        members = list(session.scalars(select(RolloutMember).where(RolloutMember.rollout_id == r.id,
                                                                   RolloutMember.group_idx == r.current_group)))
        if not members:
            _next_group(session, r)
            continue
        for m in members:
            if m.outcome == "waiting":
                send(m.terminal_id, "check_update", {"apply": True})
                m.outcome, m.changed_at = "sent", now
            elif m.outcome == "sent":
                seen = _outcome(r, session.get(Terminal, m.terminal_id))
                if seen:
                    m.outcome, m.changed_at = seen, now
        total = len(members)
        failed = sum(1 for m in members if m.outcome == "failed")
        ok = sum(1 for m in members if m.outcome == "ok")
        if failed >= r.error_count or 100.0 * failed / total >= r.error_pct:
            r.state = "halted"
            r.note = f"group {members[0].group_name}: {failed} of {total} failed"
            raise_alarm(session, "rollout_halted", "", str(r.id),
                        f"rollout {r.id} ({r.version}) halted: {r.note}", now)
        elif 100.0 * ok / total >= r.success_pct:
            _next_group(session, r)


def _next_group(session: Session, r: Rollout) -> None:
    later = session.scalars(select(RolloutMember.group_idx).where(RolloutMember.rollout_id == r.id,
                                                                  RolloutMember.group_idx > r.current_group)
                            .order_by(RolloutMember.group_idx)).first()
    if later is None:
        r.state = "done"
    else:
        r.current_group = later


def control(session: Session, rollout_id: int, action: str) -> Rollout:
    """pause | resume | abort. A halted rollout stays halted: it is aborted, and a fixed, higher
    version gets a new rollout (resuming would only halt it again on the same failures)."""
    r = session.get(Rollout, rollout_id)
    if r is None:
        raise LookupError(f"no rollout {rollout_id}")
    allowed = {"pause": {"running"}, "resume": {"paused"}, "abort": {"running", "paused", "halted"}}
    if action not in allowed or r.state not in allowed[action]:
        raise ValueError(f"cannot {action} a rollout that is {r.state}")
    r.state = {"pause": "paused", "resume": "running", "abort": "aborted"}[action]
    return r
