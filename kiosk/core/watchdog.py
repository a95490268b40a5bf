"""systemd notification (sd_notify) without a dependency, and crash incidents.

kiosk.service is Type=notify with WatchdogSec=30: systemd starts counting the kiosk as up when
it says READY=1, and restarts it when WATCHDOG=1 stops arriving. The ping must come from the UI
thread (a Kivy Clock interval), so a frozen UI - the failure a citizen actually sees - stops the
pings and gets the restart. The protocol is one datagram of KEY=VALUE lines to the unix socket in
$NOTIFY_SOCKET; a name starting with "@" is in the abstract namespace. Without NOTIFY_SOCKET
(a developer's machine, the tests) every call is a no-op.

Crashes become journal incidents with the exception's type and file:line frames only. The
message is left out on purpose: `KeyError('513326...')` or a parser error quoting a field would
carry personal data into the journal, and from there into diagnostics bundles.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import sys
import threading
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

from kiosk.core.logs import safe_frames

log = logging.getLogger(__name__)

CRASH_KIND = "crash"


class NotifyError(Exception):
    """NOTIFY_SOCKET is set but unusable (bad value). Sending failures are not raised: a
    missing systemd must never stop the kiosk."""


def socket_address(value: str) -> str | bytes:
    """The address to send to: a path, or (for "@name") an abstract-namespace name."""
    if not value:
        raise NotifyError("NOTIFY_SOCKET is empty")
    if value.startswith("@"):
        return b"\0" + value[1:].encode()
    if not value.startswith("/"):
        # systemd also allows vsock:..., which a kiosk does not run under.
        raise NotifyError(f"NOTIFY_SOCKET {value!r}: only unix socket paths and @abstract names are supported")
    return value


def watchdog_usec(env: Mapping[str, str] | None = None) -> int | None:
    """WATCHDOG_USEC when it is meant for this process (WATCHDOG_PID absent or ours), else None."""
    env = os.environ if env is None else env
    raw = env.get("WATCHDOG_USEC", "")
    if not raw:
        return None
    pid = env.get("WATCHDOG_PID", "")
    if pid and pid.strip() != str(os.getpid()):
        return None  # inherited from a parent the watchdog watches, not us
    try:
        usec = int(raw.strip())
    except ValueError:
        log.warning("WATCHDOG_USEC is not a number; watchdog pings disabled")
        return None
    return usec if usec > 0 else None


class Notifier:
    """Talks to systemd. `ping_interval_s` is half the watchdog timeout (None: no watchdog),
    as sd_watchdog_enabled(3) recommends, so one late tick does not cost a restart."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        raw = env.get("NOTIFY_SOCKET", "")
        self.address: str | bytes | None = socket_address(raw) if raw else None
        usec = watchdog_usec(env) if self.address is not None else None
        self.watchdog_s: float | None = usec / 1_000_000 if usec else None
        self.ping_interval_s: float | None = self.watchdog_s / 2 if self.watchdog_s else None
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self.sent = 0
        self.errors = 0

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def notify(self, **fields: str | int) -> bool:
        """Send KEY=VALUE lines in one datagram; True when sent (False: disabled or failed)."""
        if self.address is None:
            return False
        lines = []
        for key, value in fields.items():
            text = str(value)
            if "\n" in text:
                raise ValueError(f"{key}: a notification value is one line")
            lines.append(f"{key}={text}")
        return self.send("\n".join(lines))

    def send(self, message: str) -> bool:
        if self.address is None:
            return False
        data = message.encode("utf-8")
        with self._lock:
            try:
                if self._sock is None:
                    self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                self._sock.sendto(data, self.address)
                self.sent += 1
                return True
            except OSError as e:
                # systemd restarting, socket gone: count it, keep running, try again next time.
                self.errors += 1
                log.debug("sd_notify failed: %s", type(e).__name__)
                self._close()
                return False

    def ready(self, status: str | None = None) -> bool:
        fields: dict[str, str | int] = {"READY": 1, "MAINPID": os.getpid()}
        if status:
            fields["STATUS"] = status
        return self.notify(**fields)

    def ping(self) -> bool:
        return self.notify(WATCHDOG=1)

    def status(self, text: str) -> bool:
        return self.notify(STATUS=text.replace("\n", " "))

    def stopping(self, status: str | None = None) -> bool:
        fields: dict[str, str | int] = {"STOPPING": 1}
        if status:
            fields["STATUS"] = status
        return self.notify(**fields)

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None


# -- crash incidents ---------------------------------------------------------------------------

def _type_name(exc_type: type[BaseException]) -> str:
    return f"{exc_type.__module__}.{exc_type.__qualname__}".removeprefix("builtins.")


def crash_detail(exc: BaseException, thread: str | None = None) -> dict[str, Any]:
    """Type, frames, and the chain of causes by type only; never a message or argument."""
    detail: dict[str, Any] = {"type": _type_name(type(exc)), "frames": safe_frames(exc.__traceback__)}
    if thread:
        detail["thread"] = thread
    causes = []
    seen = {id(exc)}
    link = exc.__cause__ or exc.__context__
    while link is not None and id(link) not in seen and len(causes) < 5:
        seen.add(id(link))
        frames = safe_frames(link.__traceback__)
        causes.append({"type": _type_name(type(link)), "at": frames[-1] if frames else ""})
        link = link.__cause__ or link.__context__
    if causes:
        detail["causes"] = causes
    return detail


def record_crash(journal: Any, exc: BaseException, thread: str | None = None) -> dict[str, Any]:
    """Journal a crash incident (kind "crash", detail JSON). Never raises: the journal itself may
    be what broke, and the crash path must still reach the restart."""
    detail = crash_detail(exc, thread)
    try:
        journal.incident(CRASH_KIND, json.dumps(detail, ensure_ascii=False, sort_keys=True))
    except Exception as e:  # noqa: BLE001
        log.error("could not journal a crash: %s", type(e).__name__)
    return detail


def install_excepthook(journal: Any, *, on_crash: Callable[[dict[str, Any]], None] | None = None) -> Callable[[], None]:
    """Journal uncaught exceptions in the main thread (sys.excepthook) and in other threads
    (threading.excepthook), and log them as type + frames. The default hooks are not called for
    real exceptions: they print the message to stderr, and stderr goes to journald.
    KeyboardInterrupt and SystemExit go to the previous hooks unchanged. Returns a function that
    puts the previous hooks back."""
    prev_sys, prev_thread = sys.excepthook, threading.excepthook

    def handle(exc: BaseException, thread: str | None) -> None:
        detail = record_crash(journal, exc, thread)
        where = detail["frames"][-1] if detail["frames"] else "?"
        log.critical("uncaught %s at %s (thread %s)", detail["type"], where, thread or "main")
        if on_crash is not None:
            try:
                on_crash(detail)
            except Exception:  # noqa: BLE001 - the hook must finish whatever the callback does
                log.error("crash callback failed")

    def sys_hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, (KeyboardInterrupt, SystemExit)):
            prev_sys(exc_type, exc, tb)
            return
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        handle(exc, None)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            prev_thread(args)
            return
        exc = args.exc_value
        if exc.__traceback__ is None:
            exc = exc.with_traceback(args.exc_traceback)
        handle(exc, args.thread.name if args.thread is not None else None)

    sys.excepthook = sys_hook
    threading.excepthook = thread_hook

    def uninstall() -> None:
        sys.excepthook, threading.excepthook = prev_sys, prev_thread

    return uninstall
