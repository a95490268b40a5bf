"""A quick flick that reaches Kivy within one frame (found in the live demo window, issue 14):
Kivy's mouse provider moved the touch to the flick's end before dispatching its press, so the
start screen took the flick for a tap on the tile under the lifted finger. The kiosk's provider
(screens/pointer.py) applies each movement when it is dispatched. Driven here as SDL drives it:
the provider's own press/motion/release handlers, all called before the next frame."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui


def _provider():
    from kivy.base import EventLoop
    from kivy.input.providers.mouse import MouseMotionEventProvider

    return next(p for p in EventLoop.input_providers if isinstance(p, MouseMotionEventProvider))


def _in_one_frame(ui, points: list[tuple[float, float]]) -> None:
    """Press at the first point, move through the rest, release: SDL's events for one frame."""
    from kivy.core.window import Window

    mouse, height = _provider(), Window.height
    (x, y), rest = points[0], points[1:]
    mouse.on_mouse_press(Window, x, height - y, "left", [])  # SDL counts y from the top
    for x, y in rest:
        mouse.on_mouse_motion(Window, x, height - y, [])
    mouse.on_mouse_release(Window, x, height - y, "left", [])
    ui.pump(frames=6)


def _start_list(ui):
    from kivy.uix.scrollview import ScrollView

    ui.c.go_start(reset=True)
    ui.pump(frames=3)
    view = next(w for w in ui.widgets(ui.c.root.screens["start"]) if isinstance(w, ScrollView))
    view.scroll_y = 1.0
    ui.pump(frames=3)
    return view


def test_the_kiosk_reads_the_mouse_through_its_own_provider(ui):
    from screens.pointer import OrderedMouseProvider

    assert type(_provider()) is OrderedMouseProvider


def test_a_flick_within_one_frame_scrolls_and_starts_nothing(ui):
    view = _start_list(ui)
    x, y = view.to_window(view.center_x, view.y + view.height * 0.2)
    _in_one_frame(ui, [(x, y + 160 * i) for i in range(7)])
    assert ui.c.root.current == "start" and ui.c.runner is None
    assert view.scroll_y < 0.99  # it scrolled


def test_a_tap_within_one_frame_is_still_a_tap(ui):
    view = _start_list(ui)
    tile = ui.button("flow:service_guide")
    x, y = tile.to_window(*tile.center)
    _in_one_frame(ui, [(x, y), (x + 2, y + 2)])  # a finger's wobble is no swipe
    ui.pump(lambda: ui.c.root.current != "start")
    assert ui.c.runner is not None
