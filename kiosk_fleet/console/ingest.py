"""Ingest: the terminals' MQTT topics into the console's database.

Several console processes (or several workers in one) share the load with an MQTT 5 shared
subscription: `$share/console/kiosk/+/telemetry` and `.../ack` deliver each message to ONE member
of the group (mosquitto 2, EMQX, VerneMQ, HiveMQ). Retained messages are never delivered to a
shared subscription (MQTT 5, 4.8.2), so the status topic, which is retained and rare, is
subscribed plainly by every worker: each gets the snapshot on connect and every change; the
upsert makes the copies harmless.

Every write is idempotent: a raw sample is keyed (terminal, ts, seq); a terminal's current state
only moves forward in the sample's own time (an outbox replayed after a reconnect does not
overwrite newer state); an ack fills its command row once (a later `duplicate` ack never hides
the first result).

Back-pressure: paho's network thread puts messages on a bounded queue; a writer thread commits
them in batches. When the database falls behind, the queue fills, the network thread blocks, the
socket stops being read, and the broker holds (or routes to another group member) the rest.
"""
from __future__ import annotations

import collections
import json
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import paho.mqtt.client as mqtt
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.remote import protocol
from kiosk.remote.mqtt import BrokerSettings, new_client, set_nodelay
from kiosk_fleet.console.db import CommandRow, Device, TelemetryRaw, Terminal, upsert

log = logging.getLogger(__name__)

SHARE_GROUP = "console"
FAULT_STATES = frozenset({"fault", "error", "failed", "offline", "missing", "unavailable"})
DEGRADED_STATES = FAULT_STATES | {"degraded", "warning"}
PAPER_LOW_PCT = 15.0
Message = tuple[str, bytes, float]  # topic, payload, received (wall clock)


def place_of(terminal_id: str) -> dict[str, str]:
    """'ganzi-luhuo-0003' -> prefecture ganzi, county luhuo, hall ganzi-luhuo (the id without its
    sequence number). An inventory import may set better names later."""
    parts = terminal_id.split("-")
    hall = "-".join(parts[:-1]) if len(parts) > 1 else terminal_id
    return {"prefecture": parts[0], "county": parts[1] if len(parts) > 2 else "", "hall": hall}


