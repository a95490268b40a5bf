"""bench/console.py's database side: a throw-away PostgreSQL, province-shaped terminal ids, and a
month of telemetry history inserted in bulk the way the roll-up design leaves it."""
from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

PG_BIN = Path(os.environ.get("KIOSK_PG_BIN", "/usr/lib/postgresql/15/bin"))
DAY, HOUR = 86400, 3600


@contextmanager
def throwaway_pg() -> Iterator[str]:
    """initdb + pg_ctl on a unix socket in a temporary directory; postgres refuses root, so
    `nobody` runs it (the directory is its own, not under a 0700 one)."""
    top = Path(tempfile.mkdtemp(prefix="kiosk-bench-pg-"))
    prefix: list[str] = []
    uid, gid = os.getuid(), os.getgid()
    if os.geteuid() == 0:
        pw = pwd.getpwnam("nobody")
        prefix, uid, gid = ["runuser", "-u", "nobody", "--"], pw.pw_uid, pw.pw_gid
    data, sock = top / "pg", top / "sock"
    sock.mkdir()
    for p in (top, sock):
        os.chown(p, uid, gid)
    run = lambda *c: subprocess.run([*prefix, *c], check=True, capture_output=True, timeout=120)  # noqa: E731
    run(str(PG_BIN / "initdb"), "-D", str(data), "-U", "console", "-A", "trust", "--no-sync", "-E", "UTF8")
    # Durability off: a bench database. shared_buffers sized for a month of a 5,000-terminal fleet's
    # history indexes; everything else is Debian's default.
    run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-t", "60", "-l", str(top / "pg.log"), "-o",
        f"-k {sock} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        "-c shared_buffers=512MB -c max_wal_size=4GB", "start")
    try:
        yield f"postgresql+psycopg://console@/postgres?host={sock}"
    finally:
        subprocess.run([*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(top, ignore_errors=True)


def terminal_ids(n: int) -> list[str]:
    """Province-shaped ids: 10 prefectures x 10 counties, ~n/100 terminals per hall."""
    return [f"p{i % 10:02d}-c{(i // 10) % 10:02d}-{i // 100:04d}" for i in range(n)]


def insert_history(engine, ids: list[str], now: float, raw_interval: int, raw_days: float = 2,
                   month_days: int = 30) -> dict:
    """A month of one fleet's telemetry, generated inside PostgreSQL (generate_series): raw rows for
    the last raw_days, hourly roll-ups before that (what the hourly roll-up job leaves behind)."""
    raw_cut = (now - raw_days * DAY) // HOUR * HOUR
    start = raw_cut - (month_days - raw_days) * DAY
    t0 = time.monotonic()
    with engine.begin() as c:
        c.execute(text("INSERT INTO terminals (id, prefecture, county, hall, state, state_since, state_reason, "
                       "last_seen, version, update_state, paper_level, maintenance, faults, telemetry_ts, telemetry) "
                       "SELECT id, split_part(id, '-', 1), split_part(id, '-', 2), "
                       "split_part(id, '-', 1) || '-' || split_part(id, '-', 2), 'unknown', 0, '', 0, '1.4.2', "
                       "'committed', 'ok', false, 0, 0, '{}' FROM unnest(CAST(:ids AS text[])) AS id"), {"ids": ids})
        c.execute(text("INSERT INTO telemetry_rollup (terminal_id, period_s, start, samples, paper_pct_min, faults_max) "
                       "SELECT t, 3600, :start + h * 3600, 60, 80 - (h % 50), (h % 97 = 0)::int "
                       "FROM unnest(CAST(:ids AS text[])) AS t, generate_series(0, :hours - 1) AS h"),
                  {"ids": ids, "start": start, "hours": int((raw_cut - start) // HOUR)})
        c.execute(text("INSERT INTO telemetry_raw (terminal_id, ts, seq, paper_pct, faults, payload) "
                       "SELECT t, :cut + k * :step, k, 80 - (k % 50), 0, CAST(:payload AS json) "
                       "FROM unnest(CAST(:ids AS text[])) AS t, generate_series(0, :samples - 1) AS k"),
                  {"ids": ids, "cut": raw_cut, "step": raw_interval, "samples": int((now - raw_cut) // raw_interval),
                   "payload": json.dumps({"versions": {"app": "1.4.2"}, "update": {"state": "committed"},
                                          "paper": {"level": "ok", "remaining_pct": 80},
                                          "devices": {"printer": {"status": "ok"}, "idcard": {"status": "ok"}}})})
    with engine.begin() as c:
        c.exec_driver_sql("ANALYZE")
        raw = c.execute(text("SELECT count(*) FROM telemetry_raw")).scalar()
        hourly = c.execute(text("SELECT count(*) FROM telemetry_rollup")).scalar()
        size = c.execute(text("SELECT pg_database_size(current_database())")).scalar()
    return {"raw_rows": raw, "hourly_rows": hourly, "db_mb": round(size / 2**20), "seconds": round(time.monotonic() - t0, 1)}


