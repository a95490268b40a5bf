"""Serial 2D scanner modules (the boxes with a window that read a phone screen), configured as

    serial:///dev/ttyACM0?baud=9600            lines end in CR, LF or CRLF (any of them)
    serial:///dev/ttyACM0?baud=9600&aim=1      lines start with an AIM identifier (]Q1, ]C0, ...)
    serial:///dev/ttyUSB0?suffix=none&idle_ms=80   no terminator: a pause ends the code

The module sends the payload bytes as they are in the code, so Chinese arrives as UTF-8 or GBK
bytes: decoded like camera payloads (UTF-8, then GB18030). A reader thread reopens the port
with backoff when it disappears (USB unplug raises on read).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import parse_qsl, unquote, urlsplit

from devices.scanner.decode import Code, decode_text
from devices.scanner.errors import SerialScannerError
from devices.status import DEGRADED, FAULT, OK, DeviceStatus

log = logging.getLogger(__name__)

# AIM symbology identifiers (ISO/IEC 15424) that scanner modules can prefix, mapped to the
# names zbar uses for the same symbologies so callers see one vocabulary.
AIM = {"Q": "QRCODE", "C": "CODE128", "E": "EAN13", "A": "CODE39", "G": "CODE93", "F": "CODABAR",
       "I": "I25", "L": "PDF417", "d": "DATAMATRIX", "e": "DATABAR"}
MAX_LINE = 8192  # a QR code holds < 3 KB; more than this without a terminator is noise


@dataclass(frozen=True)
class SerialSpec:
    port: str
    baud: int = 9600
    aim: bool = False
    terminated: bool = True
    idle_s: float = 0.08


def parse_serial_url(url: str) -> SerialSpec:
    parts = urlsplit(url)
    if parts.scheme != "serial" or not (parts.path or parts.netloc):
        raise SerialScannerError(f"not a serial scanner URL: {url!r} (serial:///dev/ttyACM0?baud=9600)", "bad_url")
    q = dict(parse_qsl(parts.query))
    try:
        baud = int(q.get("baud", "9600"))
        idle_s = float(q.get("idle_ms", "80")) / 1000
    except ValueError as e:
        raise SerialScannerError(f"bad serial URL parameter in {url!r}: {e}", "bad_url") from e
    port = unquote(parts.netloc + parts.path) if parts.netloc else unquote(parts.path)
    return SerialSpec(port, baud, q.get("aim", "0") in ("1", "true", "yes"), q.get("suffix", "") != "none", idle_s)


class LineSplitter:
    """Bytes in, complete payloads out. CR, LF and CRLF all end a line (modules differ and
    are often configured by scanning a setup barcode, so accept any); empty lines vanish."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        out = []
        start = 0
        for i, b in enumerate(self._buf):
            if b in (0x0D, 0x0A):
                if i > start:
                    out.append(bytes(self._buf[start:i]))
                start = i + 1
        del self._buf[:start]
        if len(self._buf) > MAX_LINE:
            log.warning("serial scanner: %d bytes without a terminator dropped", len(self._buf))
            self._buf.clear()
        return out

    def flush(self) -> bytes | None:
        data, self._buf = bytes(self._buf), bytearray()
        return data or None


def payload_to_code(line: bytes, aim: bool) -> Code:
    symbology = "UNKNOWN"
    if aim and len(line) >= 3 and line[:1] == b"]":
        symbology = AIM.get(chr(line[1]), f"AIM_{chr(line[1])}")
        line = line[3:]
    text, encoding = decode_text(line)
    return Code(symbology, text, line, encoding, (), (0, 0, 0, 0), 0, "serial")


def _open_serial(spec: SerialSpec) -> Any:
    import serial  # pyserial: imported here so camera-only terminals need not have it

    return serial.serial_for_url(spec.port, baudrate=spec.baud, timeout=0.05)


