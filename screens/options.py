"""A column (or grid) of big buttons made from a view's options: shared by choice, error,
ticket and result screens so buttons look and behave the same everywhere. Each button carries the
pictogram its option means (screens/icons.py). On the start screen the services are tiles of equal
rank (`equal`): a section of two showed its first service as the screen's primary action."""
from __future__ import annotations

from typing import Any, Callable

from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.gridlayout import GridLayout

from kiosk.i18n.translator import Msg
from screens.ui import ui
from screens.widgets import BigButton, reuse_children

TILE_ICON_MM = 20  # a service tile's pictogram: the first thing a person who does not read looks for


class OptionList(GridLayout):
    options = ObjectProperty((), allownone=True)
    columns = NumericProperty(1)
    selected = ObjectProperty(())  # option ids shown as chosen (multi-select)
    multi = BooleanProperty(False)  # options are toggles (ticked on and off), but `send`
    send = StringProperty("submit")  # the option that sends a multi-select choice
    equal = BooleanProperty(False)  # tiles of equal rank (the start screen's services): none is primary
    # All of a view's list at once (options, multi, selected): set from one kv expression, the list
    # is built once per view; three separate bindings built it three times (issue 15 latency).
    state = ObjectProperty(None, allownone=True)
    on_choose: Callable[[str], None] = staticmethod(lambda option_id: None)

    def __init__(self, **kw: Any) -> None:
        self._holding = False  # while _apply_state sets its three properties: one rebuild after
        super().__init__(**kw)
        self.size_hint_y = None
        self.bind(minimum_height=self.setter("height"))
        self.fbind("options", self._rebuild)
        self.fbind("columns", self._rebuild)
        self.fbind("selected", self._rebuild)
        self.fbind("multi", self._rebuild)
        self.fbind("equal", self._rebuild)
        self.fbind("state", self._apply_state)
        ui().follow(self, "_rebuild", "theme")  # held weakly (screens/ui.py follow)
        self._rebuild()

    def _apply_state(self, *_: Any) -> None:
        state = self.state or {}
        self._holding = True
        try:
            self.multi = bool(state.get("multi", False))
            self.selected = tuple(state.get("selected", ()))
            self.options = tuple(state.get("options", ()))
        finally:
            self._holding = False
        self._rebuild()

    def _rebuild(self, *_: Any) -> None:
        if self._holding:
            return
        t = ui().theme
        self.cols = max(1, min(int(self.columns), t.columns if self.columns > 1 else 1))
        self.spacing = t.gap
        options = tuple(self.options or ())
        # Reused for the next view's options (a tap on a toggle rebuilt the whole list).
        for i, (button, opt) in enumerate(zip(reuse_children(self, len(options), self._new_button), options)):
            self._dress(button, opt, i, len(options))
        self._even_rows()

    def _new_button(self) -> BigButton:
        button = BigButton()
        button.bind(on_release=lambda b: self.on_choose(b.option_id))
        button.fbind("natural_height", self._even_rows)
        return button

    def _dress(self, button: BigButton, opt: Any, i: int, count: int) -> None:
        """Every property the list sets, set on every rebuild: a reused button keeps nothing of
        the option it showed before."""
        style = "primary" if i == 0 and count <= 3 and not self.equal else "secondary"
        toggle = bool(self.multi) and opt.id != self.send
        if self.multi:
            # Toggles look like toggles: a box, ticked and framed when chosen (issue 15: a
            # chosen reason looked like the first, unchosen one); the send button is primary.
            style = "secondary" if toggle else "primary"
        checked = opt.id in (self.selected or ())
        detail = opt.detail
        if checked:
            style = "secondary" if self.multi else "primary"
            detail = Msg("common.selected")  # the label says so too (never colour alone)
        button.state = "normal"
        button.min_height = 0
        button.option_id = opt.id
        button.label, button.detail, button.reason = opt.label, detail, opt.reason
        button.enabled = opt.enabled
        button.style, button.toggle, button.checked = style, toggle, checked
        button.icon_mm = TILE_ICON_MM if self.equal else 0

    def _even_rows(self, *_: Any) -> None:
        buttons = list(reversed(self.children))  # Kivy keeps children newest-first
        cols = max(1, self.cols or 1)
        for start in range(0, len(buttons), cols):
            row = buttons[start:start + cols]
            tallest = max(b.natural_height for b in row)
            for b in row:
                b.min_height = tallest
