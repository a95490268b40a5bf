"""Fixtures for the console: a clock the tests move, a database (SQLite file, or a throw-away
PostgreSQL cluster started here with initdb/pg_ctl on a unix socket, run as an unprivileged user),
a console whose MQTT publisher is recorded, logged-in clients per role."""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import warnings  # noqa: E402

pytest.importorskip("starlette", reason="the console extra is not installed (pip install -r requirements.lock)")
with warnings.catch_warnings():
    # Starlette 1.x suggests httpx2 for its TestClient; httpx still works and is what the lock pins.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from kiosk_fleet.console.app import COOKIE, Console, build_app  # noqa: E402
from kiosk_fleet.console.auth import add_user  # noqa: E402
from kiosk_fleet.console.db import Base, make_engine, migrate  # noqa: E402


PG_BIN = Path(os.environ.get("KIOSK_PG_BIN", "/usr/lib/postgresql/15/bin"))
PASSWORD = "correct horse battery"


class Clock:
    def __init__(self, t: float = 1_790_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, s: float) -> None:
        self.t += s


def _pg_user() -> tuple[list[str], int, int]:
    """initdb and postgres refuse root: run them as `nobody` (via runuser) when we are root."""
    if os.geteuid() != 0:
        return [], os.getuid(), os.getgid()
    if not shutil.which("runuser"):
        pytest.skip("running as root and runuser is missing: cannot start PostgreSQL unprivileged")
    pw = pwd.getpwnam("nobody")
    return ["runuser", "-u", "nobody", "--"], pw.pw_uid, pw.pw_gid


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL is not installed ({PG_BIN}/initdb; Debian package postgresql)")
    pytest.importorskip("psycopg", reason="psycopg is not installed")
    prefix, uid, gid = _pg_user()
    top = Path(tempfile.mkdtemp(prefix="kiosk-console-pg-"))
    data, sock = top / "data", top / "sock"
    sock.mkdir()
    os.chown(top, uid, gid)
    os.chown(sock, uid, gid)
    run = lambda *cmd: subprocess.run([*prefix, *cmd], check=True, capture_output=True, timeout=60)  # noqa: E731
    try:
        run(str(PG_BIN / "initdb"), "-D", str(data), "-U", "console", "-A", "trust", "--no-sync", "-E", "UTF8")
        run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-t", "30", "-l", str(top / "pg.log"), "-o",
            f"-k {sock} -c listen_addresses='' -c fsync=off -c full_page_writes=off", "start")
    except subprocess.CalledProcessError as e:
        shutil.rmtree(top, ignore_errors=True)
        pytest.skip(f"could not start a throw-away PostgreSQL: {e.stderr.decode(errors='replace')[-300:]}")
    try:
        yield f"postgresql+psycopg://console@/postgres?host={sock}"
    finally:
        subprocess.run([*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(top, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'console.sqlite3'}"
        return
    url = request.getfixturevalue("pg_url")
    yield url
    engine = make_engine(url)  # a clean schema for the next test
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def console(db_url: str, clock: Clock) -> Iterator[Console]:
    engine = make_engine(db_url)
    migrate(engine)
    sent: list[tuple[str, dict[str, Any]]] = []
    c = Console(engine, publish=lambda t, env: sent.append((t, env)), wall=clock)
    c.sent = sent  # type: ignore[attr-defined]
    with c.factory.begin() as db:
        for name, role in (("vera", "viewer"), ("otto", "operator"), ("ada", "admin")):
            add_user(db, name, PASSWORD, role, clock())
    yield c
    engine.dispose()


def login(console: Console, user: str) -> TestClient:
    client = TestClient(build_app(console), follow_redirects=False)
    r = client.post("/login", data={"user": user, "password": PASSWORD})
    assert r.status_code == 303 and COOKIE in r.cookies, r.text
    return client


def csrf_of(client: TestClient) -> str:
    import re

    page = client.get("/").text
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