class SerialScanner:
    def __init__(self, url: str, on_code: Callable[[Code], None] | None = None, *,
                 backoff_s: float = 0.5, max_backoff_s: float = 10.0,
                 opener: Callable[[SerialSpec], Any] = _open_serial,
                 monotonic: Callable[[], float] = time.monotonic,
                 on_status: Callable[[DeviceStatus], None] | None = None) -> None:
        self.on_status = on_status or (lambda status: None)
        self.spec = parse_serial_url(url)
        self.on_code = on_code or (lambda code: None)
        self.backoff_s, self.max_backoff_s = backoff_s, max_backoff_s
        self._opener = opener
        self._clock = monotonic
        self._port: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._splitter = LineSplitter()
        self._failures = 0
        self._last_data = monotonic()
        self._status = DeviceStatus(FAULT, "not_opened", "not opened yet", monotonic())
        self.reopens = 0

    def status(self) -> DeviceStatus:
        return self._status

    def _set(self, status: DeviceStatus) -> None:
        if (status.state, status.reason) != (self._status.state, self._status.reason):
            self._status = DeviceStatus(status.state, status.reason, status.detail, self._clock())
            log.info("serial scanner: %s %s", status.state, status.reason)
            try:
                self.on_status(self._status)
            except Exception:  # noqa: BLE001 - a listener bug must not stop the device
                log.exception("status listener failed")

    def open(self) -> None:
        """Open the port and start the reader; raises SerialScannerError if it cannot."""
        self._open_port()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="serial-scanner", daemon=True)
        self._thread.start()

    def _open_port(self) -> None:
        try:
            self._port = self._opener(self.spec)
        except Exception as e:  # noqa: BLE001 - SerialException, OSError, ValueError alike
            self._set(DeviceStatus(FAULT, "cannot_open", f"{type(e).__name__}: {e}"[:200]))
            raise SerialScannerError(f"cannot open {self.spec.port}: {e}", "cannot_open") from e
        self._splitter = LineSplitter()
        self._set(DeviceStatus(OK, "", ""))

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)
        self._close_port()
        self._set(DeviceStatus(FAULT, "closed", "closed"))

    def _close_port(self) -> None:
        if self._port is not None:
            try:
                self._port.close()
            except Exception:  # noqa: BLE001
                pass
            self._port = None

    def _emit(self, line: bytes) -> None:
        code = payload_to_code(line, self.spec.aim)
        log.info("code: %s, %d bytes, %s", code.symbology, len(code.raw), code.encoding)
        try:
            self.on_code(code)
        except Exception:  # noqa: BLE001 - a listener bug must not stop the reader
            log.exception("on_code listener failed")

    def poll(self) -> None:
        """Read what is there (up to 50 ms) and emit complete codes. Raises on a lost port."""
        data = self._port.read(max(1, self._port.in_waiting or 1))
        now = self._clock()
        if data:
            self._last_data = now
            for line in self._splitter.feed(data):
                self._emit(line)
        elif not self.spec.terminated and now - self._last_data >= self.spec.idle_s:
            pending = self._splitter.flush()
            if pending:
                self._emit(pending)

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._port is None:
                try:
                    self._open_port()
                    self.reopens += 1
                    self._failures = 0
                except SerialScannerError:
                    self._failures += 1
                    self._stop.wait(min(self.max_backoff_s, self.backoff_s * 2 ** (self._failures - 1)))
                    continue
            try:
                self.poll()
            except Exception as e:  # noqa: BLE001 - unplug surfaces as SerialException/OSError
                if self._stop.is_set():
                    return
                log.warning("serial scanner: port lost (%s); reopening", type(e).__name__)
                self._set(DeviceStatus(DEGRADED, "disconnected", f"{type(e).__name__}: {e}"[:200]))
                self._close_port()
                self._failures += 1
                self._stop.wait(min(self.max_backoff_s, self.backoff_s * 2 ** (self._failures - 1)))

    def self_test(self) -> DeviceStatus:
        try:
            self._open_port()
            return DeviceStatus(OK, "", f"{self.spec.port} open")
        except SerialScannerError as e:
            return DeviceStatus(FAULT, e.reason, str(e)[:200])
        finally:
            self._close_port()
