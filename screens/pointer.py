"""The pointer: Kivy's mouse provider, with a touch's press, movement and release handed to the
widgets in that order, one step per frame.

Why (found in the live demo window, issue 14): Kivy's MouseMotionEventProvider moves its touch
when SDL reports the motion, and the event loop collects every event of a frame before it
dispatches any (kivy/base.py dispatch_input). When a whole swipe (press, moves, release) arrives
within one frame, as a quick flick does on a slow frame (the Tibetan start screen in large text
under software GL took ~0.3 s a frame), all of it is dispatched with the touch already at its
end: the press lands where the finger was lifted and no event moves it, so the ScrollView takes
the swipe for a tap and presses the tile under the lifted finger. A citizen flicking the service
list started a service they never chose.

A touch panel on a kiosk under X11 reaches Kivy as this mouse. Here a movement is queued with its
position and applied only when it is handed on; and a frame hands on at most one step of each
touch (its press, or its movements so far, or its release), so the widgets see the press where
it was and the move after it. A tap that arrives within one frame costs one frame more.
"""
from __future__ import annotations

from typing import Any, Callable

from kivy.input.factory import MotionEventFactory
from kivy.input.providers.mouse import MouseMotionEventProvider

PROVIDER = "kioskmouse"


class OrderedMouseProvider(MouseMotionEventProvider):
    def on_mouse_motion(self, win: Any, x: float, y: float, modifiers: Any) -> Any:
        touch = self.current_drag
        if not touch:
            return super().on_mouse_motion(win, x, y, modifiers)
        nx, ny = win.to_normalized_pos(x, y)
        self.waiting_event.append(("update", touch, (win, [nx, 1.0 - ny])))  # moved when dispatched
        return None

    def update(self, dispatch_fn: Callable[..., Any]) -> None:
        queue, stepped = self.waiting_event, set()
        while queue:
            event = queue[0]
            touch = event[1]
            if touch.uid in stepped and touch.type_id == "touch":
                return  # this touch's next step waits for the next frame (hovers go on as they come)
            queue.popleft()
            if len(event) == 3:  # movements: this one and those queued right after it, as one step
                self._apply(event)
                while queue and len(queue[0]) == 3 and queue[0][1] is touch:
                    self._apply(queue.popleft())
            dispatch_fn(event[0], touch)
            stepped.add(touch.uid)

    @staticmethod
    def _apply(event: tuple[str, Any, tuple[Any, list[float]]]) -> None:
        _, touch, (win, pos) = event
        touch.move(pos)
        touch.update_graphics(win)


MotionEventFactory.register(PROVIDER, OrderedMouseProvider)
