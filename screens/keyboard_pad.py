"""The handwriting pad of the on-screen keyboard (screens/keyboard.py): finger strokes kept in the
recogniser's 0-1000 box (kiosk/ime/handwriting.py), drawn again wherever the layout puts the pad."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kivy.graphics import Color, Line
from kivy.properties import ListProperty
from kivy.uix.widget import Widget

from screens.ui import ui


class HandwritingPad(Widget):
    """Finger strokes, scaled into the recogniser's 0-1000 box; `on_stroke` after each one."""

    strokes = ListProperty([])

    def __init__(self, **kw: Any) -> None:
        self.register_event_type("on_stroke")
        super().__init__(**kw)
        self._current: list[list[float]] | None = None

    def on_stroke(self, strokes: list) -> None:
        pass

    def box_point(self, x: float, y: float) -> list[float]:
        side = max(1.0, min(self.width, self.height))
        ox, oy = self.center_x - side / 2, self.center_y - side / 2
        # the recogniser's y grows downwards, Kivy's upwards
        return [max(0.0, min(1000.0, (x - ox) / side * 1000)), max(0.0, min(1000.0, (oy + side - y) / side * 1000))]

    def on_touch_down(self, touch: Any) -> bool:
        if not self.collide_point(*touch.pos):
            return False
        touch.grab(self)
        self._current = [self.box_point(*touch.pos)]
        with self.canvas:
            Color(*ui().theme.color("text"))
            touch.ud["line"] = Line(points=list(touch.pos), width=ui().theme.mm(0.8))
        return True

    def on_touch_move(self, touch: Any) -> bool:
        if touch.grab_current is not self or self._current is None:
            return False
        self._current.append(self.box_point(*touch.pos))
        if "line" in touch.ud:
            touch.ud["line"].points += list(touch.pos)
        return True

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is not self or self._current is None:
            return False
        touch.ungrab(self)
        self.add_stroke(self._current, draw=False)  # already drawn as the finger moved
        self._current = None
        return True

    def add_stroke(self, box_points: Sequence[Sequence[float]], draw: bool = True) -> None:
        """A stroke in box coordinates (also how tests and the CLI's strokes are replayed)."""
        self.strokes = self.strokes + [[list(p) for p in box_points]]
        if draw:
            self._redraw()
        self.dispatch("on_stroke", self.strokes)

    def on_pos(self, *_: Any) -> None:
        self._redraw()

    def on_size(self, *_: Any) -> None:
        self._redraw()

    def _redraw(self) -> None:
        """Strokes are kept in box coordinates: drawn again wherever the layout puts the pad."""
        self.canvas.clear()
        side = max(1.0, min(self.width, self.height))
        ox, oy = self.center_x - side / 2, self.center_y - side / 2
        with self.canvas:
            Color(*ui().theme.color("text"))
            for stroke in self.strokes:
                pts = [v for x, y in stroke for v in (ox + x / 1000 * side, oy + side - y / 1000 * side)]
                Line(points=pts, width=ui().theme.mm(0.8))

    def clear(self) -> None:
        self.strokes = []
        self.canvas.clear()
