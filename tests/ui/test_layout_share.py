"""Layout for the longest language first (issue 15). `layout_problems` is checked on every
scene, in zh_CN, bo, ii and en, normal and large text, by the accessibility audit's pass
(tests/ui/test_accessibility.py, one render per scene for both): the screen's content area
(`ids.content`) gets at least half of the window's height, no text is bigger than its box or
drawn outside the screen area (under a bar), and the top bar has one height and one place per
button whatever the language or mode. The tests here cover the rest of the layout findings."""
from __future__ import annotations

import pytest

from kiosk.demo.render import show_scene

pytestmark = pytest.mark.ui

MIN_SHARE = 0.5
SLACK_PX = 2  # our line measure and SDL2_ttf's differ by a pixel or two


def rect(w) -> tuple[float, float, float, float]:
    x, y = w.to_window(w.x, w.y)
    return x, y, x + w.width, y + w.height


def content_share(c) -> float:
    from kivy.core.window import Window

    screen = c.root.manager.current_screen
    # `ids.content`, or the id a screen names in `content_area` when its main widget has one
    content = screen.ids.get(getattr(screen, "content_area", "content"))
    if content is None:
        return 0.0
    _, a0, _, a1 = rect(c.root.manager)
    _, y0, _, y1 = rect(content)
    return max(0.0, min(y1, a1) - max(y0, a0)) / Window.height


def in_scroll(w) -> bool:
    from kivy.uix.scrollview import ScrollView

    while w is not None and w.parent is not w:
        if isinstance(w, ScrollView):
            return True
        w = w.parent
    return False


def visible(widget) -> bool:
    window = widget.get_root_window()
    if window is None:
        return False
    w = widget
    while w is not None and w is not window:  # Kivy's Window is its own parent
        if getattr(w, "opacity", 1) == 0 or w.height <= 0:
            return False
        w = w.parent
    return True


def layout_problems(h) -> list[str]:
    from screens.widgets import ScriptLabel

    c = h.c
    problems = []
    share = content_share(c)
    if share < MIN_SHARE:
        problems.append(f"content {share:.0%} of the height < {MIN_SHARE:.0%}")
    area = rect(c.root.manager)
    bars = (c.root.ids.topbar, c.root.ids.bottombar)
    for w in h.widgets():
        if not isinstance(w, ScriptLabel) or not w.source_text.strip() or not visible(w):
            continue
        box_h = getattr(w, "box_height", w.texture_size[1])  # the text less the font's blank margins
        dx, dy = w.texture_size[0] - w.width, box_h - w.height
        if dx > SLACK_PX or dy > SLACK_PX:
            problems.append(f"text {dx:+.0f}/{dy:+.0f}px beyond its box: {w.source_text[:20]!r}")
        if in_scroll(w) or w.get_root_window() is None:
            continue
        box = next((b for b in bars if b in _ancestors(w)), None)
        tab = getattr(c.root.sim_panel, "ids", {}).get("tab")
        if tab is not None and tab in _ancestors(w):
            box = c.root.ids.bottombar  # the demo simulator's tab stands in the bottom bar, in its own room
        x0, y0, x1, y1 = rect(box) if box is not None else area
        lx0, ly0, lx1, ly1 = rect(w)
        if ly0 < y0 - SLACK_PX or ly1 > y1 + SLACK_PX:
            problems.append(f"text outside its area (under a bar): {w.source_text[:20]!r}")
    return problems


def _ancestors(w) -> list:
    out = []
    while w is not None and w.parent is not w:
        out.append(w)
        w = w.parent
    return out


def bar_geometry(c) -> tuple:
    bar = c.root.ids.topbar
    return tuple(tuple(round(v) for v in rect(w)) for w in (bar, *reversed(bar.children)))


def test_the_layout_check_can_fail(ui):
    """A screen whose content is squeezed, and a label shorter than its text, are reported."""
    from kivy.uix.widget import Widget

    from kiosk.i18n.translator import Plain
    from screens.widgets import BiLabel

    c = ui.c
    show_scene(c, "result", "bo", True)
    screen = c.root.manager.current_screen
    outer = screen.ids.content.parent
    squeeze = Widget(size_hint_y=None, height=c.root.height * 0.6)
    label = BiLabel(source=Plain("a text too tall for its box"))
    outer.add_widget(squeeze, index=len(outer.children))
    outer.add_widget(label, index=len(outer.children))
    ui.pump(frames=3)
    label.primary.fit_height = False
    label.primary.height = 5
    try:
        problems = layout_problems(ui)
    finally:
        outer.remove_widget(squeeze)
        outer.remove_widget(label)
    assert any(p.startswith("content ") for p in problems), problems
    assert any("beyond its box" in p for p in problems), problems


def touch_at(ui, x: float, y: float) -> None:
    from kivy.tests.common import UnitTestTouch

    t = UnitTestTouch(x, y)
    t.touch_down()
    t.touch_up()
    ui.pump(frames=3)


