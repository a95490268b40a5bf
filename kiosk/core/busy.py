"""The busy marker the updater tests: "a citizen is being served or a receipt is printing".

An flock(2) on a file, not the file's existence: the kernel drops the lock when the process
ends, however it ends (kill -9, a segfault, a power cut empties /run anyway), so a crash can
never leave the terminal "busy" forever, and a marker file left behind means nothing.

The app takes a *shared* lock while busy (several holders in one process are counted: a
session and a print job overlap); the updater asks `held_elsewhere(path)` by trying an
*exclusive* lock without blocking and dropping it at once.
"""
from __future__ import annotations

import fcntl
import logging
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

log = logging.getLogger(__name__)

DEFAULT_NAME = "busy.lock"


class BusyLock:
    """Reference-counted: the lock is held from the first `hold()` to the matching last `release()`."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = Path(path) if path else None
        self._count = 0
        self._fd: int | None = None
        self._mutex = threading.Lock()

    @property
    def held(self) -> bool:
        return self._fd is not None

    def hold(self) -> None:
        with self._mutex:
            self._count += 1
            if self._count == 1 and self.path is not None:
                try:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
                    fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while an updater is testing
                    self._fd = fd
                except OSError as e:
                    # Serving the citizen matters more than the marker; the updater then sees
                    # "idle", which the log says.
                    log.error("busy marker %s not taken: %s", self.path, e.strerror)

    def release(self) -> None:
        with self._mutex:
            if self._count == 0:
                return
            self._count -= 1
            if self._count == 0:
                self._drop()

    def release_all(self) -> None:
        """On stop: whatever was still held."""
        with self._mutex:
            self._count = 0
            self._drop()

    def _drop(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    @contextmanager
    def busy(self) -> Iterator[None]:
        self.hold()
        try:
            yield
        finally:
            self.release()


def held_elsewhere(path: str | os.PathLike[str]) -> bool:
    """True while some process holds the busy lock at `path` (the updater's test). A missing
    file or a plain file nobody locks is idle."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops our exclusive lock, if we got it
    return False


INSTANCE_NAME = "kiosk.instance.lock"


class AlreadyRunning(RuntimeError):
    def __init__(self, path: Path, pid: str) -> None:
        super().__init__(f"another kiosk is already running with this data directory ({path.parent}, pid {pid or '?'})")
        self.path, self.pid = path, pid


def take_instance_lock(data_dir: str | os.PathLike[str]) -> int:
    """One kiosk per data directory. Two on one journal, one serial port and one printer (a
    second `kiosk run`, a unit started twice) answer each other's cards and count each other's
    paper. An exclusive flock held for the life of the process (the kernel drops it however the
    process ends); the holder's pid is written in the file for the message. Returns the fd to
    keep open; raises AlreadyRunning."""
    path = Path(data_dir) / INSTANCE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        try:
            pid = os.read(fd, 32).decode("ascii", "replace").strip()
        finally:
            os.close(fd)
        raise AlreadyRunning(path, pid) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd
