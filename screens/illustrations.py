"""Pictures of the device steps that show where and how, for people who do not read the text
beside them (issue 16): the ID card laid on the reader pad, the social security card pushed into
its slot, the face inside the camera's frame, a code held under the scanner's camera, the paper
taken from the printer's slot.

Each scene is a close-up of the action (the "how", with a simple motion) beside a small front view
of the terminal with the part to use marked in the accent colour (the "where"). Everything is
drawn with Kivy canvas shapes on a 100 x 100 grid scaled to the widget, so it is the same at any
density, in every language, and needs no image files. The motion is a Kivy Animation of `phase`
(0 -> 1, a pause, again) that the screen starts when it is shown and stops when it leaves
(`start()`/`stop()`); at rest (phase 0) each picture still reads alone: the card above the pad with
an arrow down, the paper in the slot with an arrow out."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from kivy.animation import Animation
from kivy.clock import Clock
from kivy.graphics import Color, Ellipse, Line, Rectangle, RoundedRectangle, Triangle
from kivy.properties import BooleanProperty, ListProperty, NumericProperty
from kivy.uix.widget import Widget

from screens.theme import COLORS, rgba
from screens.ui import ui

SCENES = ("idcard", "sscard", "face", "qrcode", "paper", "printing")
# Where each part sits on the terminal's front (the map's 100 x 100 grid, portrait): the screen
# in the upper half, the reader pad, the card slot and the scanner under it, the printer's slot
# lower down, the face camera above the screen.
PART_OF = {"idcard": "pad", "sscard": "slot", "face": "camera", "qrcode": "scanner", "paper": "printer",
           "printing": "printer"}
PARTS = {  # x0, y0, x1, y1
    "camera": (44, 92, 56, 97),
    "pad": (12, 38, 44, 50),
    "slot": (56, 46, 88, 50),
    "scanner": (60, 36, 84, 41),
    "printer": (22, 20, 78, 25),
}
ACCENT = COLORS["accent"]  # the one colour that means "here" (and "this way")
DEVICE = "#4A5A6E"  # the terminal's parts
LIGHT = "#E6EDF6"
INK = "#0B4F9C"  # the citizen's things: cards, phone
CHIP = "#C9A227"
DARK = "#0B2545"
# One pass of the motion: move (MOVE_S), hold the result (HOLD_S), start again.
MOVE_S, HOLD_S = 1.4, 1.2


class Pen:
    """Draws on a 100 x 100 grid placed at (x, y) with `s` px per unit."""

    def __init__(self, x: float, y: float, s: float) -> None:
        self.x, self.y, self.s = x, y, s

    def p(self, ux: float, uy: float) -> tuple[float, float]:
        return self.x + ux * self.s, self.y + uy * self.s

    def color(self, hex_color: str, alpha: float = 1.0) -> None:
        r, g, b, _ = rgba(hex_color)
        Color(r, g, b, alpha)

    def rect(self, x0: float, y0: float, x1: float, y1: float, radius: float = 0) -> None:
        pos, size = self.p(x0, y0), ((x1 - x0) * self.s, (y1 - y0) * self.s)
        if radius:
            RoundedRectangle(pos=pos, size=size, radius=[radius * self.s])
        else:
            Rectangle(pos=pos, size=size)

    def outline(self, x0: float, y0: float, x1: float, y1: float, width: float, radius: float = 0) -> None:
        (ax, ay), w, h = self.p(x0, y0), (x1 - x0) * self.s, (y1 - y0) * self.s
        if radius:
            Line(rounded_rectangle=(ax, ay, w, h, radius * self.s), width=max(1.0, width * self.s))
        else:
            Line(rectangle=(ax, ay, w, h), width=max(1.0, width * self.s))

    def circle(self, cx: float, cy: float, r: float) -> None:
        Ellipse(pos=self.p(cx - r, cy - r), size=(2 * r * self.s, 2 * r * self.s))

    def arc(self, cx: float, cy: float, r: float, a0: float, a1: float, width: float) -> None:
        x, y = self.p(cx, cy)
        Line(circle=(x, y, r * self.s, a0, a1), width=max(1.0, width * self.s))

    def line(self, points: list[float], width: float) -> None:
        pts = []
        for i in range(0, len(points), 2):
            pts += self.p(points[i], points[i + 1])
        Line(points=pts, width=max(1.0, width * self.s), cap="round", joint="round")

    def triangle(self, *points: float) -> None:
        pts = []
        for i in range(0, len(points), 2):
            pts += self.p(points[i], points[i + 1])
        Triangle(points=pts)

    def arrow(self, x0: float, y0: float, x1: float, y1: float, width: float = 3.0) -> None:
        """A thick arrow from (x0, y0) to (x1, y1), its head at the end."""
        d = math.hypot(x1 - x0, y1 - y0) or 1.0
        ux, uy = (x1 - x0) / d, (y1 - y0) / d
        head = 3.2 * width
        bx, by = x1 - ux * head, y1 - uy * head
        self.line([x0, y0, bx, by], width)
        nx, ny = -uy * head * 0.75, ux * head * 0.75
        self.triangle(x1, y1, bx + nx, by + ny, bx - nx, by - ny)

    def waves(self, cx: float, cy: float, start: float, angle: float = 90, width: float = 1.6) -> None:
        """Contactless waves: three arcs opening towards `angle` (degrees, 0 = up, 90 = right)."""
        for k in range(3):
            self.arc(cx, cy, start + 5 * k, angle - 40, angle + 40, width)


def ease(phase: float, until: float = 1.0) -> float:
    """0..1 over the first `until` of the phase, smooth at both ends."""
    t = min(1.0, max(0.0, phase / until))
    return 0.5 - 0.5 * math.cos(math.pi * t)


# -- the close-ups (the how) ----------------------------------------------------------------------
def draw_idcard(pen: Pen, phase: float) -> None:
    """The ID card laid flat on the reader pad (contactless): it comes down onto the pad."""
    pen.color(DEVICE)
    pen.rect(18, 6, 82, 40, radius=4)
    pen.color("#FFFFFF")
    pen.waves(50, 23, 5, angle=0, width=1.6)
    t = ease(phase, 0.6)
    y = 62 - t * 44  # 62 above the pad -> 18, lying on it
    pen.color(INK)
    pen.rect(26, y, 74, y + 30, radius=3)
    pen.color("#FFFFFF")
    pen.rect(30, y + 8, 42, y + 24, radius=1)  # the photo
    for k, ln in enumerate((26, 20, 14)):
        pen.rect(46, y + ln - 1, 70 - 6 * k, y + ln + 1)
    pen.color(ACCENT)
    if t < 0.99:
        pen.arrow(88, 92, 88, 48)
    else:  # read: the waves answer around the card
        pulse = (phase - 0.6) / 0.4 if phase > 0.6 else 0
        pen.color(ACCENT, 1.0 - 0.6 * pulse)
        pen.waves(76, 32, 6 + 4 * pulse, angle=60, width=1.8)


def draw_sscard(pen: Pen, phase: float) -> None:
    """The social security card pushed chip first into the slot (front view)."""
    t = ease(phase, 0.6)
    y = 50 - t * 26  # the card's lower edge: above the slot -> 24, half inside
    pen.color(INK)
    pen.rect(32, y, 68, y + 52, radius=3)
    pen.color(CHIP)
    pen.rect(40, y + 8, 52, y + 18, radius=1.5)  # the chip, going in first
    pen.color("#FFFFFF")
    pen.rect(40, y + 36, 62, y + 39)
    # the reader's face in front of the card: what went into the slot is hidden
    pen.color(LIGHT)
    pen.rect(8, 0, 92, 44, radius=4)
    pen.color(DEVICE)
    pen.outline(8, 0, 92, 44, 1.2, radius=4)
    pen.rect(26, 40, 74, 45, radius=1.5)  # the slot
    pen.color(ACCENT)
    pen.arrow(84, 96, 84, 56)


def draw_face(pen: Pen, phase: float) -> None:
    """Head and shoulders inside the camera's frame; the camera above, marked."""
    grow = 1.0 + 0.05 * math.sin(2 * math.pi * phase)
    pen.color(DEVICE)
    half, arm = 30 * grow, 9
    for sx in (-1, 1):
        for sy in (-1, 1):
            x, y = 50 + sx * half, 44 + sy * half
            pen.line([x - sx * arm, y, x, y, x, y - sy * arm], 1.8)
    pen.color(INK)
    pen.circle(50, 52, 12)
    pen.arc(50, 14, 26, -90, 90, 2.0)
    pen.color("#FFFFFF")
    for sx in (-1, 1):
        pen.circle(50 + sx * 4.5, 55, 1.6)
    pen.arc(50, 50, 5, 120, 240, 0.9)
    pen.color(ACCENT)  # the camera: look here
    pen.circle(50, 93, 4)
    pen.color(ACCENT, 0.8 - 0.6 * phase)
    pen.arc(50, 93, 6 + 4 * phase, 0, 360, 1.0)


