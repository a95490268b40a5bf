"""The SQLite journal: what happened at this terminal, without who it happened to.

WAL mode, `synchronous=FULL` (a print job journaled as pending must survive a power cut),
schema version in `PRAGMA user_version`, forward-only migrations. No table has a column for
personal data; the privacy tests scan the file to keep it that way.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from kiosk.core.clock import Clock, SystemClock

MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        flow TEXT,
        language TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        outcome TEXT
    );
    CREATE TABLE print_jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT,
        flow TEXT,
        kind TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'done', 'failed', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        detail TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE evaluations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT,
        flow TEXT,
        level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
        reasons TEXT NOT NULL DEFAULT '[]',
        comment TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL DEFAULT 0,
        delivered_at TEXT,
        last_error TEXT
    );
    CREATE INDEX outbox_due ON outbox (delivered_at, next_attempt_at);
    """,
    # 2: incidents (crashes, device faults) for technicians
    """
    CREATE TABLE incidents (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    """,
    # 3: paper used per print job (millimetres fed, cut included), for the paper-left estimate
    """
    ALTER TABLE print_jobs ADD COLUMN paper_mm REAL NOT NULL DEFAULT 0;
    """,
    # 4: outbox.next_attempt_at is wall-clock epoch seconds. Before, it was time.monotonic(),
    # which restarts near 0 at boot: a value stored before a reboot held an item for weeks.
    # Those values mean nothing now, so every unsent item is due at once.
    """
    UPDATE outbox SET next_attempt_at = 0 WHERE delivered_at IS NULL;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
FORGET_AFTER_DELIVERY = ("callback",)  # outbox kinds holding personal data (a phone number)


class JournalError(Exception):
    pass


class Journal:
    def __init__(self, path: str | Path, clock: Clock | None = None) -> None:
        self.path = Path(path)
        self.clock = clock or SystemClock()
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=5.0)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self.migrate()

    # -- schema ---------------------------------------------------------------------------
    @property
    def version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        with self._lock:
            current = self.version
            if current > SCHEMA_VERSION:
                raise JournalError(
                    f"{self.path}: schema version {current} is newer than this software ({SCHEMA_VERSION}); "
                    "roll forward the software or restore the matching release")
            for number in range(current, SCHEMA_VERSION):
                with self._tx() as db:
                    self._apply(db, number)

    def _apply(self, db: sqlite3.Connection, number: int) -> None:
        for statement in MIGRATIONS[number].split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute(f"PRAGMA user_version={number + 1}")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def _ts(self) -> str:
        return self.clock.now().isoformat(timespec="seconds")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def writable(self) -> bool:
        try:
            with self._tx() as db:
                db.execute("CREATE TEMP TABLE IF NOT EXISTS _probe (x)")
            return True
        except sqlite3.Error:
            return False

    # -- sessions -------------------------------------------------------------------------
    def session_started(self, session_id: str, language: str, flow: str | None = None) -> None:
        with self._tx() as db:
            db.execute("INSERT OR IGNORE INTO sessions (id, flow, language, started_at) VALUES (?, ?, ?, ?)",
                       (session_id, flow, language, self._ts()))

    def session_flow(self, session_id: str, flow: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE sessions SET flow = ? WHERE id = ?", (flow, session_id))

    def session_ended(self, session_id: str, outcome: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE sessions SET ended_at = ?, outcome = ? WHERE id = ? AND ended_at IS NULL",
                       (self._ts(), outcome, session_id))

    def close_open_sessions(self, outcome: str = "interrupted") -> int:
        """On start-up: sessions a crash left open are closed, so statistics stay honest."""
        with self._tx() as db:
            return db.execute("UPDATE sessions SET ended_at = ?, outcome = ? WHERE ended_at IS NULL",
                              (self._ts(), outcome)).rowcount

    # -- print jobs -----------------------------------------------------------------------
    def print_job_started(self, session_id: str | None, flow: str | None, kind: str) -> int:
        """Journal the job *before* anything reaches the printer."""
        now = self._ts()
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO print_jobs (session_id, flow, kind, state, created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?)",
                (session_id, flow, kind, now, now))
            return int(cur.lastrowid)

    def print_job_update(self, job_id: int, state: str, detail: str | None = None, paper_mm: float = 0.0) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE print_jobs SET state = ?, detail = ?, updated_at = ?, paper_mm = paper_mm + ?, "
                "attempts = attempts + (CASE WHEN ? = 'sent' THEN 1 ELSE 0 END) WHERE id = ?",
                (state, detail, self._ts(), max(0.0, float(paper_mm)), state, job_id))

    def print_job(self, job_id: int) -> dict[str, Any] | None:
        row = self._db.execute("SELECT * FROM print_jobs WHERE id = ?", (job_id,)).fetchone()
        return dict(row) if row else None

    def unfinished_print_jobs(self) -> list[dict[str, Any]]:
        rows = self._db.execute("SELECT * FROM print_jobs WHERE state IN ('pending', 'sent') ORDER BY id").fetchall()
        return [dict(r) for r in rows]

    # -- paper ----------------------------------------------------------------------------
    def _paper_used_total(self) -> float:
        """Paper of every receipt ever printed here: a counter that only grows (a 'done' job
        is never changed again), whatever the wall clock does."""
        return float(self._db.execute(
            "SELECT COALESCE(SUM(paper_mm), 0) FROM print_jobs WHERE state = 'done'").fetchone()[0])

    def paper_loaded(self, roll_mm: float) -> None:
        """A technician put in a new roll: the estimate counts from here. The counter's value
        at loading is stored with it, so the estimate never depends on timestamps."""
        with self._lock:
            # repr: the exact counter; rounded, a fresh roll showed a few hundredths of a mm used
            self.incident("paper_loaded", f"roll_mm={roll_mm:.0f};used_before={self._paper_used_total()!r}")

    def paper_estimate(self) -> dict[str, float] | None:
        """{"roll_mm", "used_mm", "left_mm"} since the last roll was loaded, or None when no roll
        was ever recorded. An estimate: a receipt cut short by paper out counts nothing, and the
        printer's own near-end sensor stays the truth."""
        row = self._db.execute(
            "SELECT id, detail, created_at FROM incidents WHERE kind = 'paper_loaded' ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            return None
        try:
            fields = dict(part.split("=", 1) for part in str(row["detail"]).split(";"))
            roll = float(fields["roll_mm"])
            before = float(fields["used_before"]) if "used_before" in fields else None
        except (KeyError, ValueError):
            return None
        if before is not None:
            used = max(0.0, self._paper_used_total() - before)
        else:
            # A roll recorded before the counter was stored: compare times as times (parsed),
            # never ISO strings as text (a zone offset or a clock moved back broke that).
            loaded = _parse_or_none(row["created_at"])
            used = sum(float(r["paper_mm"]) for r in self._db.execute(
                "SELECT paper_mm, updated_at FROM print_jobs WHERE state = 'done'").fetchall()
                if loaded is None or ((t := _parse_or_none(r["updated_at"])) is not None and _after(t, loaded)))
        return {"roll_mm": roll, "used_mm": used, "left_mm": max(0.0, roll - used)}

    # -- evaluations ----------------------------------------------------------------------
    def evaluation(self, session_id: str | None, flow: str | None, level: int, reasons: list[str], comment: str = "") -> int:
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO evaluations (session_id, flow, level, reasons, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (session_id, flow, level, json.dumps(reasons, ensure_ascii=False), comment, self._ts()))
            return int(cur.lastrowid)

    # -- incidents ------------------------------------------------------------------------
    def incident(self, kind: str, detail: str) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO incidents (kind, detail, created_at) VALUES (?, ?, ?)", (kind, detail, self._ts()))

    # -- outbox ---------------------------------------------------------------------------
    def outbox_put(self, kind: str, payload: dict[str, Any], idempotency_key: str | None = None) -> str:
        """Queue a submission for the platform. The key makes a re-send harmless."""
        key = idempotency_key or str(uuid.uuid4())
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO outbox (kind, idempotency_key, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, 0)",
                (kind, key, json.dumps(payload, ensure_ascii=False, sort_keys=True), self._ts()))
        return key

    def outbox_due(self, now_wall: float, limit: int = 20, max_wait_s: float | None = None) -> list[dict[str, Any]]:
        """Items due at `now_wall` (epoch seconds). With `max_wait_s`, an item whose next attempt
        lies further ahead than that is due too: the wall clock was moved back after it was
        parked, and no backoff may last longer than its maximum whatever the clock did."""
        horizon = now_wall + max_wait_s if max_wait_s is not None else float("inf")
        rows = self._db.execute(
            "SELECT * FROM outbox WHERE delivered_at IS NULL AND (next_attempt_at <= ? OR next_attempt_at > ?) "
            "ORDER BY id LIMIT ?", (now_wall, horizon, limit)).fetchall()
        return [dict(r) | {"payload": json.loads(r["payload"])} for r in rows]

    def outbox_delivered(self, item_id: int) -> None:
        with self._tx() as db:
            # A delivered callback's phone number has done its job: it is not kept on the kiosk.
            db.execute("UPDATE outbox SET delivered_at = ?, last_error = NULL, payload = CASE WHEN kind IN "
                       f"({', '.join(repr(k) for k in FORGET_AFTER_DELIVERY)}) THEN '{{}}' ELSE payload END "
                       "WHERE id = ?", (self._ts(), item_id))

    def outbox_failed(self, item_id: int, error: str, next_attempt_at: float) -> None:
        with self._tx() as db:
            db.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                       (error[:500], next_attempt_at, item_id))

    def outbox_pending_count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0])

    # -- statistics -----------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        q = lambda sql: self._db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "schema_version": self.version,
            "sessions": q("SELECT COUNT(*) FROM sessions"),
            "print_jobs": q("SELECT COUNT(*) FROM print_jobs"),
            "print_jobs_unfinished": q("SELECT COUNT(*) FROM print_jobs WHERE state IN ('pending','sent')"),
            "evaluations": q("SELECT COUNT(*) FROM evaluations"),
            "outbox_pending": q("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL"),
            "incidents": q("SELECT COUNT(*) FROM incidents"),
        }

    def rows(self, table: str) -> list[dict[str, Any]]:
        if table not in {"sessions", "print_jobs", "evaluations", "outbox", "incidents"}:
            raise ValueError(table)
        return [dict(r) for r in self._db.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()]


def parse_ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _parse_or_none(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _after(t: datetime, ref: datetime) -> bool:
    """t >= ref; naive and aware stamps (older rows) are compared as local times."""
    if (t.tzinfo is None) != (ref.tzinfo is None):
        t, ref = t.replace(tzinfo=None), ref.replace(tzinfo=None)
    return t >= ref
