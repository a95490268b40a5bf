"""The operator's side of the remote channel: list terminals, send a command, wait for its ack.

An operator connects with a fresh, non-persistent session under its own client id; the broker
ACL lets operators publish to kiosk/+/cmd and read status, telemetry and acks.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any

import paho.mqtt.client as mqtt

from kiosk.remote import protocol
from kiosk.update.errors import BrokerUnavailable, CommandTimeout
from kiosk.remote.mqtt import BrokerSettings, new_client, set_nodelay
from kiosk.remote.netloop import NetLoop


class Operator:
    def __init__(self, settings: BrokerSettings, client_id: str | None = None) -> None:
        self.settings = settings
        self.client = new_client(client_id or f"operator-{uuid.uuid4().hex[:12]}", settings)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self._connected = threading.Event()
        self._cond = threading.Condition()
        self._acks: dict[str, dict[str, Any]] = {}
        self._ack_times: dict[str, float] = {}
        self._statuses: dict[str, dict[str, Any]] = {}
        self._telemetry: dict[str, dict[str, Any]] = {}
        self.telemetry_received = 0
        self._suback: dict[int, threading.Event] = {}
        self.stray_acks: list[dict[str, Any]] = []
        self._loop: NetLoop | None = None
        self._refused: str | None = None

    # -- connection ------------------------------------------------------------------------------
    def connect(self, timeout: float = 5.0, loop: NetLoop | None = None) -> Operator:
        """Connect and wait for the CONNACK. `loop`: drive the client from a NetLoop (epoll)
        instead of paho's select()-based thread, for processes with over 1024 open files."""
        self._loop = loop
        if loop is not None:
            self.client.connect_async(self.settings.host, self.settings.port, self.settings.keepalive_s,
                                      clean_start=True)
            loop.add(self.client, None, self.settings.reconnect_min_s, self.settings.reconnect_max_s)
        else:
            try:
                self.client.connect(self.settings.host, self.settings.port, self.settings.keepalive_s,
                                    clean_start=True)
            except (OSError, ValueError) as e:
                raise BrokerUnavailable(
                    f"cannot reach the broker at {self.settings.host}:{self.settings.port}: {e}") from e
            self.client.loop_start()
        if not self._connected.wait(timeout) or self._refused:
            self.close()
            why = f"refused: {self._refused}" if self._refused else "no answer"
            raise BrokerUnavailable(f"broker at {self.settings.host}:{self.settings.port}: {why}")
        return self

    def close(self) -> None:
        if self._loop is not None:
            self._loop.remove(self.client, disconnect=True, timeout=2.0)
            return
        self.client.disconnect()
        self.client.loop_stop()

    def __enter__(self) -> Operator:
        return self.connect()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _on_connect(self, client: mqtt.Client, _u: Any, _flags: Any, reason_code: Any, _p: Any) -> None:
        if reason_code.is_failure:
            self._refused = str(reason_code)  # bad credentials, not authorized: no point waiting
        else:
            set_nodelay(client)
        self._connected.set()

    def _on_subscribe(self, _c: mqtt.Client, _u: Any, mid: int, _codes: Any, _p: Any) -> None:
        with self._cond:
            ev = self._suback.setdefault(mid, threading.Event())
        ev.set()

    def subscribe(self, topic_filter: str, timeout: float = 5.0) -> None:
        """Subscribe and wait for the SUBACK, so nothing published after this is missed."""
        rc, mid = self.client.subscribe(topic_filter, qos=1)
        if rc != mqtt.MQTT_ERR_SUCCESS:
            raise BrokerUnavailable(f"subscribe failed: {mqtt.error_string(rc)}")
        with self._cond:
            ev = self._suback.setdefault(mid, threading.Event())
        if not ev.wait(timeout):
            raise BrokerUnavailable("no SUBACK from the broker")

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        terminal = protocol.terminal_of(msg.topic)
        try:
            data = json.loads(msg.payload.decode("utf-8")) if msg.payload else None
        except (UnicodeDecodeError, ValueError):
            return
        if terminal is None or not isinstance(data, dict):
            return
        leaf = msg.topic.rsplit("/", 1)[1]
        with self._cond:
            if leaf == "ack":
                cid = data.get("id")
                if isinstance(cid, str):
                    # Keep the first ack of an id: a later "duplicate" ack must not hide the result.
                    if cid not in self._acks:
                        self._acks[cid] = data
                        self._ack_times[cid] = time.monotonic()
                else:
                    self.stray_acks.append(data)
            elif leaf == "status":
                self._statuses[terminal] = data
            elif leaf == "telemetry":
                self._telemetry[terminal] = data
                self.telemetry_received += 1
            self._cond.notify_all()

    # -- status ------------------------------------------------------------------------------------
    def statuses(self, wait_s: float = 1.0) -> dict[str, dict[str, Any]]:
        """Every terminal's retained status (the broker replays them on subscribe)."""
        self.subscribe(protocol.topic("+", "status"))
        time.sleep(wait_s)  # retained messages arrive as a burst; there is no end marker
        with self._cond:
            return dict(sorted(self._statuses.items()))

    def watch_telemetry(self, terminal: str = "+") -> None:
        self.subscribe(protocol.topic(terminal, "telemetry"))

    def latest_telemetry(self) -> dict[str, dict[str, Any]]:
        with self._cond:
            return dict(self._telemetry)

    # -- commands --------------------------------------------------------------------------------
    def watch_acks(self, terminal: str = "+") -> None:
        self.subscribe(protocol.topic(terminal, "ack"))

    def send(self, terminal: str, cmd: str, args: Mapping[str, Any] | None = None, ttl_s: float = 300.0,
             command_id: str | None = None) -> dict[str, Any]:
        """Publish a command (QoS 1, not retained) and return it; does not wait."""
        protocol.check_terminal_id(terminal)
        command = protocol.make_command(cmd, args, ttl_s, command_id=command_id)
        info = self.client.publish(protocol.topic(terminal, "cmd"), json.dumps(command), qos=1)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise BrokerUnavailable(f"publish failed: {mqtt.error_string(info.rc)}")
        return command

    def send_raw(self, terminal: str, payload: bytes | str) -> None:
        self.client.publish(protocol.topic(terminal, "cmd"), payload, qos=1)

    def wait_ack(self, command_id: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while command_id not in self._acks:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CommandTimeout(f"no acknowledgement for {command_id} within {timeout:g} s")
                self._cond.wait(left)
            return self._acks[command_id]

    def ack_time(self, command_id: str) -> float | None:
        with self._cond:
            return self._ack_times.get(command_id)

    def acks(self) -> dict[str, dict[str, Any]]:
        with self._cond:
            return dict(self._acks)

    def command(self, terminal: str, cmd: str, args: Mapping[str, Any] | None = None,
                timeout: float = 30.0, ttl_s: float | None = None) -> dict[str, Any]:
        """Send and wait for the ack. The command stays valid for `ttl_s` (default: the timeout),
        so a terminal that comes back later does not run something nobody waits for."""
        self.watch_acks(terminal)
        command = self.send(terminal, cmd, args, ttl_s if ttl_s is not None else max(timeout, 1.0))
        return self.wait_ack(command["id"], timeout)