QR_CELLS = ("1110111", "1010101", "1110111", "0001000", "1101011", "0110110", "1011101")


def draw_qrcode(pen: Pen, phase: float) -> None:
    """A phone (or paper) showing a code held under the scanner's camera, in its light."""
    pen.color(DEVICE)
    pen.rect(34, 84, 66, 98, radius=3)
    pen.color(ACCENT, 0.14)
    pen.triangle(50, 84, 16, 6, 84, 6)
    pen.color(ACCENT)
    pen.circle(50, 86, 4)
    t = ease(phase, 0.6)
    x = 58 - t * 26  # in from the right, to the middle of the light
    pen.color(DARK)
    pen.rect(x, 10, x + 36, 64, radius=4)
    pen.color("#FFFFFF")
    pen.rect(x + 3, 16, x + 33, 58, radius=1)
    cell = 3.6
    pen.color("#000000")
    for row, bits in enumerate(QR_CELLS):
        for col, bit in enumerate(bits):
            if bit == "1":
                pen.rect(x + 5.5 + col * cell, 47 - row * cell, x + 5.5 + (col + 1) * cell, 47 - row * cell + cell)
    if t < 0.99:
        pen.color(ACCENT)
        pen.arrow(96, 4, 72, 4, width=2.4)


def _printer_face(pen: Pen) -> None:
    pen.color(LIGHT)
    pen.rect(4, 54, 96, 100, radius=4)
    pen.color(DEVICE)
    pen.outline(4, 54, 96, 100, 1.2, radius=4)
    pen.rect(20, 66, 80, 72, radius=1.5)  # the paper's slot


