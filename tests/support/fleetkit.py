"""Helpers shared by the fleet tests (imported as a plain module: tests/ has no packages)."""
from __future__ import annotations

import functools
import http.server
import json
import os
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from kiosk.remote.mqtt import BrokerSettings, connect_properties
from kiosk.update.health import HealthResult
from kiosk_fleet.localbroker import LocalBroker
from tests.support.waiting import wait_until

HERE = Path(__file__).resolve().parents[1] / "fleet"  # the fleet tests and their child scripts


def wait_for(cond: Callable[[], Any], timeout: float = 5.0, interval: float = 0.02, what: str = "condition") -> Any:
    return wait_until(cond, timeout, interval, what)


def settings_for(b: LocalBroker, **kw: Any) -> BrokerSettings:
    base = dict(host="127.0.0.1", port=b.port, tls=False, keepalive_s=5, reconnect_min_s=0.1, reconnect_max_s=0.5)
    base.update(kw)
    return BrokerSettings(**base)


class Collector:
    """A plain paho client recording every message on some topics (optionally a persistent
    session, so it misses nothing across a broker restart)."""

    def __init__(self, b: LocalBroker, topics: list[str], persistent: bool = False) -> None:
        self.messages: list[tuple[str, bytes, bool]] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.topics = topics
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"collector-{uuid.uuid4().hex[:8]}",
                                  protocol=mqtt.MQTTv5)
        self.client.reconnect_delay_set(0.1, 0.5)  # type: ignore[arg-type]
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *a: self._subscribed.set()
        self.client.connect("127.0.0.1", b.port, 5, clean_start=not persistent,
                            properties=connect_properties(600) if persistent else None)
        self.client.loop_start()
        wait_for(self._subscribed.is_set, what="SUBACK")

    def _on_connect(self, client: mqtt.Client, *_: Any) -> None:
        client.subscribe([(t, 1) for t in self.topics])

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append((msg.topic, bytes(msg.payload), bool(msg.retain)))

    def on(self, topic: str) -> list[dict[str, Any]]:
        with self._lock:
            return [json.loads(p) for t, p, _r in self.messages if t == topic and p]

    def raw(self) -> list[bytes]:
        with self._lock:
            return [p for _t, p, _r in self.messages]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


class RepoServer:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        handler = functools.partial(_QuietHandler, directory=str(directory))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


FAKE_MAIN = '''
import json, sys
VERSION = {version!r}
BROKEN = {broken!r}
if BROKEN:
    print("kiosk: the printer driver failed to import", file=sys.stderr)
    sys.exit(1)
print(json.dumps({{"ok": True, "version": VERSION, "argv": sys.argv[1:]}}))
'''


def fake_source(base: Path, version: str, broken: bool = False) -> Path:
    """A minimal app tree: `python -m kiosk ...` prints {"ok": true} (or fails when broken)."""
    src = base / f"src-{version}{'-broken' if broken else ''}"
    for d in ("kiosk", "devices", "flows", "screens", "locales"):
        (src / d).mkdir(parents=True, exist_ok=True)
        (src / d / "__init__.py").write_text(f"# {d} {version}\n")
    (src / "kiosk" / "__main__.py").write_text(FAKE_MAIN.format(version=version, broken=broken))
    (src / "pyproject.toml").write_text(f'[project]\nname = "kiosk"\nversion = "{version}"\n')
    (src / "requirements.lock").write_text("")
    (src / "README.md").write_text("fake\n")
    return src


def ok_health(_release: Path) -> HealthResult:
    return HealthResult(True, "injected: ok")


def resolved_version(root: Path) -> str | None:
    link = root / "current"
    if not link.is_symlink():
        return None
    return Path(os.readlink(link)).name
