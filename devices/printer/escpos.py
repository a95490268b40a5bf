"""ESC/POS bytes, both ways, with no I/O: the encoder the driver sends and the parser the
emulator (and the tests) read back. Only the few commands this project uses:

    ESC @               1B 40                 initialise
    GS v 0 m xL xH yL yH d...  1D 76 30 00 ...  raster bit image, 1 = dot, MSB = leftmost
    ESC J n             1B 4A n               feed n dots
    ESC d n             1B 64 n               feed n lines (parsed, not sent)
    GS V m [n]          1D 56 00|01 / 41|42 n cut (full / partial / feed-and-cut)
    DLE EOT n           10 04 n               real-time status (answered at once)
    DLE DC4 8 1 3 20 1 6 2 8                  clear receive and print buffers (real-time)

Text is never sent as characters: printers have no Tibetan or Yi fonts and their Chinese code
pages differ by model, so everything prints as raster (shared/REFERENCE.md section 4).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from PIL import Image

ESC, GS, DLE, EOT, DC4 = 0x1B, 0x1D, 0x10, 0x04, 0x14

INIT = b"\x1b\x40"
CUT_FULL = b"\x1d\x56\x00"
CUT_PARTIAL = b"\x1d\x56\x01"
# Epson's "clear buffers" real-time command. Sent after an interrupted job so that a printer
# which kept the rest of the receipt in its buffer does not print it when paper is loaded (the
# reprint would then make two halves and one whole). Printers that do not know it ignore it.
CLEAR_BUFFERS = b"\x10\x14\x08\x01\x03\x14\x01\x06\x02\x08"

# A fragment of at most 255 rows keeps yH = 0 (some clones mishandle a non-zero yH) and stays
# within small receive buffers (255 x 72 bytes = 18 KB at 576 dots). Heights that are a multiple
# of 48 are avoided: some printers garble such images (REFERENCE section 4; 96 = 2 x 48 is
# covered by the same rule).
MAX_FRAGMENT_ROWS = 255
BAD_HEIGHT_MODULUS = 48

_INVERT = bytes(255 - i for i in range(256))

# What the parser accepts as a raster header (the emulator's side): 2048 dots wide, 8191 rows.
MAX_PARSE_ROW_BYTES = 256
MAX_PARSE_ROWS = 8191


def status_query(n: int) -> bytes:
    if n not in (1, 2, 3, 4):
        raise ValueError(f"DLE EOT {n}: n is 1, 2, 3 or 4")
    return bytes((DLE, EOT, n))


def feed(dots: int) -> bytes:
    """Feed paper by `dots` (ESC J takes at most 255 at a time)."""
    out = bytearray()
    while dots > 0:
        step = min(255, dots)
        out += bytes((ESC, 0x4A, step))
        dots -= step
    return bytes(out)


def cut(full: bool = True) -> bytes:
    return CUT_FULL if full else CUT_PARTIAL


def fragment_heights(total: int, cap: int = MAX_FRAGMENT_ROWS) -> list[int]:
    """Split `total` rows into fragments of at most `cap` rows, none a multiple of 48."""
    if total <= 0:
        return []
    if cap % BAD_HEIGHT_MODULUS == 0 or cap < 2:
        raise ValueError(f"fragment cap {cap} is itself a bad height")
    heights = [cap] * (total // cap) + ([total % cap] if total % cap else [])
    if heights[-1] % BAD_HEIGHT_MODULUS == 0:
        if len(heights) >= 2:  # lend one row from the (full, cap-high) fragment before it
            heights[-2] -= 1
            heights[-1] += 1
        else:  # one fragment of 48k rows: two of 24k+1 and 24k-1, neither a multiple of 48
            half = heights[0] // 2 + 1
            heights = [half, heights[0] - half]
    return heights


def raster_fragments(image: Image.Image, cap: int = MAX_FRAGMENT_ROWS) -> list[bytes]:
    """`GS v 0` commands, top to bottom, for a mode "1" image whose width is a multiple of 8."""
    if image.mode != "1":
        raise ValueError(f"raster needs a mode '1' image, not {image.mode!r}")
    if image.width % 8:
        raise ValueError(f"raster width {image.width} is not a multiple of 8")
    row_bytes = image.width // 8
    # PIL packs mode "1" rows MSB-first with 1 = white; ESC/POS wants 1 = dot.
    data = image.tobytes().translate(_INVERT)
    out = []
    y = 0
    for h in fragment_heights(image.height, cap):
        header = bytes((GS, 0x76, 0x30, 0x00, row_bytes & 0xFF, row_bytes >> 8, h & 0xFF, h >> 8))
        out.append(header + data[y * row_bytes:(y + h) * row_bytes])
        y += h
    return out


def receipt_tail(feed_dots: int, full_cut: bool = True) -> bytes:
    """Feed the last printed line past the cutter, then cut."""
    return feed(feed_dots) + cut(full_cut)


def encode_receipt(image: Image.Image, feed_dots: int = 160, full_cut: bool = True) -> bytes:
    """The whole job as one byte string (the driver sends the same pieces one by one)."""
    return INIT + b"".join(raster_fragments(image)) + receipt_tail(feed_dots, full_cut)


# -- parsing (the emulator's side) ----------------------------------------------------------------
@dataclass(frozen=True)
class Init:
    pass


@dataclass(frozen=True)
class Raster:
    width_bytes: int
    height: int
    data: bytes  # 1 = dot
    mode: int = 0

    def image(self) -> Image.Image:
        """As a mode "1" image (black = 0)."""
        return Image.frombytes("1", (self.width_bytes * 8, self.height), self.data.translate(_INVERT))


@dataclass(frozen=True)
class Feed:
    dots: int


@dataclass(frozen=True)
class FeedLines:
    lines: int


@dataclass(frozen=True)
class Cut:
    full: bool


@dataclass(frozen=True)
class StatusRequest:
    n: int


@dataclass(frozen=True)
class ClearBuffers:
    pass


@dataclass(frozen=True)
class LineFeed:
    pass


@dataclass(frozen=True)
class Unknown:
    data: bytes


Event = Union[Init, Raster, Feed, FeedLines, Cut, StatusRequest, ClearBuffers, LineFeed, Unknown]


class StreamParser:
    """Incremental: feed it bytes as they arrive, get complete commands back. A command split
    across TCP reads waits in the buffer until the rest comes."""

    def __init__(self) -> None:
        self._buf = bytearray()

    @property
    def pending(self) -> int:
        return len(self._buf)

    def feed(self, data: bytes) -> list[Event]:
        self._buf += data
        events: list[Event] = []
        while self._buf:
            parsed = self._one()
            if parsed is None:
                break  # incomplete command: wait for more bytes
            event, used = parsed
            del self._buf[:used]
            events.append(event)
        return events

    def _one(self) -> tuple[Event, int] | None:
        b = self._buf
        c = b[0]
        if c == ESC:
            if len(b) < 2:
                return None
            if b[1] == 0x40:
                return Init(), 2
            if b[1] in (0x4A, 0x64):
                if len(b) < 3:
                    return None
                return (Feed(b[2]) if b[1] == 0x4A else FeedLines(b[2])), 3
            return Unknown(bytes(b[:2])), 2
        if c == GS:
            if len(b) < 2:
                return None
            if b[1] == 0x76:  # GS v 0 m xL xH yL yH
                if len(b) < 8:
                    return None
                if b[2] != 0x30:
                    return Unknown(bytes(b[:3])), 3
                m, w, h = b[3], b[4] | b[5] << 8, b[6] | b[7] << 8
                if not (0 < w <= MAX_PARSE_ROW_BYTES and 0 < h <= MAX_PARSE_ROWS):
                    # Garbage, not a raster: waiting for megabytes that never come would hang
                    # the reader, so skip the header and resynchronise on what follows.
                    return Unknown(bytes(b[:8])), 8
                size = w * h
                if len(b) < 8 + size:
                    return None
                return Raster(w, h, bytes(b[8:8 + size]), m), 8 + size
            if b[1] == 0x56:  # GS V m [n]
                if len(b) < 3:
                    return None
                m = b[2]
                if m in (0x00, 0x30):
                    return Cut(True), 3
                if m in (0x01, 0x31):
                    return Cut(False), 3
                if m in (0x41, 0x42, 0x61, 0x62, 0x67, 0x68):
                    if len(b) < 4:
                        return None
                    return Cut(m in (0x41, 0x61, 0x67)), 4
                return Unknown(bytes(b[:3])), 3
            return Unknown(bytes(b[:2])), 2
        if c == DLE:
            if len(b) < 3:
                return None
            if b[1] == EOT:
                return StatusRequest(b[2]), 3
            if b[1] == DC4:
                fn = b[2]
                need = {1: 5, 2: 5, 8: 10}.get(fn, 3)
                if len(b) < need:
                    return None
                if fn == 8 and bytes(b[:need]) == CLEAR_BUFFERS:
                    return ClearBuffers(), need
                return Unknown(bytes(b[:need])), need
            return Unknown(bytes(b[:2])), 2
        if c == 0x0A:
            return LineFeed(), 1
        return Unknown(bytes(b[:1])), 1
