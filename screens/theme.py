"""Sizes in millimetres at the panel's real density, high-contrast colours, two text modes.

Numbers from shared/REFERENCE.md §5: body text cap height >= 4.8 mm, touch targets >= 9.5 mm,
contrast >= 4.5:1. Noto's cap height is about 0.72 em, so a 4.8 mm cap height needs an em of
6.7 mm; body text here is 8.5 mm (12 mm in large-text mode).
"""
from __future__ import annotations

from dataclasses import dataclass

MM_PER_INCH = 25.4


def rgba(hex_color: str) -> tuple[float, float, float, float]:
    h = hex_color.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, 1.0)


COLORS = {
    "bg": "#FFFFFF",
    "text": "#111111",
    "text_muted": "#3D3D3D",  # 10.9:1 on white: still readable for secondary Chinese lines
    "primary": "#0B4F9C",  # buttons: white text on it is 8.3:1
    "primary_text": "#FFFFFF",
    "secondary": "#E6EDF6",  # secondary buttons: dark text on it is 15:1
    "secondary_text": "#0B2545",
    "disabled": "#D9D9D9",
    "disabled_text": "#4A4A4A",  # 7.6:1 on the disabled grey: a greyed tile is still readable
    "danger": "#A3001B",
    "danger_bg": "#FCE8EB",
    "ok": "#0E6B2F",
    "warning": "#8A5300",  # amber-brown: 6.1:1 on white (a status is never colour alone: icon + words)
    "accent": "#C2410C",  # pictures only: "here", "this way" (5.2:1 on white; >= 3:1 for graphics)
    "bar": "#0B2545",
    "bar_text": "#FFFFFF",
}


@dataclass(frozen=True)
class Theme:
    dpi: float = 102.0
    scale: float = 1.0  # window scaled to fit a smaller screen: everything shrinks together
    large: bool = False

    def mm(self, value: float) -> float:
        return value * self.dpi / MM_PER_INCH * self.scale

    # text sizes (px)
    @property
    def font_body(self) -> float:
        return self.mm(12.0 if self.large else 8.5)

    @property
    def font_small(self) -> float:
        return self.mm(10.0 if self.large else 7.0)

    @property
    def font_title(self) -> float:
        return self.mm(16.0 if self.large else 12.0)

    @property
    def font_huge(self) -> float:
        return self.mm(40.0 if self.large else 34.0)

    # targets and spacing (px)
    @property
    def target(self) -> float:
        return self.mm(24.0 if self.large else 18.0)

    @property
    def compact(self) -> float:
        """Secondary actions in a row under the primary one: still well above 9.5 mm."""
        return self.mm(14.0 if self.large else 12.0)

    @property
    def bar(self) -> float:
        """Top and bottom bars: one height in every language and both text modes, so the bar
        never eats the content and a button never moves under the finger (texts shrink to fit)."""
        return self.mm(30.0)

    @property
    def bar_font(self) -> float:
        return self.mm(7.0)

    @property
    def key(self) -> float:
        """Smallest keypad key; keys grow into the free height of the screen."""
        return self.mm(22.0 if self.large else 20.0)

    @property
    def content_share(self) -> float:
        """The least share of the window's height a screen's content area gets."""
        return 0.5

    @property
    def pad(self) -> float:
        return self.mm(5.0)

    @property
    def gap(self) -> float:
        return self.mm(3.0)

    @property
    def columns(self) -> int:
        """Fewer items per row in large-text mode."""
        return 1 if self.large else 2

    def color(self, name: str) -> tuple[float, float, float, float]:
        return rgba(COLORS[name])
