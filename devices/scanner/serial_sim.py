"""A serial 2D scanner module on a pseudo-terminal: the driver opens the pty's path exactly as
it would open /dev/ttyACM0, and `scan()` plays a person presenting a code."""
from __future__ import annotations

import os
import select
import termios
import time
import tty

SUFFIXES = {"cr": b"\r", "lf": b"\n", "crlf": b"\r\n", "none": b""}
AIM_PREFIX = {"QRCODE": b"]Q1", "CODE128": b"]C0"}


class ScannerSimulator:
    def __init__(self, suffix: str = "crlf", encoding: str = "utf-8", aim: bool = False) -> None:
        if suffix not in SUFFIXES:
            raise ValueError(f"suffix must be one of {sorted(SUFFIXES)}")
        self.suffix = SUFFIXES[suffix]
        self.encoding = encoding
        self.aim = aim
        self.master, slave = os.openpty()
        # Raw mode: no echo back to us, no CR->LF translation of what the module sends.
        tty.setraw(slave, termios.TCSANOW)
        self.path = os.ttyname(slave)
        # Not holding the slave end lets the master see whether a driver has the port open
        # (POLLHUP while nobody does): bytes written then would be lost, as with a real module
        # whose host port is closed, and pyserial flushes input on open anyway.
        os.close(slave)

    def reader_attached(self) -> bool:
        p = select.poll()
        p.register(self.master, select.POLLHUP)
        return not any(ev & select.POLLHUP for _, ev in p.poll(0))

    def wait_for_reader(self, timeout: float = 10.0, settle_s: float = 0.1) -> bool:
        """Wait until a driver opened the port (then `settle_s` more, so its open-time input
        flush is over before the first code arrives)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.reader_attached():
                time.sleep(settle_s)
                return True
            time.sleep(0.02)
        return False

    def scan(self, payload: str | bytes, symbology: str = "QRCODE", encoding: str | None = None) -> bytes:
        """Send one code as the module would; returns the bytes written."""
        data = payload if isinstance(payload, bytes) else payload.encode(encoding or self.encoding)
        if self.aim:
            data = AIM_PREFIX.get(symbology, b"]X0") + data
        data += self.suffix
        view = memoryview(data)
        while view:
            n = os.write(self.master, view)
            view = view[n:]
        return data

    def send_raw(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        """Close the master: the driver's next read fails as if the module were unplugged."""
        try:
            os.close(self.master)
        except OSError:
            pass

    def __enter__(self) -> "ScannerSimulator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
