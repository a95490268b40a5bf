"""Drive many paho clients from one thread (simulators, the bench): epoll over their sockets,
loop_read / loop_write / loop_misc, and reconnects with exponential backoff.

A terminal runs one client with paho's own loop_start() thread; this is for processes that run
hundreds of simulated terminals, where a thread per client would be wasteful.
"""
from __future__ import annotations

import logging
import queue
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt

log = logging.getLogger(__name__)
TICK_S = 1.0


@dataclass(eq=False)
class _Entry:
    client: mqtt.Client
    on_tick: Callable[[float], None] | None
    min_delay: float
    max_delay: float
    delay: float = 0.0
    next_connect: float = 0.0
    sock: Any = None
    removing: bool = False


class NetLoop:
    def __init__(self, name: str = "netloop") -> None:
        self.name = name
        self._sel = selectors.DefaultSelector()
        self._entries: dict[int, _Entry] = {}
        self._calls: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._sel.register(self._wake_r, selectors.EVENT_READ, None)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._writers: set[int] = set()
        self._writers_lock = threading.Lock()

    # -- public, thread-safe --------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def add(self, client: mqtt.Client, on_tick: Callable[[float], None] | None = None,
            reconnect_min_s: float = 1.0, reconnect_max_s: float = 120.0) -> None:
        """Take over a client on which connect_async() was called."""
        entry = _Entry(client, on_tick, reconnect_min_s, reconnect_max_s)
        key = id(client)
        client.on_socket_open = lambda c, u, s: self._opened(key, s)
        client.on_socket_close = lambda c, u, s: self._closed(key, s)
        client.on_socket_register_write = lambda c, u, s: self._want_write(key)
        client.on_socket_unregister_write = lambda c, u, s: None
        self.call(lambda: self._entries.__setitem__(key, entry))

    def remove(self, client: mqtt.Client, disconnect: bool = True, timeout: float = 5.0) -> None:
        """Disconnect (DISCONNECT sent and flushed) and forget the client; blocks until done."""
        done = threading.Event()
        key = id(client)

        def _do() -> None:
            entry = self._entries.get(key)
            if entry is None:
                done.set()
                return
            entry.removing = True
            if disconnect and client.socket() is not None:
                client.disconnect()
                deadline = time.monotonic() + timeout
                while client.socket() is not None and client.want_write() and time.monotonic() < deadline:
                    if client.loop_write() != mqtt.MQTT_ERR_SUCCESS:
                        break
            self._drop(key)
            done.set()

        self.call(_do)
        if threading.current_thread() is not self._thread:
            done.wait(timeout + 1.0)

    def abort(self, client: mqtt.Client) -> None:
        """Drop the connection without DISCONNECT, as a power cut would (the broker sends the will)."""
        done = threading.Event()
        key = id(client)

        def _do() -> None:
            entry = self._entries.get(key)
            if entry is not None:
                entry.removing = True
                sock = client.socket()
                if sock is not None:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                self._drop(key)
            done.set()

        self.call(_do)
        done.wait(5.0)

    def call(self, fn: Callable[[], None]) -> None:
        self._calls.put(fn)
        self._wake()

    def stop(self, timeout: float = 10.0) -> None:
        for key in list(self._entries):
            self.remove(self._entries[key].client, timeout=2.0)
        self._stop.set()
        self._wake()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._wake_r.close()
        self._wake_w.close()
        self._sel.close()

    def __len__(self) -> int:
        return len(self._entries)

    # -- callbacks from paho (any thread) ------------------------------------------------------
    def _wake(self) -> None:
        try:
            self._wake_w.send(b"\0")
        except (BlockingIOError, OSError):
            pass  # the pipe is full: the loop is awake anyway

    def _want_write(self, key: int) -> None:
        with self._writers_lock:
            self._writers.add(key)
        if threading.current_thread() is not self._thread:
            self._wake()

    def _opened(self, key: int, sock: Any) -> None:
        # Called from reconnect(), which runs on the loop thread.
        entry = self._entries.get(key)
        if entry is not None:
            entry.sock = sock
            self._sel.register(sock, selectors.EVENT_READ, key)

    def _closed(self, key: int, sock: Any) -> None:
        entry = self._entries.get(key)
        try:
            self._sel.unregister(sock)
        except (KeyError, ValueError):
            pass
        if entry is not None:
            entry.sock = None
            if not entry.removing:
                self._schedule_reconnect(entry)

    # -- the loop --------------------------------------------------------------------------------
    def _drop(self, key: int) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        sock = entry.client.socket()
        if sock is not None:
            try:
                self._sel.unregister(sock)
            except (KeyError, ValueError):
                pass
            entry.client._sock_close()  # noqa: SLF001 - the public API has no "close without DISCONNECT"

    def _schedule_reconnect(self, entry: _Entry) -> None:
        entry.delay = entry.min_delay if entry.delay == 0 else min(entry.delay * 2, entry.max_delay)
        entry.next_connect = time.monotonic() + entry.delay

    def _connect_due(self, now: float) -> None:
        for entry in list(self._entries.values()):
            if entry.sock is not None or entry.removing or entry.next_connect > now:
                continue
            try:
                entry.client.reconnect()
            except (OSError, ValueError) as e:
                log.debug("%s: connect failed: %s", self.name, e)
                self._schedule_reconnect(entry)

    def _run(self) -> None:
        next_tick = time.monotonic()
        while not self._stop.is_set():
            while True:
                try:
                    fn = self._calls.get_nowait()
                except queue.Empty:
                    break
                try:
                    fn()
                except Exception:  # noqa: BLE001 - one bad client must not stop the others
                    log.exception("%s: call failed", self.name)
            now = time.monotonic()
            self._connect_due(now)
            with self._writers_lock:
                writers, self._writers = self._writers, set()
            for key in writers:
                self._write(key)
            timeout = max(0.0, min(0.25, next_tick - now))
            for skey, mask in self._sel.select(timeout):
                if skey.data is None:
                    try:
                        while self._wake_r.recv(4096):
                            pass
                    except (BlockingIOError, OSError):
                        pass
                    continue
                entry = self._entries.get(skey.data)
                if entry is None:
                    continue
                if mask & selectors.EVENT_READ:
                    entry.client.loop_read()
                if mask & selectors.EVENT_WRITE:
                    self._write(skey.data)
            now = time.monotonic()
            if now >= next_tick:
                next_tick = now + TICK_S
                for entry in list(self._entries.values()):
                    if entry.sock is not None:
                        entry.client.loop_misc()
                        if entry.client.is_connected():
                            entry.delay = 0.0
                    if entry.on_tick is not None:
                        try:
                            entry.on_tick(now)
                        except Exception:  # noqa: BLE001
                            log.exception("%s: tick failed", self.name)

    def _write(self, key: int) -> None:
        entry = self._entries.get(key)
        if entry is None or entry.sock is None:
            return
        entry.client.loop_write()
        sock = entry.client.socket()
        if sock is None:
            return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if entry.client.want_write() else 0)
        try:
            self._sel.modify(sock, events, key)
        except (KeyError, ValueError):
            pass
