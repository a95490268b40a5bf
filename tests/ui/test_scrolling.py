"""Swiping the kiosk's scroll views by touch, on slow frames (found in the live demo window: a
quick swipe on the Tibetan start screen in large text left it blank). Kivy 2.3.1's default
DampedScrollEffect steps its spring once per frame whatever the frame's length; on frames of a
third of a second it swung further each frame, off its content. screens/scrolling.py says more."""
from __future__ import annotations

import math
import time

import pytest

pytestmark = pytest.mark.ui

SLOW_FRAME_S = 0.35  # a frame of a terminal busy drawing (software GL, a weak CPU, a big screen)


def _start_view(ui):
    from kivy.uix.scrollview import ScrollView

    start = ui.c.root.screens["start"]
    return next(w for w in ui.widgets(start) if isinstance(w, ScrollView))


def _swipe_up(ui, view, px: float, steps: int = 9) -> None:
    """A finger drawn upwards over the view, a frame between moves, let go while moving."""
    from kivy.tests.common import UnitTestTouch

    x, y = view.to_window(view.center_x, view.y + view.height * 0.2)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    for i in range(1, steps):
        touch.touch_move(x, y + px * i / steps)
        ui.pump(frames=1)
    touch.touch_move(x, y + px)
    touch.touch_up()


def _slow_frames(ui, view, n: int) -> list[tuple[float, float]]:
    from kivy.clock import Clock

    seen = []
    slow = Clock.schedule_interval(lambda dt: time.sleep(SLOW_FRAME_S), 0)
    try:
        for _ in range(n):
            ui.pump(frames=1)
            seen.append((view.scroll_y, view.effect_y.velocity))
    finally:
        slow.cancel()
    return seen


def _tiles_in_sight(ui, view) -> int:
    from screens.widgets import BigButton

    top, bottom = view.to_window(0, view.top)[1], view.to_window(0, view.y)[1]
    return sum(1 for w in ui.widgets(view) if isinstance(w, BigButton)
               and bottom <= w.to_window(*w.center)[1] <= top)


@pytest.fixture
def tibetan_large(ui):
    ui.c.ui.lang, ui.c.ui.large = "bo", True
    ui.pump(frames=5)
    yield ui
    ui.c.ui.lang, ui.c.ui.large = "zh_CN", False
    ui.pump(frames=3)


def test_a_swipe_on_slow_frames_glides_to_rest_on_the_content(tibetan_large):
    ui = tibetan_large
    view = _start_view(ui)
    assert view.viewport_size[1] > 3 * view.height  # the long Tibetan start screen
    _swipe_up(ui, view, 540)
    seen = _slow_frames(ui, view, 8)
    assert all(math.isfinite(s) and 0.0 <= s <= 1.0 for s, _ in seen), seen
    speeds = [abs(v) for _, v in seen]
    assert all(b <= a for a, b in zip(speeds, speeds[1:])), seen  # slows down, never swings back
    assert seen[-1][0] < 1.0 and _tiles_in_sight(ui, view) >= 2
    assert ui.c.root.current == "start"


def test_a_fling_towards_the_end_stops_at_the_end(tibetan_large):
    ui = tibetan_large
    view = _start_view(ui)
    view.scroll_y = 0.02
    ui.pump(frames=3)
    _swipe_up(ui, view, 700, steps=4)
    seen = _slow_frames(ui, view, 6)
    assert all(0.0 <= s <= 1.0 for s, _ in seen), seen
    assert seen[-1] == (0.0, 0) and _tiles_in_sight(ui, view) >= 2


def test_two_touch_events_a_millisecond_apart_fling_no_faster_than_the_cap(ui):
    from screens.scrolling import MAX_FLING_PX_S, KioskScrollEffect

    effect = KioskScrollEffect(min=-8000, max=0)
    effect.value = -4000
    effect.start(-4000, 100.0)
    effect.update(-3950, 100.0005)
    effect.stop(-3700, 100.001)  # Kivy: 300 px in 1 ms, 300,000 px/s
    assert effect.velocity == MAX_FLING_PX_S


@pytest.mark.parametrize("frame_s", [1 / 60, 0.3])
def test_a_glide_takes_the_same_path_and_time_at_any_frame_rate(ui, frame_s):
    from screens.scrolling import MAX_FLING_PX_S, KioskScrollEffect

    effect = KioskScrollEffect(min=-8000, max=0)
    effect.value, effect.velocity = -8000, MAX_FLING_PX_S
    elapsed = 0.0
    while effect.velocity and elapsed < 10:
        effect.update_velocity(frame_s)
        elapsed += frame_s
    # from 4,000 px/s to the stop (20 px/s): ~1,320 px in ~1.75 s, whatever the frames
    assert 1300 < effect.value + 8000 < 1330 and 1.6 < elapsed < 1.85 + frame_s


def test_the_next_person_finds_the_start_list_at_its_top(ui):
    """Seen in the live window: after a session ended, the start screen's list stayed where the
    last person had scrolled it (its end)."""
    view = _start_view(ui)
    ui.c.go_start(reset=True)
    ui.pump(frames=3)
    _swipe_up(ui, view, 700, steps=4)
    ui.pump(frames=30)
    assert view.scroll_y < 0.95
    ui.c.go_start(reset=True)  # the session's end: the wipe, then the start screen
    ui.pump(frames=3)
    assert view.scroll_y == 1.0 and view.effect_y.velocity == 0
