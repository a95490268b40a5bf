"""The terminal's MQTT 5 agent: status with a last will, telemetry, allow-listed commands.

One client per terminal; the client id is the terminal id. The session is persistent
(clean_start False + session expiry), so a QoS 1 command sent while the terminal is off waits on
the broker and runs once when it is back. Each command id is recorded before it runs (see
store.py): a redelivery, a retry or a restart never runs it twice.

Handlers are injected (`{"diag": fn, ...}`, fn(args) -> result dict); there is no shell and no
generic "run" command. Handlers run on a worker thread so a slow one (a diagnostics bundle) never
stalls the MQTT keepalive. A handler that restarts the app must only schedule it and return, so
the ack goes out first.
"""
from __future__ import annotations

import collections
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

from kiosk.remote import protocol
from kiosk.core.fleet_config import FleetConfig
from kiosk.remote.mqtt import BrokerSettings, connect_properties, new_client, set_nodelay
from kiosk.remote.netloop import NetLoop
from kiosk.remote.store import CommandStore

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Mapping[str, Any] | None]
TelemetryProvider = Callable[[], Mapping[str, Any]]
PAHO_QUEUE_MAX = 1000  # acks and telemetry paho holds for a link it believes is up


class Agent:
    def __init__(self, terminal_id: str, broker: BrokerSettings, *, handlers: Mapping[str, Handler],
                 state_dir: str | Path, telemetry: TelemetryProvider | None = None,
                 status_info: Callable[[], Mapping[str, Any]] | None = None,
                 telemetry_interval_s: float = 60.0, outbox_max: int = 500,
                 command_max_ttl_s: float = 7 * 24 * 3600, executor: Executor | None = None,
                 wall: Callable[[], float] = time.time) -> None:
        self.terminal_id = protocol.check_terminal_id(terminal_id)
        unknown = sorted(set(handlers) - set(protocol.COMMANDS))
        if unknown:
            raise ValueError(f"handlers for commands outside the allow-list: {', '.join(unknown)}")
        self.broker = broker
        self.handlers = dict(handlers)
        self.telemetry = telemetry or (lambda: {})
        self.status_info = status_info or (lambda: {})
        self.telemetry_interval_s = telemetry_interval_s
        self.command_max_ttl_s = command_max_ttl_s
        self.wall = wall
        self.store = CommandStore(Path(state_dir) / "commands.sqlite3")
        self._own_executor = executor is None
        self.executor = executor or ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"cmd-{terminal_id}")
        self.outbox: collections.deque[bytes] = collections.deque(maxlen=outbox_max)
        self.stats = {"outbox_dropped": 0, "telemetry_sent": 0, "scrubbed": 0, "commands_run": 0,
                      "commands_refused": 0, "commands_invalid": 0, "commands_duplicate": 0, "connects": 0}
        self._lock = threading.Lock()
        self._connected = threading.Event()
        self._seq = 0
        self._next_telemetry = 0.0
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._loop: NetLoop | None = None
        self._online_since: float | None = None

        self.topic_status = protocol.topic(terminal_id, "status")
        self.topic_telemetry = protocol.topic(terminal_id, "telemetry")
        self.topic_cmd = protocol.topic(terminal_id, "cmd")
        self.topic_ack = protocol.topic(terminal_id, "ack")

        self.client = new_client(terminal_id, broker)
        self.client.max_queued_messages_set(PAHO_QUEUE_MAX)
        # The broker publishes this, retained, when the connection drops without DISCONNECT.
        self.client.will_set(self.topic_status, json.dumps({"state": "offline", "reason": "lost"}),
                             qos=1, retain=True)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self._sub_mid = -1

    @classmethod
    def from_config(cls, cfg: FleetConfig, terminal_id: str, data_dir: str | Path, *,
                    handlers: Mapping[str, Handler], telemetry: TelemetryProvider | None = None,
                    status_info: Callable[[], Mapping[str, Any]] | None = None) -> Agent:
        """The agent as kiosk/terminal/app.py builds it from the [fleet] table."""
        state_dir = Path(cfg.state_dir).expanduser() if cfg.state_dir else Path(data_dir) / "fleet"
        return cls(terminal_id, BrokerSettings.from_config(cfg, terminal_id), handlers=handlers,
                   state_dir=state_dir, telemetry=telemetry, status_info=status_info,
                   telemetry_interval_s=cfg.telemetry_interval_s, outbox_max=cfg.outbox_max,
                   command_max_ttl_s=cfg.command_max_ttl_s)

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def start(self, loop: NetLoop | None = None) -> None:
        """Connect in the background (never blocks on the network; reconnects with backoff).
        Without `loop`, paho's own thread runs the client (a real terminal)."""
        self.store.prune(self.wall())  # a store grown while the terminal was off (it prunes itself as it goes)
        self.client.connect_async(self.broker.host, self.broker.port, self.broker.keepalive_s,
                                  clean_start=False, properties=connect_properties(self.broker.session_expiry_s))
        self._next_telemetry = time.monotonic() + self.telemetry_interval_s
        if loop is None:
            self.client.loop_start()
            self._ticker = threading.Thread(target=self._tick_forever, name=f"tick-{self.terminal_id}", daemon=True)
            self._ticker.start()
        else:
            self._loop = loop
            loop.add(self.client, self.tick, self.broker.reconnect_min_s, self.broker.reconnect_max_s)

    def stop(self, timeout: float = 5.0) -> None:
        """Go offline cleanly: a retained 'offline' status, then DISCONNECT (no will)."""
        self._stop.set()
        if self.connected:
            info = self.client.publish(self.topic_status, json.dumps({"state": "offline", "reason": "stopped",
                                                                      "since": int(self.wall())}),
                                       qos=1, retain=True)
            _wait_published(info, timeout)
        if self._loop is not None:
            self._loop.remove(self.client, disconnect=True, timeout=timeout)
        else:
            self.client.disconnect()
            self.client.loop_stop()
        self._connected.clear()
        self._shutdown()

    def abort(self) -> None:
        """Drop the connection without DISCONNECT, as a crash or power cut would. For tests and
        simulations: the broker publishes the last will."""
        self._stop.set()
        if self._loop is not None:
            self._loop.abort(self.client)
        else:
            # Stop paho's thread first (it leaves the socket open and sends nothing), so it
            # cannot reconnect behind our back; then drop the socket.
            self.client.loop_stop()
            sock = self.client.socket()
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
        self._connected.clear()
        self._shutdown()

    def _shutdown(self) -> None:
        if self._own_executor:
            self.executor.shutdown(wait=True)
        if self._ticker is not None and self._ticker is not threading.current_thread():
            self._ticker.join(2.0)
        self.store.close()

    def _tick_forever(self) -> None:
        while not self._stop.wait(1.0):
            try:
                self.tick(time.monotonic())
            except Exception:  # noqa: BLE001 - the ticker must survive a bad provider
                log.exception("telemetry tick failed")

    def tick(self, now: float) -> None:
        if now >= self._next_telemetry:
            self._next_telemetry = now + self.telemetry_interval_s
            self.publish_telemetry()

    # -- telemetry -------------------------------------------------------------------------------
    def publish_telemetry(self) -> dict[str, Any]:
        """Take one sample now; send it, or keep it in the outbox while offline."""
        try:
            raw = self.telemetry()
        except Exception as e:  # noqa: BLE001 - report the failure instead of the sample
            raw = {"errors": {"telemetry_provider": type(e).__name__}}
        sample, dropped = protocol.scrub_telemetry(raw)
        with self._lock:
            self._seq += 1
            self.stats["scrubbed"] += dropped
            payload = dict(sample)
            payload.update({"terminal": self.terminal_id, "seq": self._seq, "ts": int(self.wall()),
                            "agent": {"outbox_dropped": self.stats["outbox_dropped"],
                                      "outbox_queued": len(self.outbox), "scrubbed": self.stats["scrubbed"]}})
            data = json.dumps(payload, separators=(",", ":")).encode()
            if not self.connected or not self._send_telemetry(data):
                self._queue(data)
        return payload

    def _queue(self, data: bytes) -> None:
        if len(self.outbox) == self.outbox.maxlen:
            self.stats["outbox_dropped"] += 1  # the deque drops the oldest
        self.outbox.append(data)

    def _send_telemetry(self, data: bytes) -> bool:
        info = self.client.publish(self.topic_telemetry, data, qos=1)
        if info.rc in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
            # NO_CONN with QoS 1: paho keeps it and sends it on reconnect.
            self.stats["telemetry_sent"] += 1
            return True
        return False

    def _drain_outbox(self) -> None:
        with self._lock:
            while self.outbox and self.connected:
                if not self._send_telemetry(self.outbox[0]):
                    break
                self.outbox.popleft()

    # -- connection callbacks ------------------------------------------------------------------
    def _on_connect(self, client: mqtt.Client, _userdata: Any, flags: mqtt.ConnectFlags,
                    reason_code: Any, _properties: Any) -> None:
        if reason_code.is_failure:
            log.warning("%s: broker refused the connection: %s", self.terminal_id, reason_code)
            return
        self.stats["connects"] += 1
        set_nodelay(client)
        # Subscribing again is harmless when the session survived, and needed when it did not.
        _rc, self._sub_mid = client.subscribe(self.topic_cmd, qos=1)
        self._online_since = self.wall()
        status = {"state": "online", "since": int(self._online_since), "session_present": flags.session_present}
        status.update(self.status_info())
        client.publish(self.topic_status, json.dumps(status), qos=1, retain=True)

    def _on_subscribe(self, _client: mqtt.Client, _userdata: Any, mid: int, _codes: Any, _props: Any) -> None:
        # "Connected" means commands can reach us: only once the broker confirmed the subscription.
        if mid == self._sub_mid:
            self._connected.set()
            self._drain_outbox()

    def _on_disconnect(self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason_code: Any,
                       _properties: Any) -> None:
        self._connected.clear()
        if not self._stop.is_set():
            log.info("%s: disconnected (%s); paho reconnects with backoff", self.terminal_id, reason_code)

    # -- commands --------------------------------------------------------------------------------
    def _on_message(self, _client: mqtt.Client, _userdata: Any, msg: mqtt.MQTTMessage) -> None:
        if msg.topic == self.topic_cmd:
            self._handle(msg.payload)

    def _handle(self, payload: bytes) -> None:
        """Answer every envelope with exactly one ack (see protocol.py); the handler's own ack
        comes from the worker thread."""
        now = self.wall()
        env: protocol.Envelope | None = None
        claimed = False
        try:
            env = protocol.read_envelope(payload)
            # Kept as long as a copy could still be valid, never longer than the lifetime allowed.
            keep_until = min(env.expires_at, now + self.command_max_ttl_s + protocol.MAX_CLOCK_SKEW_S)
            # Recorded before anything runs; sqlite commits (fsync) before paho sends the PUBACK.
            seen = self.store.claim(env.id, env.cmd, keep_until, now)
            if seen is not None:
                self.stats["commands_duplicate"] += 1
                original = seen.ack or {}
                self._ack(protocol.make_ack(self.terminal_id, env.id, seen.cmd, "duplicate",
                                            reason=f"already received (status: {seen.status})",
                                            result={"original": {k: original.get(k) for k in ("status", "reason", "result")
                                                                 if k in original}} if original else None, now=now))
                return
            claimed = True
            cmd = protocol.validate(env, now, self.command_max_ttl_s)
            handler = self.handlers.get(cmd.cmd)
            if handler is None:
                raise protocol.Refused(f"{cmd.cmd} is not supported on this terminal")
            self.executor.submit(self._run, cmd, handler)
        except protocol.Refused as e:
            self.stats["commands_refused"] += 1
            self._answer(env, claimed, protocol.make_ack(self.terminal_id, env and env.id, env and env.cmd,
                                                         "refused", reason=e.reason, now=now))
        except protocol.Invalid as e:
            self.stats["commands_invalid"] += 1
            self._answer(env, claimed, protocol.make_ack(self.terminal_id, e.command_id, e.cmd, "invalid",
                                                         reason=e.reason, field=e.field, now=now))
        except Exception as e:  # noqa: BLE001 - never let a command kill the network thread, and still answer
            log.exception("%s: command handling failed", self.terminal_id)
            self._answer(env, claimed, protocol.make_ack(self.terminal_id, env and env.id, env and env.cmd,
                                                         "error", reason=type(e).__name__, now=now))

    def _answer(self, env: protocol.Envelope | None, claimed: bool, ack: dict[str, Any]) -> None:
        """The one ack for an envelope that will not run; its claimed id records the answer."""
        try:
            if claimed and env is not None:
                self.store.finish(env.id, ack["status"], ack)
        except Exception:  # noqa: BLE001 - the ack matters more than its record
            log.exception("%s: could not record the ack of %s", self.terminal_id, ack.get("id"))
        try:
            self._ack(ack)
        except Exception:  # noqa: BLE001
            log.exception("%s: could not send an ack", self.terminal_id)

    def _run(self, cmd: protocol.Command, handler: Handler) -> None:
        try:
            result = handler(dict(cmd.args))
            ack = protocol.make_ack(self.terminal_id, cmd.id, cmd.cmd, "ok", result=dict(result or {}),
                                    now=self.wall())
        except Exception as e:  # noqa: BLE001 - a failing handler is reported, not raised
            log.warning("%s: command %s failed: %s", self.terminal_id, cmd.cmd, e)
            ack = protocol.make_ack(self.terminal_id, cmd.id, cmd.cmd, "error",
                                    reason=f"{type(e).__name__}: {e}", now=self.wall())
        self.stats["commands_run"] += 1
        self.store.finish(cmd.id, ack["status"], ack)
        self._ack(ack)

    def _ack(self, ack: dict[str, Any]) -> None:
        # QoS 1: paho holds it across a reconnect if the link is down right now.
        self.client.publish(self.topic_ack, json.dumps(ack, default=str), qos=1)


def _wait_published(info: mqtt.MQTTMessageInfo, timeout: float) -> None:
    try:
        info.wait_for_publish(timeout)
    except (ValueError, RuntimeError):
        pass  # not sent: the broker's last-will copy of the status will have to do