def _paper(pen: Pen, length: float) -> None:
    top = 69
    bottom = top - length
    pen.color("#FFFFFF")
    pen.rect(28, bottom, 72, top)
    pen.color(DEVICE)
    pen.outline(28, bottom, 72, top, 0.8)
    for k in range(int(length // 8)):
        y = top - 8 - 8 * k
        if y - 2 > bottom:
            pen.rect(33, y - 1, 67 - (k % 3) * 8, y + 1)


def draw_paper(pen: Pen, phase: float) -> None:
    """The paper out of the printer's slot: take it."""
    _printer_face(pen)
    _paper(pen, 44 + 8 * ease(phase, 0.5))
    pen.color(ACCENT)
    pen.arrow(86, 48, 86, 6)


def draw_printing(pen: Pen, phase: float) -> None:
    """The paper coming out of the slot while the printer works."""
    _printer_face(pen)
    _paper(pen, 6 + 44 * phase)


DRAW: dict[str, Callable[[Pen, float], None]] = {
    "idcard": draw_idcard, "sscard": draw_sscard, "face": draw_face, "qrcode": draw_qrcode,
    "paper": draw_paper, "printing": draw_printing,
}


# -- the terminal's front (the where) -------------------------------------------------------------
def draw_map(pen: Pen, part: str, phase: float) -> None:
    """The terminal from the front on a 100-tall grid (44 wide), `part` marked."""
    sx = 0.44  # the map is narrow: x in 0..100 maps to 0..44 units

    def box(x0: float, y0: float, x1: float, y1: float, radius: float = 0) -> None:
        pen.rect(x0 * sx, y0, x1 * sx, y1, radius)

    pen.color(LIGHT)
    box(4, 12, 96, 100, radius=3)
    pen.color(DEVICE)
    pen.outline(4 * sx, 12, 96 * sx, 100, 0.8, radius=3)
    box(20, 2, 80, 12)  # the foot
    pen.color(DARK)
    box(12, 56, 88, 90, radius=1)  # the screen
    for name, (x0, y0, x1, y1) in PARTS.items():
        pen.color(ACCENT if name == part else DEVICE)
        box(x0, y0, x1, y1, radius=1)
    if part in PARTS:
        x0, y0, x1, y1 = PARTS[part]
        cx, cy = (x0 + x1) / 2 * sx, (y0 + y1) / 2
        r = max((x1 - x0) * sx, y1 - y0) / 2 + 3 + 5 * phase
        pen.color(ACCENT, 1.0 - 0.8 * phase)
        pen.arc(cx, cy, r, 0, 360, 0.9)


class DeviceArt(Widget):
    """One panel per scene, side by side (the identify step shows each way it accepts)."""

    scenes = ListProperty([])
    phase = NumericProperty(0.0)
    show_map = BooleanProperty(True)
    running = BooleanProperty(False)

    def __init__(self, **kw: Any) -> None:
        self._anim: Animation | None = None
        super().__init__(**kw)
        self._trigger = Clock.create_trigger(self._draw, -1)
        for prop in ("pos", "size", "scenes", "phase", "show_map"):
            self.fbind(prop, self._trigger)
        self._trigger()

    def start(self) -> None:
        """Move: from rest to the end of the action, hold, again; until stop()."""
        self.stop()
        if not self.scenes:
            return
        anim = (Animation(phase=1.0, d=MOVE_S, t="linear") + Animation(phase=1.0, d=HOLD_S)
                + Animation(phase=0.0, d=0))
        anim.repeat = True
        self._anim = anim
        self.running = True
        anim.start(self)

    def stop(self) -> None:
        if self._anim is not None:
            self._anim.cancel(self)
            self._anim = None
        self.running = False
        self.phase = 0.0

    def _draw(self, *_: Any) -> None:
        self.canvas.clear()
        scenes = [s for s in self.scenes if s in DRAW]
        if not scenes or self.width < 10 or self.height < 10:
            return
        t = ui().theme
        gap = t.mm(4)
        panel = (self.width - gap * (len(scenes) - 1)) / len(scenes)
        map_ratio = 0.46 if self.show_map else 0.0
        side = min(self.height, (panel - (gap if self.show_map else 0)) / (1 + map_ratio))
        s = side / 100.0
        with self.canvas:
            for i, scene in enumerate(scenes):
                x0 = self.x + i * (panel + gap)
                used = side * (1 + map_ratio) + (gap if self.show_map else 0)
                left = x0 + (panel - used) / 2
                y = self.y + (self.height - side) / 2
                DRAW[scene](Pen(left, y, s), self.phase)
                if self.show_map:
                    draw_map(Pen(left + side + gap, y, s), PART_OF[scene], self.phase)
                if i:
                    Color(*rgba(LIGHT))
                    Rectangle(pos=(x0 - gap / 2 - t.mm(0.4), self.y), size=(t.mm(0.8), self.height))


class ArtScreen:
    """Mixin for a screen with a DeviceArt `ids.art`: it moves while the screen shows, and
    stops (back to its resting picture) when the screen leaves."""

    ids: Any

    def on_enter(self, *_: Any) -> None:
        art = self.ids.get("art")
        if art is not None:
            art.start()

    def on_leave(self, *_: Any) -> None:
        art = self.ids.get("art")
        if art is not None:
            art.stop()


def scenes_for(view: Any) -> list[str]:
    """The scenes a flow's view shows: its own `illustration`, the ways an identify step accepts,
    the face step's camera, a printer's paper; [] for none."""
    if view is None:
        return []
    if getattr(view, "illustration", None):
        return [s for s in str(view.illustration).split(",") if s in DRAW]
    data = view.data or {}
    if view.kind == "identify":
        return [s for s in data.get("accept", ("idcard",)) if s in DRAW] or ["idcard"]
    if view.kind == "face":
        return ["face"]
    if view.kind == "instruction":
        return ["idcard"]
    if view.kind == "scan":
        return ["qrcode"]
    title = str(getattr(view.title, "id", "") or "")
    if view.kind == "waiting" and (title.startswith("print.") or data.get("progress")):
        return ["printing"]
    if view.kind in ("result", "ticket") and "print_error" in data and data.get("print_error") is None:
        return ["paper"]
    return []
