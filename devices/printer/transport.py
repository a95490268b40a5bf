"""Byte pipes to a printer, chosen by URL, every read and write bounded in time.

    tcp://host[:9100]                        raw socket (port 9100, "JetDirect")
    serial:///dev/ttyS1?baud=115200&flow=rtscts|dsrdtr|xonxoff|none   pyserial
    usb://0xVID:0xPID[?in_ep=0x82&out_ep=0x01]  python-escpos's Usb (pyusb)
    file:///dev/usb/lp0  or  file:///tmp/out.bin   a device node (read back if it can) or a file

Why not python-escpos's own transports for TCP: its network read waits 60 s and reports "paper
OK" when nothing came back (shared/REFERENCE.md section 4). A printer that says nothing must be
"not responding" within the status timeout, so reads here stop at a deadline and return what
arrived, and the caller decides what silence means.
"""
from __future__ import annotations

import errno
import os
import select
import socket
import stat
import time
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit


class TransportError(Exception):
    """The pipe failed; `reason` is a stable code: connect_failed, connection_lost,
    write_timeout, bad_url, unsupported."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


class Transport(Protocol):
    readable: bool  # False: a write-only sink (a plain file); status cannot be asked

    def open(self, timeout_s: float) -> None: ...

    def write(self, data: bytes, timeout_s: float) -> None: ...

    def read(self, n: int, timeout_s: float) -> bytes:
        """Up to `n` bytes, waiting at most `timeout_s`; fewer (or none) when the time is up."""
        ...

    def discard_input(self) -> None:
        """Drop bytes nobody asked for (a late reply, automatic status back)."""
        ...

    def close(self) -> None: ...

    @property
    def is_open(self) -> bool: ...


class TcpTransport:
    readable = True

    def __init__(self, host: str, port: int = 9100) -> None:
        self.host, self.port = host, port
        self._sock: socket.socket | None = None

    @property
    def is_open(self) -> bool:
        return self._sock is not None

    def open(self, timeout_s: float) -> None:
        if self._sock is not None:
            return
        try:
            sock = socket.create_connection((self.host, self.port), timeout=timeout_s)
        except OSError as e:
            raise TransportError("connect_failed", f"tcp {self.host}:{self.port}: {e}") from e
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # status queries are 9 bytes
        self._sock = sock

    def _need(self) -> socket.socket:
        if self._sock is None:
            raise TransportError("connection_lost", "not connected")
        return self._sock

    def write(self, data: bytes, timeout_s: float) -> None:
        sock = self._need()
        sock.settimeout(timeout_s)
        try:
            sock.sendall(data)
        except socket.timeout as e:
            # The printer stopped taking data: its buffer is full because it stopped printing.
            raise TransportError("write_timeout", f"printer took no data for {timeout_s:.1f} s") from e
        except OSError as e:
            self.close()
            raise TransportError("connection_lost", str(e)) from e

    def read(self, n: int, timeout_s: float) -> bytes:
        sock = self._need()
        deadline = time.monotonic() + timeout_s
        got = bytearray()
        while len(got) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            sock.settimeout(remaining)
            try:
                chunk = sock.recv(n - len(got))
            except socket.timeout:
                break
            except OSError as e:
                self.close()
                raise TransportError("connection_lost", str(e)) from e
            if not chunk:
                self.close()
                raise TransportError("connection_lost", "printer closed the connection")
            got += chunk
        return bytes(got)

    def discard_input(self) -> None:
        sock = self._need()
        sock.setblocking(False)
        try:
            while True:
                chunk = sock.recv(4096)
                if not chunk:
                    self.close()
                    raise TransportError("connection_lost", "printer closed the connection")
        except (BlockingIOError, InterruptedError):
            pass
        except OSError as e:
            self.close()
            raise TransportError("connection_lost", str(e)) from e
        finally:
            if self._sock is not None:
                self._sock.setblocking(True)

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass


class SerialTransport:
    readable = True

    def __init__(self, device: str, baud: int = 115200, flow: str = "rtscts") -> None:
        if flow not in ("rtscts", "dsrdtr", "xonxoff", "none"):
            raise TransportError("bad_url", f"flow={flow!r}: rtscts, dsrdtr, xonxoff or none")
        self.device, self.baud, self.flow = device, baud, flow
        self._port: Any = None

    @property
    def is_open(self) -> bool:
        return self._port is not None

    def open(self, timeout_s: float) -> None:
        if self._port is not None:
            return
        try:
            import serial
        except ImportError as e:
            raise TransportError("unsupported", "serial:// needs pyserial") from e
        try:
            # Raster data is tens of kilobytes: without flow control a serial printer drops it.
            self._port = serial.Serial(self.device, self.baud, timeout=timeout_s, write_timeout=timeout_s,
                                       rtscts=self.flow == "rtscts", dsrdtr=self.flow == "dsrdtr",
                                       xonxoff=self.flow == "xonxoff")
        except (serial.SerialException, OSError, ValueError) as e:
            raise TransportError("connect_failed", f"{self.device}: {e}") from e

    def write(self, data: bytes, timeout_s: float) -> None:
        import serial

        port = self._port
        if port is None:
            raise TransportError("connection_lost", "not open")
        port.write_timeout = timeout_s
        try:
            port.write(data)
            port.flush()
        except serial.SerialTimeoutException as e:
            raise TransportError("write_timeout", f"printer took no data for {timeout_s:.1f} s") from e
        except (serial.SerialException, OSError) as e:
            self.close()
            raise TransportError("connection_lost", str(e)) from e

    def read(self, n: int, timeout_s: float) -> bytes:
        import serial

        port = self._port
        if port is None:
            raise TransportError("connection_lost", "not open")
        port.timeout = timeout_s  # pyserial: the whole read() returns at this deadline
        try:
            return bytes(port.read(n))
        except (serial.SerialException, OSError) as e:
            self.close()
            raise TransportError("connection_lost", str(e)) from e

    def discard_input(self) -> None:
        if self._port is not None:
            self._port.reset_input_buffer()

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except Exception:  # noqa: BLE001 - closing a vanished port must not raise
                pass


class UsbTransport:
    """Through python-escpos's Usb class (pyusb): it finds the device, detaches the kernel
    driver and knows the usual endpoints. Reads go straight to pyusb with our own timeout."""

    readable = True

    def __init__(self, vid: int, pid: int, in_ep: int = 0x82, out_ep: int = 0x01) -> None:
        self.vid, self.pid, self.in_ep, self.out_ep = vid, pid, in_ep, out_ep
        self._p: Any = None

    @property
    def is_open(self) -> bool:
        return self._p is not None

    def open(self, timeout_s: float) -> None:
        if self._p is not None:
            return
        try:
            from escpos.printer import Usb
        except ImportError as e:
            raise TransportError("unsupported", "usb:// needs python-escpos[usb] (pyusb)") from e
        try:
            p = Usb(self.vid, self.pid, timeout=int(timeout_s * 1000), in_ep=self.in_ep, out_ep=self.out_ep)
            p.open(raise_not_found=True)
        except Exception as e:  # noqa: BLE001 - pyusb and escpos raise many unrelated types
            raise TransportError("connect_failed", f"usb {self.vid:04x}:{self.pid:04x}: {e}") from e
        self._p = p

    def write(self, data: bytes, timeout_s: float) -> None:
        if self._p is None:
            raise TransportError("connection_lost", "not open")
        try:
            self._p.device.write(self.out_ep, data, int(timeout_s * 1000))
        except Exception as e:  # noqa: BLE001
            timeout = "timeout" in str(e).lower()
            if not timeout:
                self.close()
            raise TransportError("write_timeout" if timeout else "connection_lost", str(e)) from e

    def read(self, n: int, timeout_s: float) -> bytes:
        if self._p is None:
            raise TransportError("connection_lost", "not open")
        deadline = time.monotonic() + timeout_s
        got = bytearray()
        while len(got) < n and time.monotonic() < deadline:
            try:
                got += bytes(self._p.device.read(self.in_ep, 64, max(1, int((deadline - time.monotonic()) * 1000))))
            except Exception as e:  # noqa: BLE001
                if "timeout" in str(e).lower():
                    break
                self.close()
                raise TransportError("connection_lost", str(e)) from e
        return bytes(got[:n])

    def discard_input(self) -> None:
        self.read(4096, 0.01) if self._p is not None else None

    def close(self) -> None:
        p, self._p = self._p, None
        if p is not None:
            try:
                p.close()
            except Exception:  # noqa: BLE001
                pass


class FileTransport:
    """A device node (e.g. /dev/usb/lp0, whose kernel driver passes status replies back) or a
    plain file (a sink for tests and demos: write-only, so status is 'unavailable')."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self.readable = False

    @property
    def is_open(self) -> bool:
        return self._fd is not None

    def open(self, timeout_s: float) -> None:
        if self._fd is not None:
            return
        try:
            is_device = os.path.exists(self.path) and stat.S_ISCHR(os.stat(self.path).st_mode)
            if is_device:
                self._fd = os.open(self.path, os.O_RDWR | os.O_NONBLOCK)
            else:
                self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as e:
            raise TransportError("connect_failed", f"{self.path}: {e}") from e
        self.readable = is_device

    def write(self, data: bytes, timeout_s: float) -> None:
        fd = self._fd
        if fd is None:
            raise TransportError("connection_lost", "not open")
        deadline = time.monotonic() + timeout_s
        view = memoryview(data)
        while view:
            try:
                n = os.write(fd, view)
                view = view[n:]
            except BlockingIOError:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TransportError("write_timeout", f"printer took no data for {timeout_s:.1f} s") from None
                select.select([], [fd], [], remaining)
            except OSError as e:
                self.close()
                raise TransportError("connection_lost", str(e)) from e

    def read(self, n: int, timeout_s: float) -> bytes:
        fd = self._fd
        if fd is None or not self.readable:
            return b""
        deadline = time.monotonic() + timeout_s
        got = bytearray()
        while len(got) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                break
            try:
                chunk = os.read(fd, n - len(got))
            except BlockingIOError:
                continue
            except OSError as e:
                if e.errno == errno.EAGAIN:
                    continue
                self.close()
                raise TransportError("connection_lost", str(e)) from e
            if not chunk:
                time.sleep(min(0.02, max(0.0, deadline - time.monotonic())))  # usblp: nothing yet
                continue
            got += chunk
        return bytes(got)

    def discard_input(self) -> None:
        if self._fd is not None and self.readable:
            self.read(4096, 0.0)

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass


def _int(text: str) -> int:
    return int(text, 16) if text.lower().startswith("0x") else int(text)


def from_url(url: str) -> Transport:
    """The transport a printer URL names; TransportError('bad_url') when it names none."""
    try:
        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.scheme == "tcp":
            if not parts.hostname:
                raise ValueError("no host")
            return TcpTransport(parts.hostname, parts.port or 9100)
        if parts.scheme == "serial":
            if not parts.path:
                raise ValueError("no device path")
            return SerialTransport(parts.path, int(query.get("baud", "115200")), query.get("flow", "rtscts"))
        if parts.scheme == "usb":
            vid, _, pid = parts.netloc.partition(":")
            return UsbTransport(_int(vid), _int(pid), _int(query.get("in_ep", "0x82")), _int(query.get("out_ep", "0x01")))
        if parts.scheme == "file":
            if not parts.path:
                raise ValueError("no path")
            return FileTransport(parts.path)
    except ValueError as e:
        raise TransportError("bad_url", f"{url!r}: {e}") from e
    raise TransportError("bad_url", f"{url!r}: use tcp://, serial://, usb:// or file://")
