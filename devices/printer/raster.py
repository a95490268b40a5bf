"""Drawing a Layout into a 1-bit image (PIL mode "1": 0 = black dot, 1 = no dot).

Text is drawn in greyscale and thresholded rather than drawn with FreeType's monochrome
rasteriser: the monochrome hinting thins CJK strokes and breaks the hairlines of Tibetan vowel
signs at 22-28 dots, while a threshold slightly above mid-grey keeps every stroke at least one
dot wide, which is what a thermal head can print.
"""
from __future__ import annotations

from PIL import Image, ImageDraw

from devices.printer.document import Document
from devices.printer.layout import BitmapItem, Layout, Paper, RuleItem, TextItem, layout
from devices.printer.shaper import TextShaper

THRESHOLD = 170  # grey levels below this print as a dot (0 = black ink)
_LUT = [0 if v < THRESHOLD else 255 for v in range(256)]


def rasterize(lay: Layout) -> Image.Image:
    canvas = Image.new("L", (lay.width, lay.height), 255)
    draw = ImageDraw.Draw(canvas)
    for item in lay.items:
        if isinstance(item, TextItem):
            for x, font, run in item.runs:
                if run.strip():
                    draw.text((x, item.baseline), run, font=font, fill=0, anchor="ls")
    image = canvas.point(_LUT, "1")
    draw1 = ImageDraw.Draw(image)
    for item in lay.items:
        if isinstance(item, BitmapItem):
            image.paste(item.image, (item.x, item.y))
        elif isinstance(item, RuleItem):
            x = item.x0
            while x < item.x1:
                end = min(item.x1, x + item.dash) - 1
                draw1.rectangle((x, item.y, end, item.y + item.thickness - 1), fill=0)
                x += item.dash + item.gap
    return image


def render(doc: Document, shaper: TextShaper, paper: Paper | None = None) -> Image.Image:
    """Document -> 1-bit raster `paper.width` dots wide."""
    return rasterize(layout(doc, shaper, paper))
