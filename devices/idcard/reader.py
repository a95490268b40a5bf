"""The ID card reader driver: GA/T 467 over a serial port (pyserial).

One poll() is one find -> select -> read cycle; devices/supervisor.py calls it in a loop and
turns the typed errors raised here into a fault status, then reopens with backoff.

Rules this file keeps:
- every wait is bounded twice: by the pyserial timeout of each read call and by an overall
  deadline per exchange (the count of empty reads bounds it too, so a frozen injected clock
  cannot hang the driver);
- damaged frames are resent a bounded number of times; "no card" (80/81) is normal, not a fault;
- one read per presentation: after a good read nothing is read again until find has failed
  `removal_polls` times in a row (the card left the field). on_removed fires then. Real
  modules also fail find for a card that was read and still lies there (it stays halted), so
  on_removed means "the reader let go of the card", not "the citizen took it";
- logs carry lengths and status codes only, never card content.
"""
from __future__ import annotations

import errno
import logging
import threading
import time
from collections import deque
from typing import Any, Callable, NoReturn
from urllib.parse import parse_qs, urlparse

import serial

from devices.idcard import codec
from devices.idcard.codec import FrameError, Response, sw_name
from devices.idcard.parse import IdRecord, ParseError, parse_read_payload
from devices.status import DEGRADED, FAULT, OK, DeviceStatus

try:  # termios errors (tcflush on a vanished tty) are not OSErrors
    import termios

    _PORT_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, termios.error)
except ImportError:  # pragma: no cover - non-POSIX
    _PORT_ERRORS = (serial.SerialException, OSError)

log = logging.getLogger(__name__)

DEFAULT_BAUD = 115200
_READ_SLICE_S = 0.05  # pyserial timeout per read call: how often the deadline is looked at
_LARGEST_ANSWER = 2400  # 30 10 answer, with room to spare


def default_timeout_s(baud: int) -> float:
    """Per-exchange deadline: the largest answer's wire time plus the module's think time."""
    return 0.3 + _LARGEST_ANSWER * 10 / baud


class IdCardError(Exception):
    """Base of the driver's errors. `reason` is the stable code the supervisor reports."""

    reason = "idcard_error"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.reason)


class ReaderGone(IdCardError):
    """The port cannot be opened or failed under us (cable pulled, USB reset)."""

    reason = "disconnected"


class ReaderBusy(ReaderGone):
    """Another process holds the port (e.g. the kiosk app while a technician runs read-id)."""

    reason = "busy"


class ReaderNotResponding(IdCardError):
    """The port is there but no valid answer came within the deadline, after retries."""

    reason = "not_responding"


class LineError(IdCardError):
    """Answers kept arriving damaged (checksum/length) after every retry."""

    reason = "line_errors"


class SamOutOfService(IdCardError):
    """The module answered 60/66: its security module is broken or not authorised."""

    reason = "sam_out_of_service"


class NoCardTimeout(IdCardError):
    """read_once: no card was presented in time (the reader itself is fine)."""

    reason = "no_card"


class CardReadFailed(IdCardError):
    """read_once: a card was there but could not be read or understood."""

    reason = "read_failed"


class _NoAnswer(Exception):
    """Internal: the deadline passed without a frame (not TimeoutError: that is an OSError,
    which means "port gone" here)."""


def port_from_url(url_or_port: str) -> tuple[str, int | None]:
    """`serial:///dev/ttyUSB0?baud=115200` -> ('/dev/ttyUSB0', 115200); a plain path or any
    other pyserial URL (rfc2217://, loop://) passes through."""
    if not url_or_port.startswith("serial://"):
        return url_or_port, None
    u = urlparse(url_or_port)
    baud = parse_qs(u.query).get("baud", [None])[0]
    return (u.netloc + u.path) or u.path, int(baud) if baud else None