def _decode(payload: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(payload.decode("utf-8")) if payload else None
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _device_rows(data: dict[str, Any]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    devices = data.get("devices")
    if isinstance(devices, dict):
        for name, d in list(devices.items())[:32]:
            if isinstance(d, dict):
                state = d.get("state", d.get("status", ""))
                out[str(name)[:40]] = (str(state or "")[:32], str(d.get("reason") or "")[:120])
    return out


STATE_COLS = ("state", "state_since", "state_reason", "last_seen", "version", "update_state", "paper_level",
              "paper_pct", "maintenance", "faults", "telemetry_ts", "telemetry", "outbox_pending", "outbox_since")
State = dict[str, Any]  # a terminal's row (STATE_COLS), folded in memory over a batch


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def fold_status(term: State, data: dict[str, Any], received: float) -> None:
    state = data.get("state")
    if state not in ("online", "offline"):
        return
    since = _num(data.get("since"))
    since = received if since is None else since
    if term["state"] != state:
        term["state"], term["state_since"] = state, since
    term["state_reason"] = str(data.get("reason") or "")[:64]
    if isinstance(data.get("version"), str):
        term["version"] = data["version"][:32]
    term["last_seen"] = max(term["last_seen"], received)


def fold_telemetry(term: State, devices: dict[str, dict[str, Any]], terminal_id: str, data: dict[str, Any],
                   received: float) -> dict[str, Any]:
    """Fold one sample into the terminal's state and its devices (name -> row, changed ones get
    "dirty"); returns the raw history row."""
    ts = _num(data.get("ts"))
    ts = received if ts is None else ts
    seq = data.get("seq") if isinstance(data.get("seq"), int) and not isinstance(data.get("seq"), bool) else 0
    # What a terminal sent was scrubbed there; scrub again here: the console trusts no terminal.
    clean, _dropped = protocol.scrub_telemetry({k: v for k, v in data.items() if k in protocol.TELEMETRY_KEYS})
    rows = _device_rows(clean)
    faults = sum(1 for s, _r in rows.values() if s in FAULT_STATES)
    paper = clean.get("paper") if isinstance(clean.get("paper"), dict) else {}
    pct = _num(paper.get("remaining_pct"))
    raw = {"terminal_id": terminal_id, "ts": ts, "seq": seq, "paper_pct": pct, "faults": faults, "payload": clean}
    term["last_seen"] = max(term["last_seen"], received)
    if ts < term["telemetry_ts"]:
        return raw  # an older sample (outbox replay): history only
    term.update(telemetry_ts=ts, telemetry=clean, faults=faults, paper_pct=pct,
                paper_level=str(paper.get("level") or "")[:16], maintenance=bool(clean.get("maintenance")))
    versions = clean.get("versions") if isinstance(clean.get("versions"), dict) else {}
    if isinstance(versions.get("app"), str):
        term["version"] = versions["app"][:32]
    update = clean.get("update") if isinstance(clean.get("update"), dict) else {}
    term["update_state"] = str(update.get("state") or "")[:32]
    journal = clean.get("journal") if isinstance(clean.get("journal"), dict) else {}
    pending = journal.get("outbox_pending")
    if isinstance(pending, int) and not isinstance(pending, bool) and pending >= 0:
        if pending == 0 or pending < term["outbox_pending"] or term["outbox_pending"] == 0:
            term["outbox_since"] = ts  # empty, draining, or a backlog just starting: the clock restarts
        term["outbox_pending"] = pending
    for name, (state, reason) in rows.items():
        dev = devices.get(name)
        if dev is None:
            devices[name] = {"terminal_id": terminal_id, "name": name, "state": state, "reason": reason,
                             "since": ts, "dirty": True}
        elif dev["state"] != state:
            dev.update(state=state, reason=reason, since=ts, dirty=True)
        elif dev["reason"] != reason:
            dev.update(reason=reason, dirty=True)
    return raw


def apply_ack(session: Session, terminal_id: str, data: dict[str, Any], received: float) -> None:
    cid = data.get("id")
    if not isinstance(cid, str) or len(cid) > 64:
        return
    status = str(data.get("status") or "")[:16]
    row = session.get(CommandRow, cid)
    if row is None:  # sent by the command-line tool or another console: record it anyway
        upsert(session, CommandRow, [{"id": cid, "terminal_id": terminal_id, "cmd": str(data.get("cmd") or "")[:40],
                                      "args": {}, "issued_at": received, "expires_at": received,
                                      "issued_by": "(elsewhere)", "status": "sent"}], ["id"])
        row = session.get(CommandRow, cid)
        assert row is not None
    if row.terminal_id != terminal_id or (row.acked_at is not None and status == "duplicate"):
        return  # an ack on another terminal's topic for this id, or a repeat: the first answer stands
    if row.acked_at is not None and row.status != "duplicate":
        return
    row.status, row.reason = status, str(data.get("reason") or "")[:300]
    result = data.get("result")
    row.result = result if isinstance(result, dict) else None
    row.acked_at = received


LEAVES = frozenset({"status", "telemetry", "ack"})
_T, _D = Terminal.__table__, Device.__table__
# One statement for every changed terminal of a batch (executemany: psycopg pipelines it).
_UPDATE_TERMINAL = (update(_T).where(_T.c.id == bindparam("_id"))
                    .values({c: bindparam(c, type_=_T.c[c].type) for c in STATE_COLS}))


def _lock_states(session: Session, ids: list[str]) -> dict[str, State]:
    # FOR UPDATE in id order: two workers whose batches share terminals (every worker takes
    # every status) lock them in the same order, so they wait for each other instead of
    # deadlocking mid-batch (the bench hit that with 2 workers and 5,000 terminals).
    q = select(_T.c.id, *(_T.c[c] for c in STATE_COLS)).where(_T.c.id.in_(ids)).order_by(_T.c.id).with_for_update()
    return {r.id: {c: r._mapping[c] for c in STATE_COLS} for r in session.execute(q)}


def apply_messages(session: Session, messages: Iterable[Message]) -> int:
    """Apply a batch in arrival order; returns how many were understood.

    Set-wise, in a constant number of statements per batch whatever its size: the batch's
    terminals are read (and locked) in one SELECT, new ones created in one INSERT, their devices
    read in one SELECT; the samples and statuses are folded onto those rows in memory, in arrival
    order; then one UPDATE (executemany) for the terminals that changed, one upsert for the
    devices that changed and one INSERT for the raw samples. Before this the ORM wrote a
    terminal's devices one at a time: the bench's burst of 5,000 drained at ~300 samples/s."""
    parsed: list[tuple[str, str, dict[str, Any], float]] = []
    for topic_name, payload, received in messages:
        terminal_id = protocol.terminal_of(topic_name)
        leaf = topic_name.rsplit("/", 1)[-1]
        data = _decode(payload)
        if terminal_id is None or data is None or leaf not in LEAVES:
            continue
        try:
            protocol.check_terminal_id(terminal_id)
        except ValueError:
            continue
        parsed.append((leaf, terminal_id, data, received))
    ids = sorted({tid for leaf, tid, _d, _r in parsed if leaf != "ack"})
    states: dict[str, State] = {}
    devices_of: dict[str, dict[str, dict[str, Any]]] = {}
    if ids:
        states = _lock_states(session, ids)
        missing = [i for i in ids if i not in states]
        if missing:
            # ON CONFLICT DO NOTHING: another worker may create the same terminal at the same moment.
            upsert(session, Terminal, [{"id": i, **place_of(i), "telemetry": {}} for i in missing], ["id"])
            states.update(_lock_states(session, missing))
        for r in session.execute(select(_D).where(_D.c.terminal_id.in_(ids))):
            devices_of.setdefault(r.terminal_id, {})[r.name] = {**r._mapping, "dirty": False}
    before = {i: dict(s) for i, s in states.items()}
    raw_rows: list[dict[str, Any]] = []
    for leaf, terminal_id, data, received in parsed:
        if leaf == "telemetry":
            raw_rows.append(fold_telemetry(states[terminal_id], devices_of.setdefault(terminal_id, {}),
                                           terminal_id, data, received))
        elif leaf == "status":
            fold_status(states[terminal_id], data, received)
        else:
            apply_ack(session, terminal_id, data, received)
    changed = [{"_id": i, **s} for i, s in states.items() if s != before[i]]
    if changed:
        session.execute(_UPDATE_TERMINAL, changed)
    dirty = [{k: v for k, v in d.items() if k != "dirty"} for devs in devices_of.values() for d in devs.values()
             if d["dirty"]]
    upsert(session, Device, dirty, ["terminal_id", "name"], ["state", "reason", "since"])
    # DO NOTHING: a redelivered sample (same terminal, ts, seq) is skipped, within the batch too.
    upsert(session, TelemetryRaw, raw_rows, ["terminal_id", "ts", "seq"])
    return len(parsed)


class Ingest:
    """One ingest worker: an MQTT client in the shared group, a bounded queue, a writer thread.
    It also publishes the console's commands (the operator ACL allows kiosk/+/cmd)."""

    def __init__(self, settings: BrokerSettings, factory: sessionmaker[Session], *, queue_max: int = 10000,
                 batch_max: int = 500, wall: Callable[[], float] = time.time, name: str | None = None) -> None:
        self.settings, self.factory, self.wall, self.batch_max = settings, factory, wall, batch_max
        self.client = new_client(name or f"console-{uuid.uuid4().hex[:10]}", settings)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.queue: queue.Queue[Message | None] = queue.Queue(maxsize=queue_max)
        self.lags: collections.deque[float] = collections.deque(maxlen=5000)  # sample ts -> committed
        self.stats = {"received": 0, "applied": 0, "batches": 0, "errors": 0}
        self.connected = threading.Event()
        self.listeners: list[Callable[[], None]] = []  # called after each committed batch
        self._writer = threading.Thread(target=self._write_forever, name="console-ingest", daemon=True)

    def start(self) -> Ingest:
        self._writer.start()
        self.client.connect_async(self.settings.host, self.settings.port, self.settings.keepalive_s, clean_start=True)
        self.client.loop_start()
        return self

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        self.queue.put(None)
        self._writer.join(10)

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason_code: Any, _p: Any) -> None:
        if reason_code.is_failure:
            log.warning("console ingest: broker refused: %s", reason_code)
            return
        set_nodelay(client)
        client.subscribe([(f"$share/{SHARE_GROUP}/{protocol.topic('+', 'telemetry')}", 1),
                          (f"$share/{SHARE_GROUP}/{protocol.topic('+', 'ack')}", 1),
                          (protocol.topic("+", "status"), 1)])
        self.connected.set()

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        self.stats["received"] += 1
        self.queue.put((msg.topic, bytes(msg.payload), self.wall()))  # blocks when full: back-pressure

    def publish_command(self, terminal_id: str, envelope: dict[str, Any]) -> None:
        info = self.client.publish(protocol.topic(terminal_id, "cmd"), json.dumps(envelope), qos=1)
        if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
            raise ConnectionError(mqtt.error_string(info.rc))

    def _write_forever(self) -> None:
        while True:
            first = self.queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.batch_max:
                try:
                    item = self.queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self.queue.put(None)
                    break
                batch.append(item)
            try:
                self._apply_with_retry(batch)
                self.stats["batches"] += 1
                now = self.wall()
                for t, payload, _r in batch:
                    if t.endswith("/telemetry"):
                        ts = (_decode(payload) or {}).get("ts")
                        if isinstance(ts, (int, float)):
                            self.lags.append(max(0.0, now - float(ts)))
            except Exception:  # noqa: BLE001 - one bad batch must not stop the ingest
                self.stats["errors"] += 1
                log.exception("console ingest: batch of %d failed", len(batch))
            for fn in self.listeners:
                fn()

    def _apply_with_retry(self, batch: list[Message], attempts: int = 3) -> None:
        """A deadlock or serialization failure (another worker, a new terminal inserted by both)
        rolls the whole batch back: apply it again rather than lose it (the writes are idempotent)."""
        for attempt in range(attempts):
            try:
                with self.factory.begin() as session:
                    self.stats["applied"] += apply_messages(session, batch)
                return
            except OperationalError as e:
                if attempt == attempts - 1 or getattr(e.orig, "sqlstate", "") not in ("40P01", "40001"):
                    raise
                self.stats["retries"] = self.stats.get("retries", 0) + 1
                log.info("console ingest: batch of %d retried after %s", len(batch), type(e.orig).__name__)

    def lag_p95(self) -> float | None:
        if not self.lags:
            return None
        ordered = sorted(self.lags)
        return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
