"""The receipt Document laid out on A4 as a PDF (fpdf2, text shaped with HarfBuzz).

Why fpdf2: measured against reportlab 5.1 (docs/a4.md): reportlab's own shaping misplaces the
subjoined letters of Tibetan stacks and it cannot load Noto CJK at all (CFF outlines); fpdf2 with
uharfbuzz draws the stacks as the screen does and embeds every font as a subset.

Fonts and line breaking come from the same `TextShaper` the receipts use (devices/printer/shaper.py):
its `runs()` names, per run of text, the PIL font that draws it, and that font's file is what the PDF
embeds; its `break_lines()` breaks lines exactly like the screen and the receipt. So `devices` needs
nothing from `kiosk`. Sizes are in points; the shaper measures in pixels at the same number, which
is the same width.

Page: issuer and title on top, the rows as a two-column table (the key in the citizen's language
with the Chinese beneath, the value likewise where it is an official value), paragraphs, then at the
foot of the last page the verification QR code on the left and on the right the issuer and date
with room for the seal over them. Values arrive masked (the flows mask them; kiosk/core/privacy.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from devices.printer import codes
from devices.printer.document import Barcode, Divider, Document, Footer, Paragraph, QRCode, Row, Title
from devices.printer.shaper import TextShaper

PAGE_W, PAGE_H = 595.28, 841.89  # A4 in points
MARGIN = 56.7  # 20 mm
FOOT_H = 150.0  # the band for QR code, issuer, date and seal on the last page
KEY_W = 190.0  # the key column of a row
GREY = (90, 90, 90)
CJK_SC_FACE = 2
SIZES = {"title": 20, "large": 15, "huge": 28, "normal": 12, "zh": 10, "small": 8}


@dataclass(frozen=True)
class Letterhead:
    """Who issues the document, in the citizen's language and (bilingual mode) in Chinese."""

    issuer: str = ""
    issuer_zh: str | None = None


