"""The UI's shared state (language, text mode, theme) as Kivy properties widgets bind to."""
from __future__ import annotations

from typing import Any

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from kiosk.i18n import Translator
from screens.theme import Theme


class UiState(EventDispatcher):
    lang = StringProperty("zh_CN")
    large = BooleanProperty(False)
    theme = ObjectProperty(Theme())
    translator = ObjectProperty(None, allownone=True)

    def __init__(self, translator: Translator, dpi: float, scale: float = 1.0, **kw: Any) -> None:
        super().__init__(**kw)
        self.translator = translator
        self.dpi, self.scale = dpi, scale
        self.theme = Theme(dpi, scale, False)
        self.bind(large=self._retheme)

    def _retheme(self, *_: Any) -> None:
        self.theme = Theme(self.dpi, self.scale, self.large)

    def pair(self, t: Any) -> tuple[str, str | None]:
        return self.translator.pair(t, self.lang)

    def text(self, t: Any) -> str:
        return self.translator.text(t, self.lang)


_ui: UiState | None = None


def ui() -> UiState:
    if _ui is None:
        raise RuntimeError("UI state not initialised (screens.ui.install)")
    return _ui


def install(state: UiState) -> UiState:
    global _ui
    _ui = state
    return state
