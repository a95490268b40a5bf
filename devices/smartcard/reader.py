"""Social security card reader over PC/SC (pyscard's low-level `smartcard.scard` API).

Why not pyscard's CardMonitor/ReaderMonitor: their threads die for good on SCARD_E_NO_SERVICE
and RPC errors (pcscd restart, reader unplug). Here one `poll()` is one bounded unit of work
(list readers, wait on SCardGetStatusChange for a short timeout, read a new card), and every
PC/SC failure becomes a `ReaderFault` with a stable reason. `devices.supervisor.Supervisor`
turns that into status fault(pcscd_down / no_reader), closes us, and reopens us with backoff:
reopening re-creates the PC/SC context, which is what recovers after pcscd comes back.

Debounce: one read per insertion. An insertion is identified by pcsc-lite's event counter
(upper 16 bits of dwEventState, bumped on every insert/remove), so a quick pull-and-reinsert
between two polls still counts as a new insertion, while our own connect/disconnect (which
also changes the state) does not. A card found in the reader after the context was
re-created (pcscd restart powers cards down) counts as a new insertion.

Privacy: logs carry reader names, PC/SC codes, status words and lengths, never card data.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from smartcard import scard

from devices.smartcard.apdu import CardRemoved, SmartCardError
from devices.smartcard.sscard import SsCardRecord, read_sscard
from devices.status import FAULT, OK, DeviceStatus

log = logging.getLogger(__name__)


def _u32(code: int) -> int:
    return code & 0xFFFFFFFF  # pyscard may hand codes back signed on some builds


# The daemon is gone or the connection to it broke: a new context is needed once it is back.
_PCSCD_DOWN = {_u32(c) for c in (scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED,
                                 scard.SCARD_F_COMM_ERROR, scard.SCARD_E_INVALID_HANDLE)}
_NO_READER = {_u32(c) for c in (scard.SCARD_E_NO_READERS_AVAILABLE, scard.SCARD_E_UNKNOWN_READER,
                                scard.SCARD_E_READER_UNAVAILABLE)}
# The card is not there (any more) or was disturbed mid-read. A card pulled mid-APDU first
# shows up as NOT_TRANSACTED, before pcscd's presence poll notices: the remedy is the same.
_CARD_GONE = {_u32(c) for c in (scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD,
                                scard.SCARD_W_RESET_CARD, scard.SCARD_W_UNPOWERED_CARD,
                                scard.SCARD_E_NOT_TRANSACTED)}
_CARD_UNREADABLE = {_u32(c) for c in (scard.SCARD_W_UNRESPONSIVE_CARD, scard.SCARD_E_PROTO_MISMATCH,
                                      scard.SCARD_E_SHARING_VIOLATION, scard.SCARD_W_UNSUPPORTED_CARD)}
_TIMEOUT = _u32(scard.SCARD_E_TIMEOUT)


class ReaderFault(SmartCardError):
    """The reader side is broken: `reason` is pcscd_down, no_reader or pcsc_error."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        super().__init__(detail)


class NoCard(SmartCardError):
    reason = "no_card"


class CardUnreadable(SmartCardError):
    """A card is there but cannot be talked to (mute, wrong protocol, held by someone else)."""

    reason = "card_unreadable"


def _code_text(code: int) -> str:
    try:
        return f"{scard.SCardGetErrorMessage(code)} (0x{_u32(code):08X})"
    except Exception:  # noqa: BLE001 - only for a message
        return f"0x{_u32(code):08X}"


def _fault(code: int, what: str) -> SmartCardError:
    """The typed error for a failed PC/SC call."""
    c = _u32(code)
    if c in _PCSCD_DOWN:
        return ReaderFault("pcscd_down", f"{what}: pcscd not reachable: {_code_text(code)}")
    if c in _NO_READER:
        return ReaderFault("no_reader", f"{what}: reader gone: {_code_text(code)}")
    if c in _CARD_GONE:
        return CardRemoved(f"{what}: card removed: {_code_text(code)}")
    if c in _CARD_UNREADABLE:
        return CardUnreadable(f"{what}: card unreadable: {_code_text(code)}")
    return ReaderFault("pcsc_error", f"{what}: {_code_text(code)}")


def _check(code: int, what: str) -> None:
    if _u32(code) != _u32(scard.SCARD_S_SUCCESS):
        raise _fault(code, what)