class RenderError(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class _Page:
    def __init__(self, doc: Document, shaper: TextShaper) -> None:
        from fpdf import FPDF

        self.doc, self.shaper, self.lang = doc, shaper, doc.lang
        pdf = FPDF(unit="pt", format="A4")
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(False)
        pdf.set_text_shaping(True)
        pdf.set_creator("kiosk")
        pdf.set_title(doc.kind)
        pdf.add_page()
        self.pdf = pdf
        self.y = MARGIN
        self._families: dict[tuple[str, int], str] = {}
        self.qr: QRCode | None = None
        self.footer: Footer | None = None
        self.in_foot = False

    # text -----------------------------------------------------------------------------------------
    def _scale(self) -> float:
        size_scale = getattr(self.shaper, "size_scale", None)
        return float(size_scale(self.lang)) if size_scale is not None else 1.0

    def _pt(self, size: str, text: str) -> int:
        # Tibetan letters sit small in a tall em box: scaled like on the receipt, Chinese is not.
        scaled = any("\u0f00" <= ch <= "\u0fff" for ch in text)
        return max(6, round(SIZES[size] * (self._scale() if scaled else 1.0)))

    def _family(self, font: Any) -> str:
        key = (str(font.path), int(getattr(font, "index", 0) or 0))
        if key[0].endswith(".ttc") and "NotoSansCJK" in key[0] and key[1] == 0:
            # The collection's first face is Japanese; an official Chinese document takes the
            # Simplified Chinese glyph forms (face 2 of Noto Sans CJK).
            key = (key[0], CJK_SC_FACE)
        if key not in self._families:
            name = f"F{len(self._families)}"
            self.pdf.add_font(name, fname=key[0], collection_font_number=key[1])
            self._families[key] = name
        return self._families[key]

    def _runs(self, text: str, pt: int) -> list[tuple[Any, str, float]]:
        return [(font, run, float(font.getlength(run))) for font, run in self.shaper.runs(text, self.lang, pt)]

    def _room(self, needed: float) -> None:
        if self.in_foot:
            return  # the foot has its own place on the last page
        if self.y + needed > PAGE_H - MARGIN - FOOT_H * 0.25:
            self.pdf.add_page()
            self.y = MARGIN

    def text(self, text: str, size: str, x: float = MARGIN, width: float = PAGE_W - 2 * MARGIN,
             align: str = "left", grey: bool = False) -> float:
        """Draw wrapped text from self.y down; returns the height used."""
        if not text:
            return 0.0
        pt = self._pt(size, text)
        lead = pt * 1.55
        used = 0.0
        for line in self.shaper.break_lines(text, self.lang, int(width), pt):
            self._room(lead)
            runs = self._runs(line, pt)
            total = sum(w for _, _, w in runs)
            cx = x + {"left": 0.0, "center": (width - total) / 2, "right": width - total}[align]
            self.pdf.set_text_color(*(GREY if grey else (0, 0, 0)))
            for font, run, w in runs:
                self.pdf.set_font(self._family(font), size=pt)
                self.pdf.set_xy(cx, self.y)
                self.pdf.cell(w=w, h=lead, text=run)
                cx += w
            self.y += lead
            used += lead
        return used

    def bilingual(self, text: str, zh: str | None, size: str, align: str = "left") -> None:
        self.text(text, size, align=align)
        if zh:
            self.text(zh, "zh" if size == "normal" else "normal", align=align, grey=True)

    def rule(self, gap: float = 6.0, weight: float = 0.5) -> None:
        self.y += gap
        self.pdf.set_line_width(weight)
        self.pdf.set_draw_color(0, 0, 0)
        self.pdf.line(MARGIN, self.y, PAGE_W - MARGIN, self.y)
        self.y += gap

    # blocks ---------------------------------------------------------------------------------------
    def row(self, r: Row) -> None:
        top = self.y
        self._room(40)
        top = self.y
        self.text(r.key, "normal", width=KEY_W - 8)
        if r.key_zh:
            self.text(r.key_zh, "zh", width=KEY_W - 8, grey=True)
        left_end, self.y = self.y, top
        value_w = PAGE_W - 2 * MARGIN - KEY_W
        self.text(r.value, "normal", x=MARGIN + KEY_W, width=value_w)
        if r.value_zh:
            self.text(r.value_zh, "zh", x=MARGIN + KEY_W, width=value_w, grey=True)
        self.y = max(self.y, left_end) + 3
        self.pdf.set_line_width(0.3)
        self.pdf.set_draw_color(180, 180, 180)
        self.pdf.line(MARGIN, self.y, PAGE_W - MARGIN, self.y)
        self.y += 5

    def barcode(self, b: Barcode) -> None:
        image = codes.code128_image(b.data, 2000, 2000, height=80).convert("L")
        w = min(200.0, image.width * 0.5)
        self._room(60)
        self.pdf.image(image, x=(PAGE_W - w) / 2, y=self.y, w=w, h=34)
        self.y += 36
        self.text(b.caption if b.caption is not None else b.data, "small", align="center")

    def block(self, b: Any) -> None:
        if isinstance(b, Title):
            self.bilingual(b.text, b.zh, "title", "center")
            self.rule(4, 1.2)
        elif isinstance(b, Paragraph):
            self.bilingual(b.text, b.zh, b.size if b.size in SIZES else "normal",
                           "center" if b.size == "huge" else "left")
            self.y += 4
        elif isinstance(b, Row):
            self.row(b)
        elif isinstance(b, QRCode):
            self.qr = b  # the verification code goes to the foot, beside the seal
        elif isinstance(b, Barcode):
            self.barcode(b)
        elif isinstance(b, Divider):
            self.rule(4, 0.5)
        elif isinstance(b, Footer):
            self.footer = b
        else:
            raise RenderError("bad_block", f"unknown block {type(b).__name__}")

    def foot(self, letterhead: Letterhead | None) -> None:
        """QR code left; issuer and date right, under a marked place for the seal."""
        if self.y > PAGE_H - MARGIN - FOOT_H:
            self.pdf.add_page()
        self.in_foot = True
        top = PAGE_H - MARGIN - FOOT_H + 10
        if self.qr is not None:
            image = codes.qr_image(self.qr.data, 400).convert("L")
            self.pdf.image(image, x=MARGIN, y=top, w=96, h=96)
            if self.qr.caption:
                self.y = top + 98
                self.text(self.qr.caption, "small", width=180)
        seal_x, seal_w = PAGE_W - MARGIN - 200, 200.0
        # The seal (a 42 mm round stamp) is pressed over the issuer and date: a faint dashed circle
        # shows the clerk where, and keeps the text under it readable.
        self.pdf.set_draw_color(170, 170, 170)
        self.pdf.set_line_width(0.8)
        with self.pdf.local_context():
            self.pdf.set_dash_pattern(dash=3, gap=3)
            self.pdf.circle(x=seal_x + seal_w / 2, y=top + 60, radius=60)
        self.y = top + 40
        if letterhead is not None and letterhead.issuer:
            self.text(letterhead.issuer, "normal", x=seal_x, width=seal_w, align="center")
            if letterhead.issuer_zh:
                self.text(letterhead.issuer_zh, "zh", x=seal_x, width=seal_w, align="center", grey=True)
        if self.footer is not None:
            self.text(self.footer.time[:10], "normal", x=seal_x, width=seal_w, align="center")
            self.y = PAGE_H - MARGIN + 6
            self.text(f"{self.footer.time}  {self.footer.terminal_id}", "small", align="right", grey=True)


def render_pdf(doc: Document, shaper: TextShaper, letterhead: Letterhead | None = None) -> bytes:
    """The document as an A4 PDF (fonts embedded as subsets)."""
    page = _Page(doc, shaper)
    if letterhead is not None and letterhead.issuer:
        page.text(letterhead.issuer, "normal", align="center", grey=True)
        page.y += 6
    for b in doc.blocks:
        page.block(b)
    page.foot(letterhead)
    return bytes(page.pdf.output())


def page_count(pdf: bytes) -> int:
    """Pages in a PDF this module wrote (fpdf2 writes one /Type /Page object per page)."""
    return pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


def render_all(docs: Sequence[Document], shaper: TextShaper, letterhead: Letterhead | None = None) -> list[bytes]:
    return [render_pdf(d, shaper, letterhead) for d in docs]