class IdCardReader:
    def __init__(self, url_or_port: str, baud: int = DEFAULT_BAUD, read_fingerprint: bool = False,
                 timeout_s: float | None = None, *, retries: int = 2, poll_interval_s: float = 0.1,
                 removal_polls: int = 2,
                 on_card: Callable[[IdRecord], None] | None = None,
                 on_removed: Callable[[], None] | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 serial_factory: Callable[..., Any] | None = None) -> None:
        self.port_name, url_baud = port_from_url(url_or_port)
        self.baud = url_baud or baud
        self.read_fingerprint = read_fingerprint
        self.timeout_s = timeout_s if timeout_s is not None else default_timeout_s(self.baud)
        self.retries = retries
        self.poll_interval_s = poll_interval_s
        self.removal_polls = max(1, removal_polls)
        self.on_card = on_card
        self.on_removed = on_removed
        self._monotonic, self._sleep = monotonic, sleep
        self._serial_factory = serial_factory or serial.serial_for_url
        self._port: Any = None
        self._lock = threading.RLock()
        self._decoder = codec.response_decoder()
        self._status = DeviceStatus(FAULT, "not_opened", "not opened yet", monotonic())
        self._card_read = False  # a card was read and has not left the field since
        self._misses = 0  # consecutive failed finds since that read
        # Why the last read_card() returned None: no_card | debounced | select_failed |
        # read_failed | unreadable. read_once uses it to tell "no card" from "bad card".
        self.last_miss = "no_card"
        self._retried: deque[bool] = deque(maxlen=10)  # recent exchanges: needed a resend?
        self.bytes_tx = self.bytes_rx = 0  # wire accounting (bench, diagnostics)
        self.resends = 0  # commands sent again after a damaged or missing answer

    # --- lifecycle ---

    def open(self) -> None:
        """Open the port and check the SAM; raises ReaderGone / ReaderNotResponding / SamOutOfService."""
        with self._lock:
            self.close()
            try:
                # exclusive: two processes interleaving commands on one module would garble both.
                self._port = self._serial_factory(self.port_name, baudrate=self.baud, bytesize=8, parity="N",
                                                  stopbits=1, timeout=min(_READ_SLICE_S, self.timeout_s),
                                                  write_timeout=self.timeout_s, exclusive=True)
            except _PORT_ERRORS as e:
                if getattr(e, "errno", None) in (errno.EAGAIN, errno.EWOULDBLOCK):
                    self._fail(ReaderBusy(f"{self.port_name} is in use by another process"))
                self._fail(ReaderGone(f"cannot open {self.port_name}: {type(e).__name__}"))
            try:
                self._check_sam()
            except IdCardError:
                self._close_port()
                raise
            self._card_read, self._misses = False, 0
            self._set(DeviceStatus(OK))

    def close(self) -> None:
        with self._lock:
            self._close_port()
            if self._status.reason not in ("not_opened",) and self._status.state != FAULT:
                self._set(DeviceStatus(FAULT, "closed", "closed"))

    def status(self) -> DeviceStatus:
        with self._lock:
            if self._status.state == OK and sum(self._retried) >= 3:
                return DeviceStatus(DEGRADED, "line_noise", "several recent answers had to be resent",
                                    self._status.since)
            return self._status

    def self_test(self) -> DeviceStatus:
        """Ask the SAM for its status (11 FF). Reports; does not raise."""
        with self._lock:
            try:
                self._require_open()
                self._check_sam()
                self._set(DeviceStatus(OK))
            except IdCardError:
                pass
            return self.status()

    def sam_id(self) -> str:
        """The SAM's management number (12 FF), hex, for technician diagnostics."""
        with self._lock:
            self._require_open()
            resp = self._exchange(codec.SAM_ID)
            return resp.data.hex()

    # --- the work ---

    def poll(self) -> IdRecord | None:
        """One find -> select -> read cycle, debounced. Calls on_card/on_removed. Sleeps
        poll_interval_s (injected sleep) when there was nothing to do, so a supervisor calling it
        in a tight loop does not hammer the module."""
        record = self.read_card()
        if record is None:
            self._sleep(self.poll_interval_s)
        return record

    def read_card(self) -> IdRecord | None:
        """Like poll() without the idle sleep: the bench and read_once use it directly."""
        with self._lock:
            record, left = self._cycle()
        # Listeners run outside the lock: they may take their time or call back into the driver.
        if left:
            self._notify(self.on_removed)
        if record is not None:
            self._notify(self.on_card, record)
        return record

    def _cycle(self) -> tuple[IdRecord | None, bool]:
        """find -> select -> read. Returns (record or None, "the read card has left")."""
        self._require_open()
        find = self._exchange(codec.FIND_CARD)
        if find.sw3 != codec.SW_FIND_OK:
            self.last_miss = "no_card"
            return None, self._missed()
        if self._card_read:  # still the card we already read: one read per presentation
            self.last_miss, self._misses = "debounced", 0
            return None, False
        select = self._exchange(codec.SELECT_CARD)
        if select.sw3 != codec.SW_OK:  # 81: the card moved away between find and select
            log.debug("select: %s", sw_name(select.sw3))
            self.last_miss = "select_failed"
            return None, False
        resp = self._exchange(codec.READ_TEXT_PHOTO_FP if self.read_fingerprint else codec.READ_TEXT_PHOTO)
        if resp.sw3 != codec.SW_OK:
            log.info("read: %s", sw_name(resp.sw3))
            self.last_miss = "read_failed"
            return None, False
        try:
            record = parse_read_payload(resp.data, self.read_fingerprint)
        except ParseError as e:
            log.warning("read: %d bytes not understood: %s", len(resp.data), e)
            self.last_miss = "unreadable"
            return None, False
        log.info("read: %s card, %d bytes", record.card_type, len(resp.data))
        self._card_read, self._misses = True, 0
        return record, False

    # --- internals ---

    def _missed(self) -> bool:
        """Count a failed find; True when that makes the read card count as gone."""
        if not self._card_read:
            return False
        self._misses += 1
        if self._misses < self.removal_polls:
            return False
        self._card_read, self._misses = False, 0
        log.debug("card left the field")
        return True

    @staticmethod
    def _notify(callback: Callable[..., None] | None, *args: Any) -> None:
        # Outside the lock, and a listener's bug must not look like a broken reader to the supervisor.
        if callback is None:
            return
        try:
            callback(*args)
        except Exception as e:  # noqa: BLE001
            log.error("idcard listener failed: %s", type(e).__name__)

    def _check_sam(self) -> None:
        resp = self._exchange(codec.SAM_STATUS)
        if resp.sw3 != codec.SW_OK:
            self._fail(ReaderNotResponding(f"SAM status answered {sw_name(resp.sw3)}"))

    def _require_open(self) -> None:
        if self._port is None:
            raise ReaderGone(f"{self.port_name} is not open")

    def _exchange(self, command: tuple[int, int], data: bytes = b"") -> Response:
        """Send one command and return its answer, resending on damage or silence."""
        frame = codec.build_command(*command, data)
        last: IdCardError | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self.resends += 1
            try:
                resp = self._transact(frame)
            except FrameError as e:
                last = LineError(f"{command[0]:02X}{command[1]:02X}: {e.reason}")
                log.debug("exchange %02X%02X attempt %d: %s", command[0], command[1], attempt + 1, e.reason)
                self._retried.append(True)
                continue
            except _NoAnswer:
                last = ReaderNotResponding(f"no answer to {command[0]:02X}{command[1]:02X} "
                                           f"within {self.timeout_s:.2f} s")
                self._retried.append(True)
                continue
            if resp.sw3 in codec.SAM_OUT_OF_SERVICE:
                self._fail(SamOutOfService(f"module answered {sw_name(resp.sw3)}"))
            if resp.sw3 in codec.SW_TRANSPORT_ERRORS:  # the module got our frame damaged
                last = LineError(f"{command[0]:02X}{command[1]:02X}: module reported {sw_name(resp.sw3)}")
                self._retried.append(True)
                continue
            self._retried.append(attempt > 0)
            return resp
        assert last is not None
        self._fail(last)

    def _transact(self, frame: bytes) -> Response:
        port = self._port
        try:
            # Strict request/answer protocol: anything already waiting is stale or noise.
            port.reset_input_buffer()
            self._decoder.reset()
            port.write(frame)
            self.bytes_tx += len(frame)
            deadline = self._monotonic() + self.timeout_s
            empty_reads_left = int(self.timeout_s / _READ_SLICE_S) + 2
            while True:
                waiting = port.in_waiting
                chunk = port.read(waiting if waiting else 1)
                if chunk:
                    self.bytes_rx += len(chunk)
                    items = self._decoder.feed(chunk)
                    for item in items:
                        if isinstance(item, Response):
                            return item
                    for item in items:
                        raise item  # only FrameErrors are left
                else:
                    empty_reads_left -= 1
                if self._monotonic() >= deadline or empty_reads_left <= 0:
                    raise _NoAnswer
        except _PORT_ERRORS as e:
            self._close_port()
            self._fail(ReaderGone(f"{self.port_name}: {type(e).__name__}"))

    def _fail(self, error: IdCardError) -> NoReturn:
        self._set(DeviceStatus(FAULT, error.reason, str(error)[:200]))
        raise error

    def _set(self, status: DeviceStatus) -> None:
        if (status.state, status.reason) != (self._status.state, self._status.reason):
            self._status = DeviceStatus(status.state, status.reason, status.detail, self._monotonic())

    def _close_port(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except _PORT_ERRORS:
                pass


def read_once(port: str, timeout_s: float, baud: int = DEFAULT_BAUD, *, read_fingerprint: bool = False,
              monotonic: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
              poll_interval_s: float = 0.1) -> IdRecord:
    """Open the reader, wait up to timeout_s for a card, return its record, close.

    Raises ReaderGone, ReaderNotResponding, LineError, SamOutOfService, NoCardTimeout or
    CardReadFailed (all IdCardError)."""
    deadline = monotonic() + timeout_s
    _, url_baud = port_from_url(port)
    exchange_s = min(default_timeout_s(url_baud or baud), max(timeout_s, 0.05))
    reader = IdCardReader(port, baud=baud, read_fingerprint=read_fingerprint, timeout_s=exchange_s,
                          poll_interval_s=poll_interval_s, monotonic=monotonic, sleep=sleep)
    reader.open()
    try:
        while True:
            record = reader.read_card()
            if record is not None:
                return record
            if monotonic() >= deadline:
                if reader.last_miss in ("read_failed", "unreadable"):
                    raise CardReadFailed(f"a card was found but could not be read ({reader.last_miss})")
                raise NoCardTimeout(f"no card presented within {timeout_s:g} s")
            sleep(min(poll_interval_s, max(0.0, deadline - monotonic())))
    finally:
        reader.close()
