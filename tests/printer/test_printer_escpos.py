"""ESC/POS encoding: byte-exact for a fixed receipt, fragment heights, and the parser reading
back what the encoder wrote."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from devices.printer import escpos
from devices.printer.document import Barcode, Divider, Document, QRCode
from devices.printer.layout import Paper
from devices.printer.raster import render

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden_receipt.bin"


def golden_document() -> Document:
    # No text: the bytes then depend on the encoder, the layout, segno and the Code 128 encoder
    # only, not on the fonts installed (text is covered by the reference PNGs).
    return Document("golden", "en", (
        QRCode("https://zwfw.example.gov.cn/q/A023"),
        Divider(),
        Barcode("2024050100123", caption=""),
    ))


def golden_bytes(shaper) -> bytes:
    image = render(golden_document(), shaper, Paper(width=384))
    return escpos.encode_receipt(image, feed_dots=160, full_cut=True)


def test_fixed_receipt_is_byte_exact(shaper):
    data = golden_bytes(shaper)
    if os.environ.get("REGEN_PRINTER_GOLDEN"):
        GOLDEN.write_bytes(data)
    expected = GOLDEN.read_bytes()
    if data != expected:
        first = next((i for i, (a, b) in enumerate(zip(data, expected)) if a != b), min(len(data), len(expected)))
        raise AssertionError(f"stream differs from {GOLDEN.name} at byte {first} "
                             f"(got {len(data)} bytes, golden {len(expected)}; sha256 "
                             f"{hashlib.sha256(data).hexdigest()[:12]} vs {hashlib.sha256(expected).hexdigest()[:12]})")


def test_fixed_receipt_structure(shaper):
    data = golden_bytes(shaper)
    assert data[:2] == b"\x1b\x40"  # ESC @
    assert data[2:6] == b"\x1d\x76\x30\x00"  # GS v 0, normal density
    assert data[6:8] == bytes((48, 0))  # 384 dots = 48 bytes a row
    assert data.endswith(b"\x1b\x4a\xa0" + b"\x1d\x56\x00")  # feed 160 dots, full cut


def test_encoder_commands():
    assert escpos.status_query(1) == b"\x10\x04\x01"
    assert escpos.status_query(4) == b"\x10\x04\x04"
    assert escpos.feed(300) == b"\x1b\x4a\xff\x1b\x4a\x2d"
    assert escpos.feed(0) == b""
    assert escpos.cut(True) == b"\x1d\x56\x00" and escpos.cut(False) == b"\x1d\x56\x01"


def test_raster_bits_are_inverted_and_msb_first():
    img = Image.new("1", (16, 2), 1)
    img.putpixel((0, 0), 0)  # black: a dot
    img.putpixel((15, 1), 0)
    (frag,) = escpos.raster_fragments(img)
    assert frag == b"\x1d\x76\x30\x00" + bytes((2, 0, 2, 0)) + bytes((0x80, 0x00, 0x00, 0x01))


@given(st.integers(min_value=1, max_value=5000))
def test_fragment_heights_are_bounded_and_never_a_multiple_of_48(total):
    heights = escpos.fragment_heights(total)
    assert sum(heights) == total
    assert all(0 < h <= escpos.MAX_FRAGMENT_ROWS for h in heights)
    assert all(h % 48 for h in heights)  # covers 96 too


def test_fragment_heights_examples():
    assert escpos.fragment_heights(96) == [49, 47]
    assert escpos.fragment_heights(255 + 48) == [254, 49]
    assert escpos.fragment_heights(600) == [255, 255, 90]


def test_raster_fragments_of_a_tall_image():
    img = Image.new("1", (576, 1000), 1)
    frags = escpos.raster_fragments(img)
    heights = [f[6] | f[7] << 8 for f in frags]
    assert sum(heights) == 1000 and max(heights) <= 255
    assert all(f[7] == 0 for f in frags)  # yH always 0
    assert all(len(f) == 8 + 72 * h for f, h in zip(frags, heights))


def _pattern(width: int, height: int) -> Image.Image:
    img = Image.new("1", (width, height), 1)
    d = ImageDraw.Draw(img)
    for i in range(0, height, 7):
        d.line((0, i, width - 1, height - 1 - i), fill=0)
    d.rectangle((3, 3, 40, 20), fill=0)
    return img


def test_parser_reads_back_the_encoded_receipt():
    img = _pattern(384, 700)
    data = escpos.encode_receipt(img, feed_dots=300)
    events = escpos.StreamParser().feed(data)
    assert isinstance(events[0], escpos.Init)
    rasters = [e for e in events if isinstance(e, escpos.Raster)]
    assert [type(e) for e in events[len(rasters) + 1:]] == [escpos.Feed, escpos.Feed, escpos.Cut]
    back = Image.new("1", (384, 700), 1)
    y = 0
    for r in rasters:
        back.paste(r.image(), (0, y))
        y += r.height
    assert back.tobytes() == img.tobytes()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=4000), max_size=6))
def test_parser_is_incremental(cuts):
    img = _pattern(64, 130)
    data = escpos.encode_receipt(img) + b"\x10\x04\x01\x10\x04\x02" + escpos.CLEAR_BUFFERS + b"\x1bd\x03\n"
    whole = escpos.StreamParser().feed(data)
    parser = escpos.StreamParser()
    pieces = []
    pos = 0
    for c in sorted(set(c % len(data) for c in cuts)) + [len(data)]:
        pieces += parser.feed(data[pos:c])
        pos = c
    assert pieces == whole
    assert parser.pending == 0
    assert [e for e in whole if isinstance(e, escpos.StatusRequest)] == [escpos.StatusRequest(1), escpos.StatusRequest(2)]
    assert escpos.ClearBuffers() in whole and escpos.FeedLines(3) in whole and escpos.LineFeed() in whole


def test_parser_keeps_unknown_bytes_apart():
    events = escpos.StreamParser().feed(b"\x1b\x74\x00" + b"\x1d\x21\x11" + b"A")
    assert all(isinstance(e, escpos.Unknown) for e in events)
    assert b"".join(e.data for e in events) == b"\x1b\x74\x00\x1d\x21\x11A"


def test_parser_skips_an_impossible_raster_header():
    events = escpos.StreamParser().feed(b"\x1d\x76\x30\x00\xff\xff\xff\xff" + b"\x1b\x40")
    assert events == [escpos.Unknown(b"\x1d\x76\x30\x00\xff\xff\xff\xff"), escpos.Init()]
