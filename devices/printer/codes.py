"""QR codes (segno) and Code 128 barcodes (python-barcode's encoder) as 1-bit images sized in
whole printer dots per module: a module that is 2.5 dots wide prints as 2 or 3 and scanners
stumble, so modules are always an integer number of dots."""
from __future__ import annotations

from PIL import Image


class CodeError(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


QR_QUIET = 4  # modules of white around a QR code (ISO/IEC 18004)
QR_MAX_MODULE = 6  # dots: 0.75 mm modules scan well from paper and stay a reasonable size
QR_MIN_MODULE = 3
BAR_QUIET = 10  # modules of white each side of a Code 128 symbol
BAR_MIN_MODULE = 2  # 0.25 mm at 203 dpi: narrower bars smear on thermal paper
BAR_MAX_MODULE = 3
BAR_HEIGHT = 88  # 11 mm


def _bits_image(rows: list[bytes | bytearray], scale: int) -> Image.Image:
    """An image from rows of 0/1 module values (1 = dark), each module `scale` dots square."""
    h, w = len(rows), len(rows[0])
    raw = bytes(0 if v else 255 for row in rows for v in row)
    small = Image.frombytes("L", (w, h), raw)
    return small.resize((w * scale, h * scale), Image.NEAREST).convert("1", dither=Image.Dither.NONE)


def qr_image(data: str, max_width: int) -> Image.Image:
    import segno

    try:
        qr = segno.make(data, error="m", micro=False)
    except (segno.DataOverflowError, ValueError) as e:
        raise CodeError("qr_too_long", str(e)) from e
    rows = [bytes(bool(v) for v in row) for row in qr.matrix]
    size = len(rows) + 2 * QR_QUIET
    # About half the paper width: large enough for an old phone camera, small enough to leave
    # the text the citizen reads as the main thing on the receipt.
    scale = min(QR_MAX_MODULE, (max_width * 55 // 100) // size)
    if scale < QR_MIN_MODULE:
        scale = min(QR_MAX_MODULE, max_width // size)
    if scale < QR_MIN_MODULE:
        raise CodeError("qr_too_long", f"{len(data)} characters need {size} modules; paper has {max_width} dots")
    blank = bytes(len(rows[0]) + 2 * QR_QUIET)
    quiet = bytes(QR_QUIET)
    padded = [blank] * QR_QUIET + [quiet + r + quiet for r in rows] + [blank] * QR_QUIET
    return _bits_image(padded, scale)


def code128_modules(data: str) -> str:
    """The symbol as a string of '1' (bar) and '0' (space) modules, quiet zones excluded."""
    from barcode.codex import Code128
    from barcode.errors import BarcodeError

    if not data or not data.isascii() or not data.isprintable():
        raise CodeError("barcode_bad_data", "Code 128 here takes printable ASCII only")
    try:
        return Code128(data).build()[0]
    except BarcodeError as e:
        raise CodeError("barcode_bad_data", str(e)) from e


def code128_image(data: str, max_width: int, paper_width: int | None = None,
                  height: int = BAR_HEIGHT) -> Image.Image:
    """The bars fit in `max_width` (the content width); the white quiet zones around them may
    reach into the paper's margins (`paper_width`), which are blank paper anyway."""
    modules = code128_modules(data)
    paper_width = max_width if paper_width is None else paper_width
    scale = min(BAR_MAX_MODULE, max_width // len(modules), paper_width // (len(modules) + 2 * BAR_QUIET))
    if scale < BAR_MIN_MODULE:
        raise CodeError("barcode_too_long", f"{len(data)} characters need {len(modules) * BAR_MIN_MODULE} dots "
                                            f"of bars; paper has {max_width}")
    row = bytes(BAR_QUIET) + bytes(m == "1" for m in modules) + bytes(BAR_QUIET)
    img = _bits_image([row], scale)
    return img.resize((img.width, height), Image.NEAREST)
