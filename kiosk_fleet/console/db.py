"""The console's database: SQLAlchemy 2 models, the engine, Alembic migrations, upserts.

SQLite (a file, WAL) is the embedded default for a small province or a demo; PostgreSQL for a
deployment. The same models and migrations run on both; dialect differences are confined to
`upsert()`. Times are Unix epoch seconds (floats) everywhere, like the MQTT protocol.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import (JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, create_engine, event,
                        insert)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker


class Base(DeclarativeBase):
    pass


class Terminal(Base):
    __tablename__ = "terminals"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Derived from the id "<prefecture>-<county>-<seq>" unless the inventory says otherwise.
    prefecture: Mapped[str] = mapped_column(String(64), default="", index=True)
    county: Mapped[str] = mapped_column(String(64), default="", index=True)
    hall: Mapped[str] = mapped_column(String(128), default="", index=True)
    state: Mapped[str] = mapped_column(String(16), default="unknown", index=True)  # online/offline/unknown
    state_since: Mapped[float] = mapped_column(Float, default=0.0)
    state_reason: Mapped[str] = mapped_column(String(64), default="")
    last_seen: Mapped[float] = mapped_column(Float, default=0.0)
    version: Mapped[str] = mapped_column(String(32), default="")
    update_state: Mapped[str] = mapped_column(String(32), default="")
    paper_level: Mapped[str] = mapped_column(String(16), default="")
    paper_pct: Mapped[float | None] = mapped_column(Float, nullable=True)
    maintenance: Mapped[bool] = mapped_column(Boolean, default=False)
    faults: Mapped[int] = mapped_column(Integer, default=0)
    telemetry_ts: Mapped[float] = mapped_column(Float, default=0.0)
    telemetry: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # journal.outbox_pending: records the platform has not received yet; since when that backlog
    # has neither emptied nor shrunk (the "outbox growing" alarm).
    outbox_pending: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    outbox_since: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")


class Device(Base):
    __tablename__ = "devices"
    terminal_id: Mapped[str] = mapped_column(String(64), ForeignKey("terminals.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    state: Mapped[str] = mapped_column(String(32), default="")
    reason: Mapped[str] = mapped_column(String(120), default="")
    since: Mapped[float] = mapped_column(Float, default=0.0)  # when `state` last changed


class TelemetryRaw(Base):
    """Every sample, kept `raw_days`; then folded into TelemetryRollup and deleted."""
    __tablename__ = "telemetry_raw"
    terminal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    ts: Mapped[float] = mapped_column(Float, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)  # (terminal, ts, seq): a redelivery is a no-op
    paper_pct: Mapped[float | None] = mapped_column(Float, nullable=True)
    faults: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    __table_args__ = (Index("ix_telemetry_raw_ts", "ts"),)


class TelemetryRollup(Base):
    """One row per terminal per period (3600 s hourly; 86400 s daily after `hourly_days`)."""
    __tablename__ = "telemetry_rollup"
    terminal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    period_s: Mapped[int] = mapped_column(Integer, primary_key=True)
    start: Mapped[float] = mapped_column(Float, primary_key=True)
    samples: Mapped[int] = mapped_column(Integer, default=0)
    paper_pct_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    faults_max: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (Index("ix_telemetry_rollup_start", "period_s", "start"),)


class CommandRow(Base):
    __tablename__ = "commands"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64), index=True)
    cmd: Mapped[str] = mapped_column(String(40))
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    issued_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    issued_by: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="sent")  # sent/ok/error/refused/duplicate
    reason: Mapped[str] = mapped_column(String(300), default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    acked_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class Alarm(Base):
    __tablename__ = "alarms"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)  # offline/device_fault/paper_low/update_failed/rollout_halted
    terminal_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    subject: Mapped[str] = mapped_column(String(64), default="")  # device name, rollout id
    detail: Mapped[str] = mapped_column(String(300), default="")
    raised_at: Mapped[float] = mapped_column(Float)
    cleared_at: Mapped[float | None] = mapped_column(Float, nullable=True, index=True)
    acked_by: Mapped[str] = mapped_column(String(64), default="")
    acked_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    note: Mapped[str] = mapped_column(String(500), default="")


class Rollout(Base):
    __tablename__ = "rollouts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="running")  # running/paused/halted/aborted/done
    current_group: Mapped[int] = mapped_column(Integer, default=0)
    success_pct: Mapped[float] = mapped_column(Float, default=90.0)
    error_pct: Mapped[float] = mapped_column(Float, default=10.0)
    error_count: Mapped[int] = mapped_column(Integer, default=3)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(String(300), default="")
    # The rules, kept so the console can sign admissions (kiosk_fleet/console/gate.py):
    # [{"group": name, "halls": [...]} | {"group": name, "percent": N}], in order.
    groups: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    prefix: Mapped[str] = mapped_column(String(64), default="", server_default="")


class RolloutMember(Base):
    __tablename__ = "rollout_members"
    rollout_id: Mapped[int] = mapped_column(Integer, ForeignKey("rollouts.id"), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    group_idx: Mapped[int] = mapped_column(Integer, index=True)
    group_name: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16), default="waiting")  # waiting/sent/ok/failed
    changed_at: Mapped[float] = mapped_column(Float, default=0.0)


class User(Base):
    __tablename__ = "users"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    pw_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))  # viewer/operator/admin
    created_at: Mapped[float] = mapped_column(Float)


class WebSession(Base):
    __tablename__ = "web_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie value
    user: Mapped[str] = mapped_column(String(64), ForeignKey("users.name"))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float)
    last_used: Mapped[float] = mapped_column(Float)


class Audit(Base):
    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[float] = mapped_column(Float, index=True)
    user: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(128), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


# -- engine and migrations -----------------------------------------------------------------------
MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            # WAL: the pages read while the ingest writes.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent; run at every start)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def upsert(session: Session, model: type[Base], rows: Sequence[dict[str, Any]], keys: Iterable[str],
           update: Iterable[str] | None = None) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET update (or DO NOTHING): idempotent ingest on
    SQLite and PostgreSQL alike."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # pragma: no cover - the console supports these two
        raise RuntimeError(f"unsupported database {dialect}")
    # The table, not the ORM entity, and the rows as executemany parameters: one cached
    # statement whatever the row count (SQLAlchemy's insertmanyvalues sends them in batches of
    # up to 1,000 per round trip), where .values(rows) compiled a new 500-row statement each time.
    stmt = dialect_insert(model.__table__)
    cols = list(update or [])
    if cols:
        stmt = stmt.on_conflict_do_update(index_elements=list(keys),
                                          set_={c: getattr(stmt.excluded, c) for c in cols})
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    session.execute(stmt, list(rows))


__all__ = ["Alarm", "Audit", "Base", "CommandRow", "Device", "Rollout", "RolloutMember", "Terminal",
           "TelemetryRaw", "TelemetryRollup", "User", "WebSession", "insert", "make_engine", "migrate",
           "sessions", "upsert"]