def test_large_text_tapped_twice_on_one_spot_is_on_then_off(ui):
    """The mode button stays where it was: the second tap switches back, it opens nothing else."""
    c = ui.c
    button = list(reversed(c.root.ids.topbar.children))[1]
    x, y = button.to_window(*button.center)
    touch_at(ui, x, y)
    assert c.ui.large
    touch_at(ui, x, y)
    assert not c.ui.large and c.root.current == "start"


def test_five_taps_on_the_language_button_open_only_the_chooser(ui):
    c = ui.c
    language = list(reversed(c.root.ids.topbar.children))[0]
    x, y = language.to_window(*language.center)
    for _ in range(5):
        touch_at(ui, x, y)
        ui.clock.advance(0.1)
    assert c.root.current == "language"


def test_five_taps_in_the_bottom_right_corner_open_the_technician_entry(ui):
    c = ui.c
    bar = c.root.ids.bottombar
    x, y = bar.to_window(bar.right - 5, bar.y + 5)
    for _ in range(5):
        touch_at(ui, x, y)
    assert c.root.current == "technician_entry"


def test_the_language_button_names_every_other_language_in_its_script(ui):
    c = ui.c
    show_scene(c, "start", "zh_CN", False)
    language = list(reversed(c.root.ids.topbar.children))[0]
    names = [text for text, _ in language.names]
    assert "བོད་ཡིག" in names and "ꆈꌠꁱꂷ" in names


def test_final_views_have_no_cancel_beside_their_way_home(ui):
    c = ui.c
    ui.app.inline = True
    try:
        for scene in ("ticket", "done", "error"):
            show_scene(c, scene, "zh_CN", False)
            assert not c.root.cancel_visible, scene
        show_scene(c, "choice", "zh_CN", False)
        assert c.root.cancel_visible
    finally:
        ui.app.inline = False


def test_a_chosen_reason_looks_chosen(ui):
    c = ui.c
    show_scene(c, "evaluation", "zh_CN", False)
    buttons = {b.option_id: b for b in ui.widgets() if getattr(b, "option_id", "") in ("fast", "clear", "submit")}
    assert buttons["clear"].checked and buttons["clear"].toggle
    assert not buttons["fast"].checked and buttons["fast"].toggle
    assert buttons["fast"].style == "secondary"  # not "primary" like a chosen one used to be
    assert not buttons["submit"].toggle and buttons["submit"].style == "primary"


@pytest.mark.parametrize("locale", ["bo", "ii"])
def test_the_reasons_send_button_stays_on_screen(ui, locale):
    """The reasons' body says "tap submit": in Tibetan and Yi large text the list fills the window,
    so the send button is pinned below it (outside the scroll), never scrolled out of sight."""
    from kivy.core.window import Window

    c = ui.c
    show_scene(c, "evaluation", locale, True)
    ui.pump(frames=5)
    [send] = [b for b in ui.widgets() if getattr(b, "option_id", "") == "submit"]
    assert visible(send) and not in_scroll(send)
    _, y0, _, y1 = rect(send)
    _, a0, _, a1 = rect(c.root.manager)
    assert y0 >= a0 - SLACK_PX and y1 <= min(a1, Window.height) + SLACK_PX


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_keys_are_at_least_20_mm(ui, large):
    from kivy.uix.button import Button

    c = ui.c
    for scene in ("keypad", "technician_entry"):
        show_scene(c, scene, "bo", large)
        keys = [w for w in ui.widgets(c.root.manager.current_screen.ids.pad) if isinstance(w, Button)]
        assert keys and min(k.height for k in keys) >= c.ui.theme.mm(20) - 0.5, scene
    c.ui.large = False


def test_the_pin_field_does_not_suggest_a_length(ui):
    c = ui.c
    c.root.show_screen("technician_entry")
    screen = c.root.screens["technician_entry"]
    screen.pin = ""
    ui.pump(frames=2)
    assert "_" not in screen.ids.field.text
    screen.pin = "123456"
    ui.pump(frames=2)
    assert screen.ids.field.text.count("\u25cf") == 6


def test_the_start_screen_lists_each_service_once(ui):
    from screens.widgets import BigButton

    c = ui.c
    show_scene(c, "start", "zh_CN", False)
    names = [c.ui.translator.text(w.label, "zh_CN") for w in ui.widgets(c.root.screens["start"])
             if isinstance(w, BigButton)]
    assert names and len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_no_room_is_kept_for_a_qr_code_that_is_not_there(ui):
    from flows.engine import View
    from kiosk.i18n.translator import Msg
    from screens.widgets import QRImage

    c = ui.c
    c.root.show_view(View("ticket", Msg("queue.ticket.title"), None, data={"number": "A001", "qr": ""}))
    ui.pump(frames=3)
    qr = [w for w in ui.widgets(c.root.screens["ticket"]) if isinstance(w, QRImage)]
    assert qr and qr[0].height == 0
