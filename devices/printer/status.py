"""Real-time status replies (`DLE EOT n`), parsed and judged, with no I/O.

Every reply is one byte shaped `0xx1xx10` (bit0 = 0, bit1 = 1, bit4 = 1, bit7 = 0; idle 0x12).
A byte of another shape is not a status: it is a stale answer, line noise, or not an ESC/POS
printer, and it is never read as "fine". Bits (shared/REFERENCE.md section 4):

    n=1 printer        bit2 drawer pin 3 high, bit3 offline, bit5 waiting for online recovery,
                       bit6 feed button pressed
    n=2 offline cause  bit2 cover open, bit3 paper fed by the feed button, bit5 printing stopped
                       by paper end, bit6 error
    n=3 error cause    bit3 autocutter error, bit5 unrecoverable error, bit6 auto-recoverable error
    n=4 paper sensor   bits 2+3 (0x0C) roll near its end, bits 5+6 (0x60) paper end
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from devices.printer.escpos import status_query
from devices.status import DEGRADED, FAULT, OK, DeviceStatus

SHAPE_MASK, SHAPE_VALUE = 0b1001_0011, 0b0001_0010
IDLE = 0x12

# The queries the driver sends, in this order; the replies come back in the same order.
QUERY_ORDER = (1, 2, 4)
QUERY = b"".join(status_query(n) for n in QUERY_ORDER)


class PrinterState(str, Enum):
    OK = "ok"
    NEAR_END = "near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    ERROR = "error"
    NOT_RESPONDING = "not_responding"
    UNKNOWN = "unknown"


class BadStatusByte(ValueError):
    def __init__(self, value: int) -> None:
        super().__init__(f"0x{value:02x} is not a DLE EOT reply (shape 0xx1xx10)")
        self.value = value


def check_shape(value: int) -> int:
    if not 0 <= value <= 0xFF or value & SHAPE_MASK != SHAPE_VALUE:
        raise BadStatusByte(value)
    return value


def _bit(value: int, n: int) -> bool:
    return bool(value >> n & 1)


@dataclass(frozen=True)
class PrinterBits:  # n=1
    drawer_pin3: bool
    offline: bool
    waiting_recovery: bool
    feed_button: bool


@dataclass(frozen=True)
class OfflineCause:  # n=2
    cover_open: bool
    feeding_by_button: bool
    paper_end_stop: bool
    error: bool


@dataclass(frozen=True)
class ErrorCause:  # n=3
    autocutter: bool
    unrecoverable: bool
    auto_recoverable: bool


@dataclass(frozen=True)
class PaperSensor:  # n=4
    near_end: bool
    paper_end: bool


def parse_printer(value: int) -> PrinterBits:
    v = check_shape(value)
    return PrinterBits(_bit(v, 2), _bit(v, 3), _bit(v, 5), _bit(v, 6))


def parse_offline_cause(value: int) -> OfflineCause:
    v = check_shape(value)
    return OfflineCause(_bit(v, 2), _bit(v, 3), _bit(v, 5), _bit(v, 6))


def parse_error_cause(value: int) -> ErrorCause:
    v = check_shape(value)
    return ErrorCause(_bit(v, 3), _bit(v, 5), _bit(v, 6))


def parse_paper(value: int) -> PaperSensor:
    v = check_shape(value)
    # The sensor is reported twice (bits 2 and 3, bits 5 and 6); either one counts, since
    # missing the end of the paper costs a citizen a receipt.
    return PaperSensor(bool(v & 0x0C), bool(v & 0x60))


@dataclass(frozen=True)
class Reading:
    state: PrinterState
    detail: str = ""
    raw: bytes = b""


def classify(reply: bytes) -> Reading:
    """Judge the replies to `QUERY` (DLE EOT 1, 2, 4). No reply at all: not responding. A short
    or misshapen reply: unknown. Never ok unless all three bytes say so."""
    raw = bytes(reply)
    if not raw:
        return Reading(PrinterState.NOT_RESPONDING, "no reply to DLE EOT", raw)
    if len(raw) < len(QUERY_ORDER):
        return Reading(PrinterState.UNKNOWN, f"{len(raw)} of {len(QUERY_ORDER)} status bytes", raw)
    try:
        printer = parse_printer(raw[0])
        cause = parse_offline_cause(raw[1])
        paper = parse_paper(raw[2])
    except BadStatusByte as e:
        return Reading(PrinterState.UNKNOWN, str(e), raw)
    if len(raw) > len(QUERY_ORDER):
        # More bytes than questions: something else is talking (automatic status back, an echo).
        return Reading(PrinterState.UNKNOWN, f"{len(raw)} bytes for {len(QUERY_ORDER)} queries", raw)
    return Reading(*_judge(printer, cause, paper), raw)


def _judge(printer: PrinterBits, cause: OfflineCause, paper: PaperSensor) -> tuple[PrinterState, str]:
    if cause.cover_open:
        return PrinterState.COVER_OPEN, "cover open"
    if cause.paper_end_stop or paper.paper_end:
        return PrinterState.PAPER_OUT, "paper end"
    if cause.error:
        return PrinterState.ERROR, "printer error (DLE EOT 3 tells which)"
    if printer.offline:
        why = "paper being fed by the button" if cause.feeding_by_button else "offline"
        return PrinterState.OFFLINE, why
    if paper.near_end:
        return PrinterState.NEAR_END, "paper roll near its end"
    return PrinterState.OK, ""


def describe_error(value: int) -> str:
    """Words for a DLE EOT 3 reply, for the technician."""
    try:
        e = parse_error_cause(value)
    except BadStatusByte as exc:
        return str(exc)
    parts = [name for name, on in (("autocutter", e.autocutter), ("unrecoverable", e.unrecoverable),
                                   ("auto-recoverable", e.auto_recoverable)) if on]
    return "error: " + (", ".join(parts) if parts else "cause not reported")


# -- as a DeviceStatus --------------------------------------------------------------------------
REASONS = {
    PrinterState.NEAR_END: "paper_near_end",
    PrinterState.PAPER_OUT: "paper_out",
    PrinterState.COVER_OPEN: "cover_open",
    PrinterState.OFFLINE: "offline",
    PrinterState.ERROR: "printer_error",
    PrinterState.NOT_RESPONDING: "not_responding",
    PrinterState.UNKNOWN: "status_unknown",
}


def device_status(reading: Reading, since: float = 0.0) -> DeviceStatus:
    """ok; paper near end is degraded (prints, warns); everything else is a fault (refuse jobs)."""
    if reading.state is PrinterState.OK:
        return DeviceStatus(OK, "", "", since)
    state = DEGRADED if reading.state is PrinterState.NEAR_END else FAULT
    return DeviceStatus(state, REASONS[reading.state], reading.detail, since)
