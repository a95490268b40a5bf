"""A total deadline for one platform call: connect, headers and body together.

requests' read timeout is per socket read: a platform (or a broken proxy) that trickles one
byte a second never trips it, and a worker thread is held for minutes. Here every connection
the call uses is registered while the call runs; when the deadline passes, a timer shuts the
socket down, so the blocked read returns at once and the call fails as a timeout.
"""
from __future__ import annotations

import socket
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_local = threading.local()


class Watch:
    """The connections of one call on this thread, and whether the deadline cut them."""

    def __init__(self) -> None:
        self.conns: list[Any] = []
        self.expired = False
        self._lock = threading.Lock()

    def add(self, conn: Any) -> None:
        with self._lock:
            self.conns.append(conn)
            if self.expired:  # the deadline passed before this connection was used
                _cut(conn)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            for conn in self.conns:
                _cut(conn)


def _cut(conn: Any) -> None:
    sock = getattr(conn, "sock", None)
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)  # the blocked recv() returns now; close() alone would not wake it
    except OSError:
        pass


@contextmanager
def deadline(seconds: float, timer: Callable[[float, Callable[[], None]], Any] | None = None) -> Iterator[Watch]:
    """Run a call with a total deadline. `timer(seconds, fn)` returns an object with cancel()
    (default threading.Timer; tests may inject their own)."""
    watch = Watch()
    make = timer or _thread_timer
    t = make(max(0.0, seconds), watch.expire)
    previous = getattr(_local, "watch", None)
    _local.watch = watch
    try:
        yield watch
    finally:
        _local.watch = previous
        t.cancel()


def _thread_timer(seconds: float, fn: Callable[[], None]) -> Any:
    t = threading.Timer(seconds, fn)
    t.daemon = True
    t.name = "platform-deadline"
    t.start()
    return t


def _register(conn: Any) -> None:
    watch = getattr(_local, "watch", None)
    if watch is not None:
        watch.add(conn)


class _Conn(HTTPConnection):
    def request(self, *args: Any, **kw: Any) -> Any:  # every request on a (new or kept-alive) connection
        _register(self)
        return super().request(*args, **kw)


class _HTTPSConn(HTTPSConnection):
    def request(self, *args: Any, **kw: Any) -> Any:
        _register(self)
        return super().request(*args, **kw)


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Conn


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConn


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter whose connections can be cut by `deadline`."""

    def init_poolmanager(self, *args: Any, **kw: Any) -> None:
        super().init_poolmanager(*args, **kw)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _HTTPSPool}

    def proxy_manager_for(self, proxy: str, **kw: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kw)
        manager.pool_classes_by_scheme = {"http": _Pool, "https": _HTTPSPool}
        return manager