class SmartCardReader:
    """A driver for devices.supervisor: open/close/status/self_test/poll, plus callbacks.

    Callbacks run on the polling thread: `on_card(record)` once per insertion with a complete
    record, `on_removed()` when a card seen earlier leaves, `on_read_error(error)` when a read
    of an inserted card failed (CardRemoved mid-read, CardError, SscardParseError, ...).
    """

    def __init__(self, reader_substring: str = "", *,
                 on_card: Callable[[SsCardRecord], None] | None = None,
                 on_removed: Callable[[], None] | None = None,
                 on_read_error: Callable[[Exception], None] | None = None,
                 poll_timeout_s: float = 0.25,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.reader_substring = reader_substring
        self.on_card = on_card or (lambda record: None)
        self.on_removed = on_removed or (lambda: None)
        self.on_read_error = on_read_error or (lambda error: None)
        self.poll_timeout_ms = max(0, int(poll_timeout_s * 1000))
        self.monotonic = monotonic
        self._lock = threading.RLock()
        self._ctx: Any = None
        self._reader: str | None = None
        self._known_state = scard.SCARD_STATE_UNAWARE
        self._read_insertion: int | None = None  # event counter of the insertion already read
        self._card_present = False
        self._status = DeviceStatus(FAULT, "not_opened", "not opened yet", monotonic())
        self.reads = 0  # complete records delivered (tests, telemetry)

    # ---- driver interface ---------------------------------------------------------------

    @property
    def reader_name(self) -> str | None:
        return self._reader

    def open(self) -> None:
        with self._lock:
            self._release()
            try:
                hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
                _check(hr, "establish context")
                self._ctx = ctx
                self._select_reader()
            except SmartCardError as e:
                self._release()
                self._set_status(FAULT, getattr(e, "reason", "pcsc_error"), str(e))
                raise
            self._set_status(OK, "", f"reader {self._reader!r}")

    def close(self) -> None:
        with self._lock:
            self._release()
            self._set_status(FAULT, "closed", "closed")

    def status(self) -> DeviceStatus:
        return self._status

    def self_test(self) -> DeviceStatus:
        """Is pcscd reachable and our reader listed and answering? Reads no card data and
        leaves this driver's own context and status alone."""
        probe = SmartCardReader(self.reader_substring, monotonic=self.monotonic)
        try:
            probe.open()
            probe.wait_change_once()
            return DeviceStatus(OK, "", f"reader {probe.reader_name!r} answers", self.monotonic())
        except SmartCardError as e:
            return DeviceStatus(FAULT, getattr(e, "reason", "pcsc_error"), str(e)[:200], self.monotonic())
        finally:
            probe.close()

    def wait_change_once(self, timeout_s: float = 0.0) -> int | None:
        """One SCardGetStatusChange on our reader (state flags, or None when unchanged)."""
        with self._lock:
            if self._ctx is None:
                raise ReaderFault("not_opened", "not open")
            return self._wait_change(int(timeout_s * 1000))

    def poll(self) -> None:
        """Wait up to poll_timeout_s for a reader state change; read a newly inserted card.

        Raises ReaderFault for reader-side trouble (the supervisor reopens us); card trouble
        goes to on_read_error and leaves the reader ok."""
        with self._lock:
            if self._ctx is None:
                raise ReaderFault("not_opened", "poll before open")
            self._select_reader()
            event = self._wait_change(self.poll_timeout_ms)
            if event is None:
                return  # nothing changed
            if not event & scard.SCARD_STATE_PRESENT:
                self._read_insertion = None  # also debounces PC/SC stacks without a counter
                if self._card_present:
                    self._card_present = False
                    log.info("card removed from %r", self._reader)
                    self._call(self.on_removed)
                return
            self._card_present = True
            insertion = (event >> 16) & 0xFFFF
            if insertion == self._read_insertion:
                return  # this presentation was already read (or tried)
            self._read_insertion = insertion
            if event & scard.SCARD_STATE_MUTE:
                log.info("card in %r does not answer reset (mute)", self._reader)
                self._call(self.on_read_error, CardUnreadable("card does not answer reset"))
                return
            try:
                record = self._read_card_locked()
            except ReaderFault:
                raise
            except (SmartCardError, ValueError) as e:
                log.info("card read failed: %s (%s)", type(e).__name__, getattr(e, "reason", ""))
                self._call(self.on_read_error, e)
                return
            self.reads += 1
            self._call(self.on_card, record)

    # ---- reading ------------------------------------------------------------------------

    def read_card(self) -> SsCardRecord:
        """Read the card in the reader now (no debounce). Raises NoCard, CardRemoved,
        CardError, SscardParseError, ReaderFault."""
        with self._lock:
            if self._ctx is None:
                raise ReaderFault("not_opened", "read before open")
            return self._read_card_locked()

    def wait_for_card(self, timeout_s: float) -> None:
        """Return once a card is present; NoCard after timeout_s."""
        with self._lock:
            deadline = self.monotonic() + timeout_s
            self._known_state = scard.SCARD_STATE_UNAWARE
            while True:
                remaining = deadline - self.monotonic()
                event = self._wait_change(max(0, min(int(remaining * 1000), self.poll_timeout_ms or 250)))
                if event is not None and event & scard.SCARD_STATE_PRESENT and not event & scard.SCARD_STATE_MUTE:
                    return
                if self.monotonic() >= deadline:
                    raise NoCard(f"no card in {self._reader!r} within {timeout_s:g} s")
                self._select_reader()  # the reader may vanish while we wait

    def _read_card_locked(self) -> SsCardRecord:
        hr, hcard, protocol = scard.SCardConnect(self._ctx, self._reader, scard.SCARD_SHARE_SHARED,
                                                 scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
        _check(hr, "connect")
        rounds = 0

        def transmit(apdu: bytes) -> bytes:
            nonlocal rounds
            rounds += 1
            rv, response = scard.SCardTransmit(hcard, protocol, list(apdu))
            _check(rv, f"transmit #{rounds}")
            if len(response) < 2:
                # No status word: the card went silent mid-command. vpcd reports a vanished
                # card this way (success, empty answer); readers say NOT_TRANSACTED.
                raise CardRemoved(f"transmit #{rounds}: no answer from the card")
            return bytes(response)

        try:
            record = read_sscard(transmit)
        finally:
            rv = scard.SCardDisconnect(hcard, scard.SCARD_LEAVE_CARD)
            if _u32(rv) != _u32(scard.SCARD_S_SUCCESS):
                log.debug("disconnect: %s", _code_text(rv))
        log.info("card read in %d APDUs (generation %d, holder data %s)", rounds, record.generation,
                 "readable" if record.holder_readable else "not readable")
        return record

    # ---- internals ----------------------------------------------------------------------

    def _set_status(self, state: str, reason: str, detail: str) -> None:
        if (state, reason) != (self._status.state, self._status.reason):
            self._status = DeviceStatus(state, reason, detail, self.monotonic())

    def _release(self) -> None:
        ctx, self._ctx = self._ctx, None
        self._known_state = scard.SCARD_STATE_UNAWARE
        self._read_insertion = None  # a new context cannot tell an old insertion from a new one
        self._card_present = False
        if ctx is not None:
            try:
                scard.SCardReleaseContext(ctx)
            except Exception:  # noqa: BLE001 - the daemon may be gone with the context
                log.debug("release context failed", exc_info=True)

    def _select_reader(self) -> None:
        hr, readers = scard.SCardListReaders(self._ctx, [])
        if _u32(hr) == _u32(scard.SCARD_E_NO_READERS_AVAILABLE):
            readers = []
        else:
            _check(hr, "list readers")
        wanted = self.reader_substring.casefold()
        match = next((r for r in readers or [] if wanted in r.casefold()), None)
        if match is None:
            self._reader = None
            raise ReaderFault("no_reader", f"no PC/SC reader matching {self.reader_substring!r} "
                                           f"({len(readers or [])} readers listed)")
        if match != self._reader:
            log.info("using reader %r", match)
            self._reader = match
            self._known_state = scard.SCARD_STATE_UNAWARE
            self._read_insertion = None

    def _wait_change(self, timeout_ms: int) -> int | None:
        """The reader's new dwEventState after a change, None when nothing changed in time."""
        hr, states = scard.SCardGetStatusChange(self._ctx, timeout_ms, [(self._reader, self._known_state)])
        if _u32(hr) == _TIMEOUT:
            return None
        _check(hr, "get status change")
        event = int(states[0][1])
        if event & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE):
            raise ReaderFault("no_reader", f"reader {self._reader!r} unavailable (state 0x{event:X})")
        self._known_state = event & ~scard.SCARD_STATE_CHANGED
        return event

    def _call(self, fn: Callable[..., None], *args: Any) -> None:
        try:
            fn(*args)
        except Exception:  # noqa: BLE001 - a listener bug must not look like a reader fault
            log.exception("smart card listener failed")


def read_once(reader_substring: str = "", timeout_s: float = 10.0) -> SsCardRecord:
    """Open the reader, wait up to timeout_s for a card, read it, close. For the CLI.

    Raises ReaderFault(pcscd_down / no_reader), NoCard, CardRemoved, CardError,
    SscardParseError."""
    reader = SmartCardReader(reader_substring)
    reader.open()
    try:
        reader.wait_for_card(timeout_s)
        return reader.read_card()
    finally:
        reader.close()
