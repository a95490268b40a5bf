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
        super().__init__(**kw)
        self.orientation = "vertical"
        self.size_hint_y = None
        self.bind(minimum_height=self.setter("height"))
        self.fbind("options", self._rebuild)
        ui().bind(theme=self._rebuild)  # weakly, like BiLabel: a screen's bar dies with the screen
        self._rebuild()

    def _button(self, opt: Any, primary: bool) -> BigButton:
        button = BigButton(label=opt.label, detail=opt.detail, reason=opt.reason, enabled=opt.enabled,
                           option_id=opt.id, style="primary" if primary else "secondary", compact=not primary)
        button.bind(on_release=lambda b: self.on_choose(b.option_id))
        return button

    def _rebuild(self, *_: Any) -> None:
        t = ui().theme
        self.spacing = t.gap
        self.clear_widgets()
        options = tuple(self.options or ())
        if not options:
            self.height = 0
            return
        self.add_widget(self._button(options[0], primary=True))
        rest = options[1:]
        if rest:
            row = GridLayout(cols=min(len(rest), ROW_MAX), spacing=t.gap, size_hint_y=None)
            row.bind(minimum_height=row.setter("height"))
            buttons = [self._button(opt, primary=False) for opt in rest]
            for b in buttons:
                b.fbind("natural_height", self._even, buttons)
                row.add_widget(b)
            self._even(buttons)
            self.add_widget(row)

    @staticmethod
    def _even(buttons: list[BigButton], *_: Any) -> None:
        tallest = max(b.natural_height for b in buttons)
        for b in buttons:
            b.min_height = tallest
