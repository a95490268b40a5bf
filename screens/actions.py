"""A screen's actions, laid out for the longest language first: the first option is the one
full-width primary button, every other option sits in one compact row beneath it. Stacked
full-size bilingual buttons took half the height in Tibetan and Yi (issue 15); this row keeps
the actions to a fixed, small share, and the content gets the rest."""
from __future__ import annotations

from typing import Any, Callable

from kivy.properties import ObjectProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from screens.ui import ui
from screens.widgets import BigButton

ROW_MAX = 3  # compact buttons side by side; more wrap to a second row


class ScreenActions(BoxLayout):
    options = ObjectProperty((), allownone=True)
    on_choose: Callable[[str], None] = staticmethod(lambda option_id: None)

    def __init__(self, **kw: Any) -> None:
        self._evening: list[tuple[BigButton, int]] = []  # (button, binding uid) of the compact row
        super().__init__(**kw)
        self.orientation = "vertical"
        self.size_hint_y = None
        self.bind(minimum_height=self.setter("height"))
        self.fbind("options", self._rebuild)
        ui().follow(self, "_rebuild", "theme")  # held weakly: a screen's bar dies with the screen
        self._rebuild()

    def _button(self, kept: list[BigButton]) -> BigButton:
        """A button on show before, or a new one: building one (kv rules, two bilingual labels, a
        pictogram) is a large part of a tap's cost (issue 15 latency). Only buttons on show are
        reused; the others are dropped, never kept aside with the last citizen's labels."""
        if kept:
            button = kept.pop(0)
            if button.parent is not None:
                button.parent.remove_widget(button)
            return button
        button = BigButton()
        button.bind(on_release=lambda b: self.on_choose(b.option_id))
        return button

    @staticmethod
    def _dress(button: BigButton, opt: Any, primary: bool) -> BigButton:
        button.state = "normal"
        button.min_height = 0
        button.option_id = opt.id
        button.label, button.detail, button.reason, button.enabled = opt.label, opt.detail, opt.reason, opt.enabled
        button.style, button.compact = ("primary" if primary else "secondary"), not primary
        return button

    def _rebuild(self, *_: Any) -> None:
        t = ui().theme
        self.spacing = t.gap
        kept = [w for w in reversed(self.children) if isinstance(w, BigButton)]
        for row in [w for w in reversed(self.children) if isinstance(w, GridLayout)]:
            kept += [b for b in reversed(row.children) if isinstance(b, BigButton)]
        for b, uid in self._evening:  # a reused button no longer evens its old row
            b.unbind_uid("natural_height", uid)
        self._evening = []
        self.clear_widgets()
        options = tuple(self.options or ())
        if not options:
            self.height = 0
            return
        self.add_widget(self._dress(self._button(kept), options[0], primary=True))
        rest = options[1:]
        if rest:
            row = GridLayout(cols=min(len(rest), ROW_MAX), spacing=t.gap, size_hint_y=None)
            row.bind(minimum_height=row.setter("height"))
            buttons = [self._dress(self._button(kept), opt, primary=False) for opt in rest]
            for b in buttons:
                self._evening.append((b, b.fbind("natural_height", self._even, buttons)))
                row.add_widget(b)
            self._even(buttons)
            self.add_widget(row)

    @staticmethod
    def _even(buttons: list[BigButton], *_: Any) -> None:
        tallest = max(b.natural_height for b in buttons)
        for b in buttons:
            b.min_height = tallest
