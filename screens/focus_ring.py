"""Speech mode's two overlays, drawn above the window's content (added to the Window by the
composition root, kiosk/terminal/keypad_nav.py), never taking a touch:

- FocusRing: a thick two-tone frame around the item the keypad's focus is on, so a helper beside
  a person in speech mode (or a person with some sight) sees what is being spoken about.
- SpeechCaption: the honest note while a prompt plays in Chinese because the chosen language has
  no recording of it (kiosk/i18n/voice.py `Spoken.note`), in the chosen language and Chinese.
"""
from __future__ import annotations

from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

import screens.options  # noqa: F401 - registers BiLabel for the kv rule below


class FocusRing(Widget):
    """Set `target` to a widget (or None); `follow()` moves the frame to where it is now."""

    shown = BooleanProperty(False)

    def __init__(self, **kw: Any) -> None:
        super().__init__(size_hint=(None, None), **kw)
        self.target: Any = None

    def show(self, target: Any) -> None:
        self.target = target
        self.follow()

    def hide(self) -> None:
        self.target = None
        self.shown = False

    def follow(self, *_: Any) -> None:
        w = self.target
        if w is None or w.get_root_window() is None:
            self.shown = False
            return
        x, y = w.to_window(w.x, w.y)
        self.pos, self.size = (x, y), (w.width, w.height)
        self.shown = True

    def on_touch_down(self, touch: Any) -> bool:
        return False


class SpeechCaption(BoxLayout):
    """`note` is a catalog key (or None: hidden)."""

    note = ObjectProperty(None, allownone=True)

    def on_touch_down(self, touch: Any) -> bool:
        return False


Builder.load_string("""
#:import UI screens.ui.state
#:import Msg kiosk.i18n.translator.Msg

<FocusRing>:
    canvas:
        Color:
            rgba: (0, 0, 0, 1) if self.shown else (0, 0, 0, 0)
        Line:
            rectangle: self.x - UI.theme.mm(1.6), self.y - UI.theme.mm(1.6), self.width + UI.theme.mm(3.2), self.height + UI.theme.mm(3.2)
            width: UI.theme.mm(1.2)
        Color:
            rgba: (1, 0.84, 0, 1) if self.shown else (0, 0, 0, 0)
        Line:
            rectangle: self.x - UI.theme.mm(0.8), self.y - UI.theme.mm(0.8), self.width + UI.theme.mm(1.6), self.height + UI.theme.mm(1.6)
            width: UI.theme.mm(0.7)

<SpeechCaption>:
    orientation: "vertical"
    size_hint: 1, None
    height: (label.height + 2 * UI.theme.pad * 0.5) if root.note else 0
    y: UI.theme.bar + UI.theme.mm(2)
    opacity: 1 if root.note else 0
    padding: UI.theme.pad * 0.5
    canvas.before:
        Color:
            rgba: UI.theme.color("bar") if root.note else (0, 0, 0, 0)
        Rectangle:
            pos: self.pos
            size: self.size
    BiLabel:
        id: label
        source: Msg(root.note) if root.note else None
        role: "small"
        halign: "center"
        color: UI.theme.color("bar_text")
        muted_color: UI.theme.color("bar_text")
""")
