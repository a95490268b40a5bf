"""What every screen shares: it renders a `flows.engine.View` (or its own content) and reports
what the citizen did as intents; it never calls a device or the platform."""
from __future__ import annotations

from typing import Any, Callable

from kivy.lang import Builder
from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen

import screens.options  # noqa: F401 - registers OptionList, BigButton, BiLabel... for the .kv rules

Intent = Callable[..., None]


def _noop(name: str, **data: Any) -> None:
    pass


class KioskScreen(Screen):
    view = ObjectProperty(None, allownone=True)
    intent: Intent = _noop

    def show(self, view: Any) -> None:
        self.view = view

    def forget(self) -> None:
        """The session is over: nothing of the citizen's stays in this screen's widgets, even
        hidden (a screen keeps its last view until its next showing). Screens holding more than
        their view (typed text) add to this. Every list goes back to its top: the next person
        finds the start screen as a person who just walked up should, not where the last one
        left it (seen in the live window: the start list stayed at its end)."""
        from screens.scrolling import KioskScrollView

        self.view = None
        for w in self.walk(restrict=True):
            if isinstance(w, KioskScrollView):
                w.effect_y.cancel()  # a glide still running would carry it off the top again
                w.scroll_y = 1.0

    def emit(self, name: str, **data: Any) -> None:
        self.intent(name, **data)


def load_kv(py_file: str) -> None:
    """Each screen's .kv sits beside its .py."""
    Builder.load_file(py_file.replace(".py", ".kv"))
