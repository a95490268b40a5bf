"""Receipt layout: a Document becomes positioned text lines, bitmaps and rules on a strip of paper
`width` dots wide. Drawing them is raster.py's job; this module only decides where things go.

Printers have no Tibetan or Yi fonts (shared/REFERENCE.md section 4), so every text is drawn by
us: lines come from the shared line breaker at the real content width, each line is drawn run
by run (one font per script) on one common baseline, and line height is taken from the ink of
the line so tall Tibetan stacks never touch the next line.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Iterable, Union

from PIL import Image

from devices.printer import codes
from devices.printer.document import Barcode, Block, Divider, Document, Footer, Paragraph, QRCode, Row, Title
from devices.printer.shaper import Font, TextShaper


log = logging.getLogger(__name__)


class LayoutError(Exception):
    """The document cannot be laid out on this paper; `reason` is a stable code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


@dataclass(frozen=True)
class Paper:
    """Paper and type sizes in printer dots (8 dots per mm on 203-dpi printers)."""

    width: int = 576  # 80 mm paper; 384 for 58 mm, 512 on 180-dpi models
    margin: int = 16  # left and right; nothing is drawn in it
    top: int = 12
    bottom: int = 12
    block_gap: int = 10
    sizes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_SIZES))
    # Text in the document's language is drawn this much larger, per language. Tibetan letters
    # sit in an em box tall enough for the deepest stacks, so at the same pixel size they are
    # about two thirds the height of Chinese: scaled up, both read as the same size.
    # The default per language comes from the shaper (`size_scale`, the kiosk's languages table);
    # an entry here overrides it.
    lang_scale: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Raster rows are sent as whole bytes: a width that is not a multiple of 8 would shift
        # every row on the printer.
        if self.width % 8 or not 128 <= self.width <= 2048:
            raise LayoutError("bad_width", f"paper width {self.width} dots: a multiple of 8 between 128 and 2048")
        if self.content_width < 96:
            raise LayoutError("bad_margin", f"margins {self.margin} leave no room on {self.width} dots")

    @property
    def content_width(self) -> int:
        return self.width - 2 * self.margin

    @property
    def right(self) -> int:
        return self.width - self.margin


DEFAULT_SIZES = {
    "title": 36, "title_zh": 28,
    "normal": 28, "normal_zh": 24,
    "large": 36, "large_zh": 28,
    "huge": 112, "huge_zh": 28,
    "small": 22, "small_zh": 20,
}

# A little room kept free at the right of every broken line: glyph ink may overhang its advance
# width by a dot or two, and the right margin must stay blank.
OVERHANG = 3


# -- positioned items ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TextItem:
    baseline: int
    runs: tuple[tuple[int, Font, str], ...]  # (x, font, text), all drawn on `baseline`


@dataclass(frozen=True)
class BitmapItem:
    x: int
    y: int
    image: Image.Image  # mode "1", black = 0


@dataclass(frozen=True)
class RuleItem:
    y: int
    x0: int
    x1: int
    thickness: int = 2
    dash: int = 8
    gap: int = 5


Item = Union[TextItem, BitmapItem, RuleItem]


@dataclass
class Layout:
    width: int
    height: int
    items: list[Item]


# -- measuring one line -------------------------------------------------------------------------
@dataclass(frozen=True)
class _Line:
    runs: tuple[tuple[Font, str], ...]
    advance: int  # sum of run advances
    ink_right: int  # right edge of the ink, from the line origin
    ascent: int
    descent: int
    lead: int  # how far the ink reaches left of the origin (a negative left side bearing)

    @property
    def extent(self) -> int:
        return self.lead + self.ink_right


class _Measure:
    def __init__(self, shaper: TextShaper, lang: str) -> None:
        self.shaper, self.lang = shaper, lang

    def line(self, text: str, size: int) -> _Line:
        runs = tuple(self.shaper.runs(text, self.lang, size))
        x = 0.0
        ink_top, ink_bottom, ink_right, ink_left = 0, 0, 0, 0
        for font, run in runs:
            if run.strip():
                left, top, right, bottom = font.getbbox(run, anchor="ls")
                ink_top, ink_bottom = min(ink_top, top), max(ink_bottom, bottom)
                ink_right = max(ink_right, int(x) + right)
                ink_left = min(ink_left, int(x) + left)
            x += font.getlength(run)
        # Nominal ascent/descent from the size, not from the fonts: the Tibetan font declares a
        # huge descent for its deepest stacks, which would space every line like the worst case.
        # The ink decides only when it is taller than the nominal box.
        ascent = max(round(size * 0.95), -ink_top)
        descent = max(round(size * 0.30), ink_bottom)
        return _Line(runs, round(x), max(round(x), ink_right), ascent, descent, -ink_left)

    def lines(self, text: str, size: int, width: int) -> list[_Line]:
        out = []
        for piece in self.shaper.break_lines(text, self.lang, max(1, width - OVERHANG), size):
            out.append(self.line(piece, size))
        return out


