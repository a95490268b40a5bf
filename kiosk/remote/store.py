"""The at-most-once record of command ids, in a small SQLite file.

A command id is written (synchronous=FULL) before the handler runs and before the broker gets
its PUBACK. So a redelivery after a crash, a broker retry, or an operator re-sending the same id
finds the row and is answered from it instead of running again. Rows are kept until the command
would have expired anyway (a stale copy is refused by its expiry), plus a margin for skewed clocks.

The store prunes itself: every PRUNE_EVERY new ids, and whenever it holds more than `max_rows`,
when the oldest rows go even before their time (a flood of commands must not fill the disk; the
price is that a very old id could run again, which its expiry refuses anyway in all but a flood).
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    id TEXT PRIMARY KEY,
    cmd TEXT,
    received_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    status TEXT NOT NULL,          -- running | ok | error | refused
    ack TEXT                       -- the ack sent, JSON
)
"""
CREATE_INDEX = "CREATE INDEX IF NOT EXISTS seen_expires ON seen (expires_at)"
KEEP_AFTER_EXPIRY_S = 24 * 3600.0
MAX_ROWS = 10_000
PRUNE_EVERY = 100


@dataclass(frozen=True)
class Seen:
    id: str
    cmd: str | None
    status: str
    ack: dict[str, Any] | None


class CommandStore:
    def __init__(self, path: str | Path, *, max_rows: int = MAX_ROWS, prune_every: int = PRUNE_EVERY) -> None:
        self.path = Path(path)
        self.max_rows, self.prune_every = max_rows, prune_every
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # One connection shared by the network thread and the handler thread, under a lock.
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=5.0)
        # WAL + FULL: one fsync per commit, and the claim is on disk before the PUBACK goes out.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(_SCHEMA)
        self._db.execute(CREATE_INDEX)
        self._rows = self._count_locked()
        self._new_since_prune = 0

    def claim(self, command_id: str, cmd: str | None, expires_at: float, now: float | None = None) -> Seen | None:
        """Record the id. Returns None if it is new (the caller may run it), else the earlier row."""
        t = time.time() if now is None else now
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO seen (id, cmd, received_at, expires_at, status) VALUES (?, ?, ?, ?, 'running')",
                (command_id, cmd, t, expires_at))
            if cur.rowcount == 1:
                self._rows += 1
                self._new_since_prune += 1
                if self._new_since_prune >= self.prune_every or self._rows > self.max_rows:
                    self._prune_locked(t, keep=command_id)
                return None
            row = self._db.execute("SELECT id, cmd, status, ack FROM seen WHERE id = ?", (command_id,)).fetchone()
        ack = json.loads(row[3]) if row[3] else None
        return Seen(row[0], row[1], row[2], ack)

    def finish(self, command_id: str, status: str, ack: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute("UPDATE seen SET status = ?, ack = ? WHERE id = ?",
                             (status, json.dumps(ack, default=str), command_id))

    def prune(self, now: float | None = None) -> int:
        """Drop rows past their expiry (plus the margin), then the oldest beyond max_rows."""
        t = time.time() if now is None else now
        with self._lock:
            return self._prune_locked(t)

    def _prune_locked(self, now: float, keep: str | None = None) -> int:
        dropped = self._db.execute("DELETE FROM seen WHERE expires_at < ?", (now - KEEP_AFTER_EXPIRY_S,)).rowcount
        self._rows = self._count_locked()
        if self._rows > self.max_rows:
            # Down to 90 %, so a flood does not prune on every new id.
            excess = self._rows - self.max_rows * 9 // 10
            dropped += self._db.execute(
                "DELETE FROM seen WHERE id IN (SELECT id FROM seen WHERE id != ? ORDER BY received_at LIMIT ?)",
                (keep or "", excess)).rowcount
            self._rows = self._count_locked()
        self._new_since_prune = 0
        return dropped

    def _count_locked(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM seen").fetchone()[0])

    def count(self) -> int:
        with self._lock:
            return self._count_locked()

    def close(self) -> None:
        with self._lock:
            self._db.close()
