"""The kiosk's scrolling area: Kivy's ScrollView without its binding leak.

Kivy 2.3.1's `ScrollView.update_from_scroll` binds `_change_bar_color` to `bar_color` on every call
and unbinds it once, half a second later (when the bar fades). Every further call within that half
second (a layout pass, a content change) leaves one more binding behind for good: the UI soak found
seven a session on the start screen's ScrollView alone. Here each call first drops the binding it is
about to make again, so a ScrollView holds at most one. Every .kv of the kiosk uses this class."""
from __future__ import annotations

from typing import Any

from kivy.uix.scrollview import ScrollView


class KioskScrollView(ScrollView):
    def update_from_scroll(self, *largs: Any) -> None:
        self.funbind("bar_color", self._change_bar_color)
        super().update_from_scroll(*largs)
