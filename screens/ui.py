"""The UI's shared state (language, text mode, theme) as Kivy properties widgets bind to."""
from __future__ import annotations

import weakref
from typing import Any

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from kiosk.i18n.translator import Translator
from screens.theme import Theme


class UiState(EventDispatcher):
    lang = StringProperty("zh_CN")
    large = BooleanProperty(False)
    theme = ObjectProperty(Theme())
    translator = ObjectProperty(None, allownone=True)

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.dpi, self.scale = 102.0, 1.0
        self.bind(large=self._retheme)
        # prop -> {widget: method names}: the widgets that redraw when it changes (follow())
        self._followers: dict[str, weakref.WeakKeyDictionary[Any, list[str]]] = {}

    def follow(self, widget: Any, method: str, *props: str) -> None:
        """Call `widget.<method>()` whenever one of `props` changes, for as long as the widget
        lives, and hold nothing of it after. Widgets must not bind their own methods to this
        state: Kivy keeps a dead weak binding as an entry until that property next changes, and
        each new binding walks all the entries. On a kiosk that keeps one language for a day,
        every bilingual label ever built (thousands an hour) stayed as an entry and each new one
        took longer to bind: the 2,000-session UI soak slowed from 1.5 to 2.4 s a session."""
        for prop in props:
            table = self._followers.get(prop)
            if table is None:
                table = self._followers[prop] = weakref.WeakKeyDictionary()
                self.fbind(prop, self._notify, prop)  # one binding per property, for the run
            table.setdefault(widget, [])
            if method not in table[widget]:
                table[widget].append(method)

    def _notify(self, prop: str, *_: Any) -> None:
        for widget, methods in list(self._followers[prop].items()):
            for method in methods:
                getattr(widget, method)()

    def configure(self, translator: Translator, dpi: float, scale: float = 1.0) -> "UiState":
        self.translator = translator
        self.dpi, self.scale = dpi, scale
        self._retheme()
        return self

    def _retheme(self, *_: Any) -> None:
        self.theme = Theme(self.dpi, self.scale, self.large)

    def pair(self, t: Any) -> tuple[str, str | None]:
        return self.translator.pair(t, self.lang)

    def text(self, t: Any) -> str:
        return self.translator.text(t, self.lang)


# One instance for the window, created at import so .kv rules can bind to it
# (`#:import UI screens.ui.state`; a kv expression through a function call would never update).
state = UiState()


def ui() -> UiState:
    return state


def install(translator: Translator, dpi: float, scale: float = 1.0) -> UiState:
    return state.configure(translator, dpi, scale)
