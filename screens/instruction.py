"""A step that tells the citizen what to do, with a drawn illustration: a card held over a reader
for the identify step, a face inside the camera's frame for the face step (issue 15 #6: the face
step showed the card)."""
from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Ellipse, Line, RoundedRectangle
from kivy.properties import OptionProperty, StringProperty
from kivy.uix.widget import Widget

from screens.base import KioskScreen, load_kv


class Pictogram(Widget):
    """Drawn with canvas shapes in millimetres, so it scales at any screen density."""

    picture = OptionProperty("card", options=["card", "face"])

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.fbind("pos", self._draw)
        self.fbind("size", self._draw)
        self.fbind("picture", self._draw)
        from screens.ui import ui

        ui().fbind("theme", self._draw)  # large text and density change the millimetres
        self._draw()

    def _draw(self, *_: Any) -> None:
        from screens.ui import ui

        t = ui().theme
        self.canvas.clear()
        with self.canvas:
            (self._face if self.picture == "face" else self._card)(t)

    def _card(self, t: Any) -> None:
        mm, cx, y = t.mm, self.center_x, self.y
        Color(*t.color("secondary"))
        RoundedRectangle(pos=(cx - mm(45), y), size=(mm(90), mm(18)), radius=[mm(3)])
        Color(*t.color("primary"))
        RoundedRectangle(pos=(cx - mm(30), y + mm(24)), size=(mm(60), mm(38)), radius=[mm(3)])
        Color(1, 1, 1, 1)
        RoundedRectangle(pos=(cx - mm(24), y + mm(46)), size=(mm(14), mm(10)), radius=[0])

    def _face(self, t: Any) -> None:
        mm, cx, cy = t.mm, self.center_x, self.center_y
        # The camera's frame: four corners around the head, as on the preview.
        Color(*t.color("secondary"))
        half, arm, w = mm(32), mm(10), mm(1.6)
        for sx in (-1, 1):
            for sy in (-1, 1):
                x, y = cx + sx * half, cy + sy * half
                Line(points=[x - sx * arm, y, x, y, x, y - sy * arm], width=w)
        # A head and shoulders, looking straight at the camera.
        Color(*t.color("primary"))
        Ellipse(pos=(cx - mm(13), cy - mm(6)), size=(mm(26), mm(32)))
        Line(ellipse=(cx - mm(26), cy - mm(34), mm(52), mm(36), -90, 90), width=mm(1.6))
        Color(1, 1, 1, 1)
        for sx in (-1, 1):
            Ellipse(pos=(cx + sx * mm(5) - mm(1.5), cy + mm(12)), size=(mm(3), mm(3)))
        Line(ellipse=(cx - mm(6), cy + mm(1), mm(12), mm(8), 120, 240), width=mm(0.8))


class InstructionScreen(KioskScreen):
    picture = StringProperty("card")

    def on_kv_post(self, *_: Any) -> None:
        self.ids.options.on_choose = lambda option_id: self.emit("option", option=option_id)

    def on_view(self, *_: Any) -> None:
        self.picture = "face" if self.view is not None and self.view.kind == "face" else "card"


load_kv(__file__)
