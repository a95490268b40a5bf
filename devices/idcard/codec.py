"""GA/T 467 ("SAM") frame codec: pure bytes in, bytes or frames out; no I/O, no clocks.

Frame: `AA AA AA 96 69 | LEN_HI LEN_LO | body | CHK`. LEN counts every byte after the two
length bytes (body + CHK); CHK is the XOR of LEN_HI .. last body byte. Host->module bodies are
`CMD PARA [DATA]`, module->host bodies are `SW1 SW2 SW3 [DATA]`.

The decoder is the only place that looks at raw serial bytes, so it is written to survive
anything a noisy UART or a chunking USB bridge can produce: it never raises, keeps at most one
maximal frame buffered, and reports damage as values (FrameError instances) so the driver can
decide to retry.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, TypeVar, Union

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_LEN = len(PREAMBLE) + 2  # preamble + LEN_HI LEN_LO
# The largest real frame is the 30 10 answer (~2.3 KB); 4096 leaves room for vendor
# extensions while still bounding what a false preamble in line noise can make us buffer.
MAX_LEN = 4096

# Commands (CMD, PARA).
RESET_SAM = (0x10, 0xFF)
SAM_STATUS = (0x11, 0xFF)
SAM_ID = (0x12, 0xFF)
FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_TEXT_PHOTO = (0x30, 0x01)
READ_TEXT_PHOTO_FP = (0x30, 0x10)
READ_NEW_ADDRESS = (0x30, 0x03)

# SW3 codes.
SW_OK = 0x90
SW_FIND_OK = 0x9F
SW_FIND_FAILED = 0x80
SW_SELECT_FAILED = 0x81
SW_NO_ITEM = 0x91
SW_CHECKSUM = 0x10
SW_LENGTH = 0x11
SW_BAD_COMMAND = 0x21
SW_LENGTH_3F = 0x3F
SW_READ_FAILED = 0x41
SW_SAM_SELF_TEST = 0x60
SW_SAM_NOT_AUTHORISED = 0x66

# Stable codes for logs and status details (the SW byte alone is hard to read at 3 a.m.).
SW_NAMES: dict[int, str] = {
    0x90: "ok", 0x9F: "find_ok", 0x80: "find_failed", 0x81: "select_failed", 0x91: "no_such_item",
    0x10: "checksum_error", 0x11: "length_error", 0x21: "bad_command", 0x23: "unauthorised",
    0x24: "unrecognised", 0x31: "card_auth_sam_failed", 0x32: "sam_auth_card_failed",
    0x33: "verification_failed", 0x3F: "length_error", 0x40: "unknown_card_type",
    0x41: "read_failed", 0x47: "random_number_failed", 0x60: "sam_self_test_failed",
    0x66: "sam_not_authorised",
}
SAM_OUT_OF_SERVICE = frozenset({SW_SAM_SELF_TEST, SW_SAM_NOT_AUTHORISED})
# The module telling us *our* frame arrived damaged: worth resending.
SW_TRANSPORT_ERRORS = frozenset({SW_CHECKSUM, SW_LENGTH, SW_LENGTH_3F})


def sw_name(sw3: int) -> str:
    return SW_NAMES.get(sw3, f"sw_{sw3:02x}")


def checksum(data: bytes | bytearray | memoryview) -> int:
    c = 0
    for b in data:
        c ^= b
    return c


def build_frame(body: bytes) -> bytes:
    """Wrap a body (CMD PARA DATA or SW1 SW2 SW3 DATA) into a complete frame."""
    n = len(body) + 1
    if n > MAX_LEN:
        raise ValueError(f"frame body too long: {len(body)} bytes")
    head = bytes((n >> 8 & 0xFF, n & 0xFF))
    return PREAMBLE + head + body + bytes((checksum(head + body),))


def build_command(cmd: int, para: int, data: bytes = b"") -> bytes:
    return build_frame(bytes((cmd & 0xFF, para & 0xFF)) + data)


def build_response(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    return build_frame(bytes((sw1 & 0xFF, sw2 & 0xFF, sw3 & 0xFF)) + data)


@dataclass(frozen=True)
class Response:
    sw1: int
    sw2: int
    sw3: int
    data: bytes = b""

    @classmethod
    def from_body(cls, body: bytes) -> "Response":
        return cls(body[0], body[1], body[2], body[3:])

    def __repr__(self) -> str:  # data may be card text: show its size only
        return f"Response(sw={self.sw1:02X}{self.sw2:02X}{self.sw3:02X}, data_len={len(self.data)})"


@dataclass(frozen=True)
class Command:
    cmd: int
    para: int
    data: bytes = b""

    @classmethod
    def from_body(cls, body: bytes) -> "Command":
        return cls(body[0], body[1], body[2:])

    @property
    def code(self) -> tuple[int, int]:
        return (self.cmd, self.para)


class FrameError(Exception):
    """A frame that started with a preamble but cannot be trusted. `reason` is a stable code."""

    reason = "frame_error"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.reason)
        self.detail = detail


class ChecksumError(FrameError):
    reason = "checksum_error"


class LengthError(FrameError):
    """LEN is below the minimum body for this direction or above MAX_LEN."""

    reason = "length_error"


T = TypeVar("T")
Item = Union[T, FrameError]


class FrameDecoder(Generic[T]):
    """Streaming decoder: feed() bytes in any chunking, get complete frames or FrameErrors back.

    After a bad frame only the first preamble byte is dropped before rescanning, because the
    "preamble" may have been line noise sitting right in front of a real frame; consuming the
    whole claimed length would swallow that frame.
    """

    def __init__(self, make: Callable[[bytes], T], min_body: int, max_len: int = MAX_LEN) -> None:
        self._make = make
        self._min_len = min_body + 1  # + CHK
        self._max_len = max_len
        self._buf = bytearray()
        self.skipped = 0  # garbage bytes dropped while hunting for a preamble (a line-quality figure)

    @property
    def max_buffer(self) -> int:
        return HEADER_LEN + self._max_len

    @property
    def buffered(self) -> int:
        return len(self._buf)

    def reset(self) -> None:
        self._buf.clear()

    def feed(self, data: bytes | bytearray | memoryview) -> list[Item[T]]:
        out: list[Item[T]] = []
        view = memoryview(bytes(data))
        step = self.max_buffer
        # Slicing keeps the buffer bounded even when one huge chunk arrives at once.
        for start in range(0, len(view), step):
            self._buf += view[start:start + step]
            self._drain(out)
        return out

    def _drain(self, out: list[Item[T]]) -> None:
        buf = self._buf
        while True:
            i = buf.find(PREAMBLE)
            if i < 0:
                keep = _preamble_prefix_len(buf)
                self.skipped += len(buf) - keep
                del buf[:len(buf) - keep]
                return
            if i:
                self.skipped += i
                del buf[:i]
            if len(buf) < HEADER_LEN:
                return
            n = buf[5] << 8 | buf[6]
            if n < self._min_len or n > self._max_len:
                out.append(LengthError(f"LEN={n}"))
                del buf[:1]
                continue
            end = HEADER_LEN + n
            if len(buf) < end:
                return
            if checksum(memoryview(buf)[5:end - 1]) != buf[end - 1]:
                out.append(ChecksumError(f"LEN={n}"))
                del buf[:1]
                continue
            body = bytes(buf[HEADER_LEN:end - 1])
            del buf[:end]
            out.append(self._make(body))


def _preamble_prefix_len(buf: bytearray) -> int:
    """Length of the longest tail of buf that could be the start of a preamble."""
    for k in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
        if buf[-k:] == PREAMBLE[:k]:
            return k
    return 0


def response_decoder(max_len: int = MAX_LEN) -> FrameDecoder[Response]:
    """Host side: frames from the module (SW1 SW2 SW3 at least)."""
    return FrameDecoder(Response.from_body, min_body=3, max_len=max_len)


def command_decoder(max_len: int = MAX_LEN) -> FrameDecoder[Command]:
    """Module side (the simulator): frames from the host (CMD PARA at least)."""
    return FrameDecoder(Command.from_body, min_body=2, max_len=max_len)
