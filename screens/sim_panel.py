"""The demo's simulator panel: a drawer on the right edge (demo profile only) that presents and
removes cards, shows a code to the camera, runs the printer out of paper, pulls a cable or stops
the platform. It only emits intents ("sim" {action}); the app acts on the simulators."""
from __future__ import annotations

from typing import Any, Callable

from kivy.properties import BooleanProperty, ObjectProperty
from kivy.uix.floatlayout import FloatLayout

from screens import bars  # noqa: F401 - BarButton, the tab's class, registered before the kv is read
from screens.base import load_kv

TAB_MM = 42.0  # the tab's width: "Simulators" at the 6.8 mm text floor of the audit, in a bar's button
ACTIONS = ("idcard.han", "idcard.tibetan", "idcard.yi", "idcard.remove", "idcard.unplug", "idcard.replug",
           "sscard.insert", "sscard.technician", "sscard.remove", "code.show", "code.clear", "face.show",
           "printer.ok", "printer.near_end", "printer.paper_out", "platform.stop", "platform.start")


class SimPanel(FloatLayout):
    open = BooleanProperty(False)
    tab_mm = TAB_MM
    # What the last action could not do, on screen (kiosk/demo/sim_rig.py sets it); None: nothing.
    message = ObjectProperty(None, allownone=True)
    intent: Callable[..., None] = staticmethod(lambda name, **data: None)

    def on_kv_post(self, *_: Any) -> None:
        self.ids.actions.on_choose = lambda action: self.intent("sim", action=action)

    def on_open(self, *_: Any) -> None:
        # Its buttons are made the first time it opens, not at start-up: the demo's start
        # screen should come up as fast as a terminal's.
        if self.open and not self.ids.actions.options:
            from flows.engine import Option
            from kiosk.i18n.translator import Msg

            self.ids.actions.options = tuple(Option(a, Msg(f"sim.{a}")) for a in ACTIONS)

    def on_touch_down(self, touch: Any) -> bool:
        if self.open or self.ids.tab.collide_point(*touch.pos):
            return super().on_touch_down(touch)
        return False  # closed: everything but the tab belongs to the screen below


load_kv(__file__)
