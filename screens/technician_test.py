"""A device's self-test page in technician mode: what to do (print a test page, present a test
card, show a test code), the camera picture for the scanner, and what the last try showed.
Content comes from kiosk.diag.dashboard.DeviceTest; the app runs the tests and feeds the preview."""
from __future__ import annotations

from typing import Any

from kivy.properties import ObjectProperty

from screens.base import KioskScreen, load_kv


class TechnicianTestScreen(KioskScreen):
    test = ObjectProperty(None, allownone=True)  # kiosk.diag.dashboard.DeviceTest

    def on_kv_post(self, *_: Any) -> None:
        self.ids.actions.on_choose = lambda action: self.emit("tech_test", action=action)

    def set_preview(self, frame: Any) -> None:
        if self.test is not None and self.test.preview:
            self.ids.preview.show(frame)

    def refresh(self) -> None:
        """The test object changes in place (a result came in): draw it again."""
        from flows.engine import Option
        from screens.widgets import BiLabel

        box = self.ids.result
        box.clear_widgets()
        if self.test is None:
            return
        for text in self.test.result:
            box.add_widget(BiLabel(source=text))
        self.ids.actions.options = tuple(Option(action, label) for action, label in self.test.actions)

    def on_test(self, *_: Any) -> None:
        self.refresh()


load_kv(__file__)