# -- the layout ---------------------------------------------------------------------------------
class _Builder:
    def __init__(self, doc: Document, paper: Paper, shaper: TextShaper) -> None:
        self.doc, self.paper = doc, paper
        self.m = _Measure(shaper, doc.lang)
        self.items: list[Item] = []
        self.y = paper.top

    def size(self, name: str, text: str = "") -> int:
        """A size in dots. Text in the document's language is scaled; Chinese beneath is not,
        nor ASCII (IDs, dates, amounts): the scale is for the minority script's letters, and an
        ID number must stay on one line of 58 mm paper."""
        size = self.paper.sizes[name]
        if name.endswith("_zh") or name == "huge" or (text and text.isascii()):
            return size
        scale = self.paper.lang_scale.get(self.doc.lang)
        if scale is None:
            scale = getattr(self.m.shaper, "size_scale", lambda lang: 1.0)(self.doc.lang)
        return round(size * scale)

    # placing text
    def put(self, line: _Line, align: str = "left") -> None:
        p = self.paper
        if align == "center":
            x = p.margin + max(0, (p.content_width - line.extent) // 2) + line.lead
        elif align == "right":
            x = p.right - line.ink_right
        else:
            x = p.margin + line.lead
        baseline = self.y + line.ascent
        self.items.append(TextItem(baseline, _place(x, line.runs)))
        self.y = baseline + line.descent + _leading(line)

    def text(self, text: str, size: int, align: str = "left") -> None:
        for line in self.m.lines(text, size, self.paper.content_width):
            self.put(line, align)

    def bilingual(self, text: str, zh: str | None, size: str, align: str) -> None:
        self.text(text, self.size(size, text), align)
        if zh:  # Chinese beneath the minority language, smaller
            self.text(zh, self.size(f"{size}_zh"), align)

    def gap(self, dots: int | None = None) -> None:
        self.y += self.paper.block_gap if dots is None else dots

    # blocks
    def block(self, b: Block) -> None:
        if isinstance(b, Title):
            self.bilingual(b.text, b.zh, "title", "center")
        elif isinstance(b, Paragraph):
            if b.size not in ("normal", "large", "huge"):
                raise LayoutError("bad_size", f"paragraph size {b.size!r}")
            self.bilingual(b.text, b.zh, b.size, "center" if b.size == "huge" else "left")
        elif isinstance(b, Row):
            self.row(b)
        elif isinstance(b, QRCode):
            self.bitmap(self.code(codes.qr_image, b.data))
            if b.caption:
                self.text(b.caption, self.size("small", b.caption), "center")
        elif isinstance(b, Barcode):
            try:
                self.bitmap(codes.code128_image(b.data, self.paper.content_width, self.paper.width))
            except codes.CodeError as e:
                if e.reason != "barcode_too_long":
                    raise LayoutError(e.reason, str(e)) from e
                # Narrow paper: bars thinner than 2 dots do not scan, so the receipt prints with
                # the number as text rather than not at all.
                log.warning("barcode of %d characters does not fit %d dots: printed as text",
                            len(b.data), self.paper.content_width)
            caption = b.caption if b.caption is not None else b.data
            if caption:
                self.text(caption, self.size("small", caption), "center")
        elif isinstance(b, Divider):
            self.y += 4
            self.items.append(RuleItem(self.y, self.paper.margin, self.paper.right))
            self.y += 6
        elif isinstance(b, Footer):
            size = self.paper.sizes["small"]
            self.pair(b.time, b.terminal_id, size, size)
        else:
            raise LayoutError("bad_block", f"unknown block {type(b).__name__}")
        self.gap()

    def row(self, r: Row) -> None:
        """Key left and value right on one line when both fit; otherwise the value beneath the
        key, flush right, or wrapped when it is longer than a line. The Chinese key below."""
        self.pair(r.key, r.value, self.size("normal", r.key), self.size("normal", r.value))
        if r.key_zh:
            self.text(r.key_zh, self.size("normal_zh"))

    def pair(self, left: str, right: str, size: int, right_size: int) -> None:
        width = self.paper.content_width
        space = round(size * 0.8)
        left_line = self.m.line(left, size)
        right_line = self.m.line(right, right_size)
        if left_line.extent + space + right_line.extent <= width - OVERHANG:
            both = _Line(left_line.runs, left_line.advance, left_line.ink_right,
                         max(left_line.ascent, right_line.ascent), max(left_line.descent, right_line.descent),
                         left_line.lead)
            baseline = self.y + both.ascent
            self.items.append(TextItem(baseline, _place(self.paper.margin + left_line.lead, left_line.runs)))
            self.items.append(TextItem(baseline, _place(self.paper.right - right_line.ink_right, right_line.runs)))
            self.y = baseline + both.descent + _leading(both)
            return
        self.text(left, size)
        if right_line.extent <= width - OVERHANG:
            self.put(right_line, "right")  # beneath the key, still flush right like a table
        else:  # longer than a line: wrapped at the full width rather than cut inside a number
            self.text(right, right_size)

    def code(self, make: Callable[[str, int], Image.Image], data: str) -> Image.Image:
        try:
            return make(data, self.paper.content_width)
        except codes.CodeError as e:
            raise LayoutError(e.reason, str(e)) from e

    def bitmap(self, image: Image.Image) -> None:
        x = self.paper.margin + (self.paper.content_width - image.width) // 2
        self.items.append(BitmapItem(x, self.y, image))
        self.y += image.height + 4

    def finish(self) -> Layout:
        return Layout(self.paper.width, max(1, self.y - self.paper.block_gap + self.paper.bottom), self.items)


def _leading(line: _Line) -> int:
    return round((line.ascent + line.descent) * 0.18)


def _place(x: int, runs: Iterable[tuple[Font, str]]) -> tuple[tuple[int, Font, str], ...]:
    out = []
    pos = float(x)
    for font, run in runs:
        out.append((round(pos), font, run))
        pos += font.getlength(run)
    return tuple(out)


def layout(doc: Document, shaper: TextShaper, paper: Paper | None = None) -> Layout:
    """Position every block of `doc` on `paper` (default: 576 dots)."""
    paper = paper or Paper()
    builder = _Builder(doc, paper, shaper)
    for block in doc.blocks:
        builder.block(block)
    return builder.finish()
