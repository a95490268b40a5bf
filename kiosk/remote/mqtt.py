"""Building paho-mqtt 2.x clients the same way for terminals and operators: MQTT 5, callback
API version 2, TLS with an optional client certificate, username/password, backoff."""
from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from kiosk.core.fleet_config import FleetConfig


@dataclass(frozen=True)
class BrokerSettings:
    host: str
    port: int = 8883
    tls: bool = True
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    username: str | None = None
    password: str | None = None
    keepalive_s: int = 30
    reconnect_min_s: float = 1.0
    reconnect_max_s: float = 120.0
    session_expiry_s: int = 7 * 24 * 3600

    @classmethod
    def from_config(cls, cfg: FleetConfig, terminal_id: str | None = None) -> BrokerSettings:
        return cls(host=cfg.broker_host, port=cfg.broker_port, tls=cfg.tls,
                   ca_file=cfg.tls_ca_file or None, cert_file=cfg.tls_cert_file or None,
                   key_file=cfg.tls_key_file or None,
                   username=cfg.username or terminal_id, password=cfg.password_value(),
                   keepalive_s=cfg.keepalive_s, reconnect_min_s=cfg.reconnect_min_s,
                   reconnect_max_s=cfg.reconnect_max_s, session_expiry_s=cfg.session_expiry_s)


def new_client(client_id: str, settings: BrokerSettings) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    if settings.tls:
        # The system store unless a private CA is configured; TLS 1.2 at least.
        client.tls_set(ca_certs=settings.ca_file, certfile=settings.cert_file, keyfile=settings.key_file,
                       cert_reqs=ssl.CERT_REQUIRED, tls_version=ssl.PROTOCOL_TLS_CLIENT)
    if settings.username:
        client.username_pw_set(settings.username, settings.password)
    client.reconnect_delay_set(settings.reconnect_min_s, settings.reconnect_max_s)  # type: ignore[arg-type]
    return client


def connect_properties(session_expiry_s: int) -> Properties:
    props = Properties(PacketTypes.CONNECT)
    # A persistent session: subscriptions and QoS 1 commands wait on the broker this long
    # for a terminal that is switched off.
    props.SessionExpiryInterval = session_expiry_s
    return props


def set_nodelay(client: mqtt.Client) -> None:
    """Disable Nagle's algorithm on the client's socket. MQTT packets are small and
    request/response shaped (command -> PUBACK -> ack); with Nagle and delayed ACKs each hop
    can wait ~40 ms. paho does not set it, so the agent and the operator do on connect."""
    sock = client.socket()
    if sock is None:
        return
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError):
        pass  # not a TCP socket (websockets wrapper, unix socket)
