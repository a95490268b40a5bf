"""What the receipt layout needs from the language layer, as an interface.

The one line breaker and the per-script fonts live in `kiosk/i18n/translator.py`, and `devices` may not
import `kiosk` (shared/DESIGN.md). So the layout takes a `TextShaper` and the kiosk layer passes
its adapter (`kiosk/i18n/receipt_shaper.py`); tests may pass any object with these two methods.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont as Font


def __getattr__(name: str) -> Any:
    """`Font` is Pillow's FreeType font, imported when first asked for: the kiosk builds its
    printer after the first frame, and Pillow's font module is not needed before."""
    if name == "Font":
        from PIL.ImageFont import FreeTypeFont

        return FreeTypeFont
    raise AttributeError(name)


class TextShaper(Protocol):
    def break_lines(self, text: str, lang: str, max_width_px: int, font_size_px: int) -> list[str]:
        """Lines no wider than `max_width_px` when drawn run by run with `runs()`."""
        ...

    def runs(self, text: str, lang: str, font_size_px: int) -> list[tuple[Font, str]]:
        """The text split into runs one font can draw, with that font (a RAQM-layout FreeType
        font, so Tibetan stacks are shaped) at `font_size_px`."""
        ...

    # Optional: `size_scale(lang) -> float`, how much larger text in `lang` is drawn (Tibetan
    # letters sit in a tall em box and look small beside Chinese at the same pixel size).
