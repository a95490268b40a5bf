"""The UI's shared state (language, text mode, theme) as Kivy properties widgets bind to."""
from __future__ import annotations

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
