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
less motion, nothing to overshoot), lets a fling decay by the same factor per unit of time
whatever the frames, and caps a fling's speed (Kivy divides the last moves' distance by their
duration, which two events in one millisecond make 40,000 px/s). Every .kv of the kiosk uses
KioskScrollView, and with it this effect."""
from __future__ import annotations

from typing import Any

from kivy.effects.scroll import ScrollEffect
from kivy.uix.scrollview import ScrollView

MAX_FLING_PX_S = 4000.0  # a fling glides at most ~1,300 px (friction 0.05 per 1/60 s)
MAX_STEP_S = 0.1  # a slow frame moves the content as far as a frame of 0.1 s, no further


class KioskScrollEffect(ScrollEffect):
    def stop(self, val: float, t: float | None = None) -> None:
        super().stop(val, t)
        self.velocity = max(-MAX_FLING_PX_S, min(MAX_FLING_PX_S, self.velocity))

    def update_velocity(self, dt: float) -> None:
        if abs(self.velocity) <= self.min_velocity:
            self.velocity = 0
            return
        dt = min(max(dt, 0.0), MAX_STEP_S)
        # (1 - friction) per standard frame, compounded over dt: never below zero, never a sign flip
        self.velocity *= (1.0 - self.friction) ** (dt / self.std_dt)
        self.apply_distance(self.velocity * dt)
        self.trigger_velocity_update()


class KioskScrollView(ScrollView):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("effect_cls", KioskScrollEffect)
        super().__init__(**kwargs)

    def update_from_scroll(self, *largs: Any) -> None:
        self.funbind("bar_color", self._change_bar_color)
        super().update_from_scroll(*largs)
