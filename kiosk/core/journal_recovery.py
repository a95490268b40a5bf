"""Opening the journal on a terminal where the file may have rotted (a power cut mid-write on a
cheap SD card, a bad sector, a directory someone made in its place).

`open_journal` never raises for a damaged file: it checks the file (open + `PRAGMA quick_check`),
moves a bad one aside with a timestamp (the evidence is kept for the vendor), starts a fresh
journal, carries over the unsent outbox rows it can still read (so no citizen's evaluation is
lost), and records an incident the technician sees. Only when no journal can be written at all
(a read-only or full disk) does it return an in-memory journal with a `problem`: the terminal then
goes honestly out of service instead of serving citizens it cannot record.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.clock import Clock, SystemClock
from kiosk.core.journal import Journal, JournalError

log = logging.getLogger(__name__)

SIDE_FILES = ("-wal", "-shm")


@dataclass
class OpenedJournal:
    journal: Journal
    problem: str | None = None  # a machine code: journal_unwritable, journal_newer_schema...
    moved_aside: Path | None = None
    carried_over: int = 0


def check(path: Path) -> str | None:
    """None when the file at `path` is a healthy SQLite database (or absent), else why not."""
    if not path.exists() and not path.is_symlink():
        return None
    if not path.is_file():
        return "not_a_file"
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
        try:
            rows = db.execute("PRAGMA quick_check").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as e:
        return f"unreadable:{type(e).__name__}"
    if [tuple(r) for r in rows] != [("ok",)]:
        return "quick_check_failed"
    return None


def _readable_unsent(path: Path) -> list[dict]:
    """Unsent outbox rows that can still be read from a damaged file; as many as possible."""
    out: list[dict] = []
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2.0)
    except sqlite3.Error:
        return out
    try:
        cur = db.execute("SELECT kind, idempotency_key, payload FROM outbox WHERE delivered_at IS NULL ORDER BY id")
        while True:
            try:
                row = cur.fetchone()
            except sqlite3.Error:
                break  # the rest of the table sits on a bad page
            if row is None:
                break
            try:
                payload = json.loads(row[2])
            except (TypeError, ValueError):
                continue
            if isinstance(row[0], str) and isinstance(row[1], str) and isinstance(payload, dict):
                out.append({"kind": row[0], "key": row[1], "payload": payload})
    except sqlite3.Error:
        pass
    finally:
        db.close()
    return out


def _move_aside(path: Path, stamp: str) -> Path:
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    os.replace(path, target)  # a directory moves too (same filesystem)
    for suffix in SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            try:
                os.replace(side, target.with_name(target.name + suffix))
            except OSError:
                shutil.rmtree(side, ignore_errors=True) if side.is_dir() else side.unlink(missing_ok=True)
    return target


def open_journal(path: str | os.PathLike[str], clock: Clock | None = None) -> OpenedJournal:
    path = Path(path)
    clock = clock or SystemClock()
    problem = check(path)
    moved: Path | None = None
    rescued: list[dict] = []
    if problem is not None:
        log.error("journal %s is damaged (%s): moving it aside and starting a fresh one", path, problem)
        rescued = _readable_unsent(path) if path.is_file() else []
        try:
            moved = _move_aside(path, clock.now().strftime("%Y%m%dT%H%M%S"))
        except OSError as e:
            log.error("cannot move the damaged journal aside: %s", e.strerror)
            return OpenedJournal(Journal(":memory:", clock), "journal_unwritable")
    try:
        journal = Journal(path, clock)
        if not journal.writable():
            raise sqlite3.OperationalError("not writable")
    except JournalError as e:  # a newer schema: the software was rolled back under it; keep the file
        log.error("%s", e)
        return OpenedJournal(Journal(":memory:", clock), "journal_newer_schema")
    except (sqlite3.Error, OSError) as e:
        log.error("journal %s cannot be opened for writing: %s", path, type(e).__name__)
        return OpenedJournal(Journal(":memory:", clock), "journal_unwritable")
    carried = 0
    if problem is not None:
        for row in rescued:
            journal.outbox_put(row["kind"], row["payload"], row["key"])
            carried += 1
        journal.incident("journal_corrupt", f"{problem};moved={moved.name if moved else '-'};carried={carried}")
    return OpenedJournal(journal, None, moved, carried)
