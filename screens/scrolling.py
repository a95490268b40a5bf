"""The kiosk's scrolling area: Kivy's ScrollView without its binding leak, and with a scroll
effect that stays on its content whatever the frame rate.

The binding leak: Kivy 2.3.1's `ScrollView.update_from_scroll` binds `_change_bar_color` to
`bar_color` on every call and unbinds it once, half a second later (when the bar fades). Every
further call within that half second (a layout pass, a content change) leaves one more binding
behind for good: the UI soak found seven a session on the start screen's ScrollView alone. Here
each call first drops the binding it is about to make again, so a ScrollView holds at most one.

The effect: Kivy's default DampedScrollEffect steps its spring and friction once per frame with
no regard for the frame's length (kivy/kivy#8729, replaced upstream in #9214 for Kivy 3). On a
frame of 0.3 s or more (a slow terminal drawing the Tibetan start screen, 10,000 px tall in large
text) the step overshoots: a quick swipe left the start screen's content 8,700 px beyond its end
and the screen blank, in the live demo window. KioskScrollEffect stops at the ends (no bounce:
less motion, nothing to overshoot), glides a fling along the same path in the same time whatever
the frames (a first version moved at most 0.1 s a frame, so on slow frames a glide lasted three
times as long and a tap seconds after a swipe met a list still moving), and caps a fling's speed (Kivy divides the last moves' distance by their
duration, which two events in one millisecond make 40,000 px/s). Every .kv of the kiosk uses
KioskScrollView, and with it this effect."""
from __future__ import annotations

import math
from typing import Any

from kivy.effects.scroll import ScrollEffect
from kivy.uix.scrollview import ScrollView

MAX_FLING_PX_S = 4000.0  # a fling glides at most ~1,300 px (friction 0.05 per 1/60 s)
STOP_PX_S = 20.0  # slower than this the glide ends (Kivy's 0.5 px/s kept a list "moving" 3 s)


class KioskScrollEffect(ScrollEffect):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_velocity", STOP_PX_S)
        super().__init__(**kwargs)

    def stop(self, val: float, t: float | None = None) -> None:
        super().stop(val, t)
        self.velocity = max(-MAX_FLING_PX_S, min(MAX_FLING_PX_S, self.velocity))

    def update_velocity(self, dt: float) -> None:
        if abs(self.velocity) <= self.min_velocity:
            self.velocity = 0
            return
        # The glide as a continuous decay, (1 - friction) per standard frame, integrated over the
        # frame's real length: the same path in the same time at any frame rate, and stable for
        # any dt (no step can overshoot or flip the direction).
        rate = -math.log(1.0 - self.friction) / self.std_dt  # per second
        decay = math.exp(-rate * max(dt, 0.0))
        distance = self.velocity * (1.0 - decay) / rate
        self.velocity *= decay
        self.apply_distance(distance)
        self.trigger_velocity_update()


class KioskScrollView(ScrollView):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("effect_cls", KioskScrollEffect)
        super().__init__(**kwargs)

    def update_from_scroll(self, *largs: Any) -> None:
        self.funbind("bar_color", self._change_bar_color)
        super().update_from_scroll(*largs)
