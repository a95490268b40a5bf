"""Issue 17's "must show", through the whole service-guide flow in the real window: 社保 typed by
pinyin, 医 by handwriting strokes, a Tibetan word with a stacked letter and a Yi word, each by taps
(and finger strokes) on the keyboard's keys; OK searches, the right guide is the first result on
screen, and tapping it opens that guide."""
from __future__ import annotations

import json

import pytest

from kiosk.ime.handwriting import SAMPLE_YI

pytestmark = pytest.mark.ui


def search_view(ui, lang: str = "zh_CN"):
    c = ui.c
    c.ui.lang = lang
    c.start_flow("service_guide")
    ui.pump(lambda: c.root.current == "keyboard" and c.runner.step == "browse")
    return c.root.screens["keyboard"].ids.keyboard


def tap(ui, board, *keys: str) -> None:
    for key in keys:
        ui.tap(board.key_widget(key))


def draw(ui, board, strokes) -> None:
    from kivy.tests.common import UnitTestTouch

    pad = board.ids.pad
    side = min(pad.width, pad.height)
    ox, oy = pad.to_window(pad.center_x - side / 2, pad.center_y - side / 2)
    for stroke in strokes:  # each stroke a real touch dragged across the pad
        pts = [(ox + x / 1000 * side, oy + side - y / 1000 * side) for x, y in stroke]
        touch = UnitTestTouch(*pts[0])
        touch.touch_down()
        for p in pts[1:]:
            touch.touch_move(*p)
        touch.touch_up()
        ui.pump(frames=1)


def opens_guide(ui, guide_id: str) -> None:
    """OK was tapped: the first result on screen is the guide, and tapping it opens it."""
    c = ui.c
    ui.pump(lambda: bool(c.runner.view.options) and c.runner.view.data.get("query"))
    first = c.runner.view.options[0].id
    assert first == f"guide:{guide_id}", [o.id for o in c.runner.view.options]
    ui.tap(ui.button(first))
    ui.pump(lambda: c.runner.step == "guide")
    assert c.runner.flow.guide.id == guide_id and c.root.current == "result"


@pytest.fixture(autouse=True)
def back_to_chinese(ui):
    yield
    ui.c.ui.lang = "zh_CN"


def test_shebao_by_pinyin(ui):
    board = search_view(ui)
    assert board.mode == "pinyin"
    tap(ui, board, *"shebao")
    tap(ui, board, "candidate:\u793e\u4fdd", "ok")
    assert board.text == "\u793e\u4fdd"
    opens_guide(ui, "si_guide")


def test_yi_character_by_handwriting(ui):
    board = search_view(ui)
    tap(ui, board, "mode:handwriting")
    draw(ui, board, json.loads(SAMPLE_YI.read_text()))
    tap(ui, board, "candidate:\u533b", "ok")
    opens_guide(ui, "mi_guide")


def test_tibetan_word_with_a_stack(ui):
    board = search_view(ui, "bo")
    assert board.mode == "tibetan"  # the language's keyboard
    tap(ui, board, "s", "m", "h", "n")  # sa, stack, ma -> sa with ma subjoined, then na: sman (medicine)
    assert board.text == "\u0f66\u0fa8\u0f53"
    tap(ui, board, "ok")
    opens_guide(ui, "mi_guide")


def test_yi_word(ui):
    board = search_view(ui, "ii")
    assert board.mode == "yi"
    tap(ui, board, *"shepbuo")  # shep buo: social insurance
    tap(ui, board, "candidate:\ua3b9\ua023", "ok")
    assert board.text == "\ua3b9\ua023"
    opens_guide(ui, "si_guide")
