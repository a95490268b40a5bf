"""The idle warning: shown (and spoken) before the session is wiped; one tap continues (in speech
mode any key of the keypad, which the warning then says too: `keypad_hint`).
An overlay over whatever screen the citizen was on, so nothing they did is lost by the warning."""
from __future__ import annotations

from typing import Any

from kivy.properties import NumericProperty, ObjectProperty
from kivy.uix.floatlayout import FloatLayout

from screens.base import load_kv


class IdleWarning(FloatLayout):
    seconds_left = NumericProperty(20)
    countdown_text = ObjectProperty(None, allownone=True)
    keypad_hint = ObjectProperty(None, allownone=True)  # speech mode: "press any key to continue"
    on_continue: Any = staticmethod(lambda: None)

    def on_kv_post(self, *_: Any) -> None:
        self.ids.options.on_choose = lambda option_id: self.on_continue()

    def on_seconds_left(self, *_: Any) -> None:
        from kiosk.i18n.translator import Msg

        self.countdown_text = Msg("idle.countdown", seconds=int(self.seconds_left))

    def on_touch_down(self, touch: Any) -> bool:
        # Anywhere on the overlay counts as "I'm still here"; touches never reach the screen below.
        super().on_touch_down(touch)
        return True


load_kv(__file__)
