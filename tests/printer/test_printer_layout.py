"""Receipt layout and raster: width, margins, baselines, glyph coverage, wrapping, codes that
scan, and Tibetan / Yi receipts against reviewed reference PNGs."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFont

from devices.printer import samples
from devices.printer.document import Barcode, Document, Footer, Paragraph, QRCode, Row, Title
from devices.printer.layout import LayoutError, Paper, TextItem, layout
from devices.printer.raster import render

HERE = Path(__file__).parent
REFERENCE_DIR = HERE / "reference"
REFERENCE_DATA = HERE / "data" / "reference.json"
LANGS = ("zh_CN", "bo", "ii", "en")
BILINGUAL = ("bo", "ii")


def black_columns(img: Image.Image) -> tuple[int, int] | None:
    """(first, last) column with a black dot, or None for a blank image."""
    inverted = ImageChops.invert(img.convert("L"))
    box = inverted.getbbox()
    return None if box is None else (box[0], box[2] - 1)


@pytest.mark.parametrize("width", [576, 384])
@pytest.mark.parametrize("lang", LANGS)
def test_every_sample_fits_its_paper(shaper, lang, width):
    paper = Paper(width=width)
    for name in samples.names():
        doc = samples.sample(name, lang, with_zh=lang in BILINGUAL)
        img = render(doc, shaper, paper)
        assert img.mode == "1" and img.width == width, name
        cols = black_columns(img)
        assert cols is not None
        # Nothing in either margin: in particular no glyph touches the right edge.
        assert cols[0] >= paper.margin and cols[1] < width - paper.margin, (name, cols)


def test_print_test_page_fits_both_widths(shaper):
    for width in (576, 384):
        for lang in LANGS:
            doc = samples.print_test(lang, with_zh=lang in BILINGUAL, width=width, time="2024-05-01 10:00",
                                     terminal_id="KSK-0001")
            img = render(doc, shaper, Paper(width=width))
            cols = black_columns(img)
            assert img.width == width and cols[0] >= 16 and cols[1] < width - 16


def test_long_unbroken_text_is_still_kept_inside(shaper):
    doc = Document("t", "bo", (
        Paragraph("ཀཁགངཅཆཇཉཏཐདནཔཕབམཙཚཛཝཞཟའཡརལཤསཧཨ" * 3, "一二三四五六七八九十" * 6),
        Row("ཀ" * 40, "X" * 60, "键" * 30),
        Paragraph("W" * 120),
    ))
    for width in (576, 384):
        img = render(doc, shaper, Paper(width=width))
        cols = black_columns(img)
        assert cols[1] < width - 16


class StubShaper:
    """Three runs in three fonts with different ascents; lines never broken."""

    def __init__(self, fonts):
        self.fonts = fonts

    def break_lines(self, text, lang, max_width_px, font_size_px):
        return [text]

    def runs(self, text, lang, font_size_px):
        return [(f, text) for f in self.fonts]


def test_runs_in_different_fonts_share_one_baseline():
    from kiosk.i18n.translator import font_path

    size = 40
    fonts = [ImageFont.truetype(font_path(k), size, layout_engine=ImageFont.Layout.RAQM) for k in ("latin", "cjk", "yi")]
    assert len({f.getmetrics()[0] for f in fonts}) > 1  # the ascents differ: tops would not line up
    img = render(Document("t", "en", (Paragraph("H"),)), StubShaper(fonts), Paper(width=384))
    # The bottom of each "H" (flat, on the baseline) is on the same row.
    bottoms = []
    x = 16
    for f in fonts:
        w = round(f.getlength("H"))
        part = img.crop((x, 0, x + w, img.height))
        box = ImageChops.invert(part.convert("L")).getbbox()
        bottoms.append(box[3])
        x += w
    assert len(set(bottoms)) == 1, bottoms


def test_chinese_goes_beneath_and_smaller(shaper):
    lay = layout(Document("t", "bo", (Title("བཀྲ་ཤིས།", "你好"),)), shaper)
    first, second = [i for i in lay.items if isinstance(i, TextItem)]
    assert second.baseline > first.baseline
    assert first.runs[0][1].size > second.runs[0][1].size


def test_row_value_goes_right_or_beneath(shaper):
    paper = Paper(width=576)
    lay = layout(Document("t", "zh_CN", (Row("短", "123"),)), shaper, paper)
    key, value = [i for i in lay.items if isinstance(i, TextItem)]
    assert key.baseline == value.baseline and value.runs[0][0] > paper.width // 2
    lay = layout(Document("t", "zh_CN", (Row("一个很长的键" * 2, "一个同样很长的值" * 2),)), shaper, paper)
    items = [i for i in lay.items if isinstance(i, TextItem)]
    assert len({i.baseline for i in items}) == len(items) >= 2


def test_ascii_values_are_not_scaled_with_tibetan(shaper):
    lay = layout(Document("t", "bo", (Row("ཨང་།", "513326********1234"),)), shaper, Paper(width=384))
    items = [i for i in lay.items if isinstance(i, TextItem)]
    assert items[0].runs[0][1].size > items[-1].runs[0][1].size
    assert len(items) == 1 or len(items) == 2  # the ID number is never split over two lines
    assert "".join(r[2] for r in items[-1].runs) == "513326********1234"


def test_layout_errors_are_typed(shaper):
    with pytest.raises(LayoutError) as e:
        Paper(width=500)
    assert e.value.reason == "bad_width"
    with pytest.raises(LayoutError) as e:
        render(Document("t", "en", (Barcode("\u4e2d"),)), shaper)
    assert e.value.reason == "barcode_bad_data"
    with pytest.raises(LayoutError) as e:
        render(Document("t", "en", (QRCode("x" * 3000),)), shaper, Paper(width=384))
    assert e.value.reason == "qr_too_long"


def test_a_barcode_too_long_for_narrow_paper_prints_as_text(shaper):
    img = render(Document("t", "en", (Barcode("GZ20240501-00087-LONGER"),)), shaper, Paper(width=384))
    assert img.height < 80  # no bars, only the caption


def test_codes_scan(shaper):
    zbar = pytest.importorskip("pyzbar.pyzbar")
    doc = Document("t", "zh_CN", (QRCode("https://zwfw.example.gov.cn/q/A023"), Barcode("SB2024050100123"),
                                  Footer("2024-05-01 10:00", "KSK-0001")))
    for width in (576, 384):
        img = render(doc, shaper, Paper(width=width)).convert("L")
        found = {(r.type, r.data.decode()) for r in zbar.decode(img)}
        assert ("QRCODE", "https://zwfw.example.gov.cn/q/A023") in found
        assert ("CODE128", "SB2024050100123") in found


NOT_A_CHARACTER = "\U0010fffd"  # private use, plane 16: no font here has it, so it draws .notdef


def _ink(font, text: str) -> tuple:
    mask = font.getmask(text)
    return mask.size, bytes(mask)


@pytest.mark.parametrize("lang", ["bo", "ii", "zh_CN"])
def test_no_missing_glyphs_in_any_sample(shaper, lang):
    """Every character of every sample is drawn with a real glyph of its run's font, not the
    .notdef box (tofu)."""
    docs = [samples.sample(n, lang, with_zh=True) for n in samples.names()]
    docs.append(samples.print_test(lang, with_zh=True, width=576, time="2024-05-01 10:00", terminal_id="K"))
    texts = []
    for doc in docs:
        for b in doc.blocks:
            texts += [getattr(b, f, None) for f in ("text", "zh", "key", "key_zh", "value", "caption")]
    seen: set[tuple[str, str]] = set()
    missing = set()
    for text in filter(None, texts):
        for font, run in shaper.runs(text, lang, 28):
            tofu = _ink(font, NOT_A_CHARACTER)
            for c in run:
                if not c.strip() or (font.path, c) in seen:
                    continue
                seen.add((font.path, c))
                if _ink(font, c) == tofu:
                    missing.add(f"U+{ord(c):04X} in {Path(font.path).name}")
    assert len(seen) > 20
    assert missing == set()


def test_the_tofu_check_sees_tofu(shaper):
    (font, _), = shaper.runs("\u0f40", "bo", 28)
    assert _ink(font, "\ua000") == _ink(font, NOT_A_CHARACTER)  # no Yi in the Tibetan font


# -- reference PNGs (generated once, looked at, committed) ----------------------------------------
REFERENCES = [("bo", 576), ("ii", 576), ("bo", 384)]


def reference_image(shaper, lang: str, width: int) -> Image.Image:
    spec = json.loads(REFERENCE_DATA.read_text(encoding="utf-8"))[lang]
    doc = samples.build(spec, lang, with_zh=True, time="2024-05-01 10:00", terminal_id="KSK-0001")
    return render(doc, shaper, Paper(width=width))


@pytest.mark.parametrize("lang, width", REFERENCES)
def test_receipt_matches_reference(shaper, lang, width, tmp_path):
    img = reference_image(shaper, lang, width)
    ref_path = REFERENCE_DIR / f"receipt-{lang}-{width}.png"
    if os.environ.get("REGEN_PRINTER_REFERENCE"):
        img.save(ref_path)
    ref = Image.open(ref_path).convert("1")
    got = tmp_path / ref_path.name
    img.save(got)
    assert img.size == ref.size, f"size {img.size} != reference {ref.size}; see {got}"
    diff = ImageChops.difference(img.convert("L"), ref.convert("L"))
    changed = diff.histogram()[1:]
    changed = sum(changed)
    # A few dots of tolerance for FreeType/HarfBuzz point releases; a moved line or a broken
    # stack changes thousands.
    assert changed <= img.width * img.height * 0.002, f"{changed} dots differ; see {got}"
