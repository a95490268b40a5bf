"""The A4 renderer (devices/a4printer/render.py): each document kind on one A4 page, fonts embedded
as subsets, bilingual in Tibetan and Yi (the Chinese read back from the PDF), values as masked as
on the receipt, and the verification QR code readable from the page rendered back to pixels."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from devices.a4printer.render import Letterhead, page_count, render_pdf
from devices.printer import samples
from kiosk.i18n.receipt_shaper import SHAPER

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed (make setup)")

KINDS = ("social_insurance_certificate", "real_estate_query", "elicense_print")
ISSUER_ZH = "\u5eb7\u5b9a\u5e02\u793e\u4f1a\u4fdd\u9669\u4e8b\u4e1a\u7ba1\u7406\u5c40"  # the issuing office


def _tool(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


@pytest.mark.parametrize("kind,lang", [(k, "bo") for k in KINDS] + [("social_insurance_certificate", "zh_CN"),
                                                                    ("social_insurance_certificate", "ii")])
def test_each_kind_renders_on_one_a4_page_with_fonts_subset(tmp_path: Path, kind: str, lang: str) -> None:
    doc = samples.sample(kind, lang, with_zh=lang != "zh_CN")
    pdf = render_pdf(doc, SHAPER, Letterhead("Issuer", ISSUER_ZH))
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    assert page_count(pdf) == 1
    assert "595.28 x 841.89 pts (A4)" in _tool("pdfinfo", str(path))
    fonts = [line for line in _tool("pdffonts", str(path)).splitlines()[2:] if line.strip()]
    assert fonts, "no font embedded"
    for line in fonts:  # every font embedded ("emb yes") and subset ("sub yes", a ABCDEF+ prefix)
        assert "+" in line.split()[0] and line.split()[-5:-3] == ["yes", "yes"], line
    text = _tool("pdftotext", "-layout", str(path), "-")
    title = next(b for b in doc.blocks if type(b).__name__ == "Title")
    if lang != "zh_CN":
        assert title.zh and title.zh in text.replace(" ", ""), "the Chinese beneath the title is missing"
        assert any(b.value_zh for b in doc.blocks if type(b).__name__ == "Row") or kind != "social_insurance_certificate"
    assert ISSUER_ZH in text.replace(" ", "")
    # Masked exactly as on the receipt: the sample holds only the masked ID number.
    assert "513326********1234" in text or kind != "social_insurance_certificate"


def test_verification_qr_code_reads_back_from_the_page(tmp_path: Path) -> None:
    pyzbar = pytest.importorskip("pyzbar.pyzbar")
    from PIL import Image

    doc = samples.sample("real_estate_query", "bo", with_zh=True)
    qr = next(b for b in doc.blocks if type(b).__name__ == "QRCode")
    (tmp_path / "doc.pdf").write_bytes(render_pdf(doc, SHAPER))
    _tool("pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "doc.pdf"), str(tmp_path / "page"))
    decoded = [d.data.decode() for d in pyzbar.decode(Image.open(tmp_path / "page.png"))
               if d.type == "QRCODE"]
    assert decoded == [qr.data]
