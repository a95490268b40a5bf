"""Typing where issue 17 uses it besides the guide, in the real window by taps on the keyboard:
the application number with its letters (the keyboard beside the digit keypad), and the evaluation
comment in any mode, scrubbed of a phone number typed in Tibetan digits."""
from __future__ import annotations

import pytest

from tests.support.flowkit import DEMO_APPLICATION

pytestmark = pytest.mark.ui


def tap(ui, board, *keys: str) -> None:
    for key in keys:
        ui.tap(board.key_widget(key))


def test_application_number_with_letters_on_the_keyboard(ui):
    c = ui.c
    c.start_flow("application_progress")
    ui.pump(lambda: c.root.current == "scan")
    ui.tap(ui.button("keypad"))
    ui.pump(lambda: c.root.current == "keypad")
    ui.tap(ui.button("letters"))
    ui.pump(lambda: c.root.current == "keyboard")
    board = c.root.screens["keyboard"].ids.keyboard
    assert board.modes == ["latin", "digits"] and board.mode == "latin"
    tap(ui, board, *DEMO_APPLICATION.lower(), "ok")  # the Latin keys type capitals; digits on their row
    ui.pump(lambda: c.runner.step == "status")
    assert DEMO_APPLICATION in ui.texts()


def evaluate_to_comment(ui, lang: str = "zh_CN"):
    c = ui.c
    c.ui.lang = lang
    c.start_flow("evaluation")
    ui.pump(lambda: c.runner.step == "subject")
    for option in ("hall", "4", "submit"):
        ui.tap(ui.button(option))
    ui.pump(lambda: c.runner.step == "evaluate_comment" and c.root.current == "keyboard")
    return c.root.screens["keyboard"].ids.keyboard


def last_comment(ui) -> str:
    return ui.c.s.journal.rows("evaluations")[-1]["comment"]


def test_a_comment_typed_in_pinyin(ui):
    board = evaluate_to_comment(ui)
    assert board.mode == "pinyin"
    tap(ui, board, *"hen")
    tap(ui, board, "candidate:\u5f88")
    tap(ui, board, *"hao")
    tap(ui, board, "candidate:\u597d", "ok")
    ui.pump(lambda: ui.c.runner is None or ui.c.runner.ended)
    assert last_comment(ui) == "\u5f88\u597d"


def test_a_tibetan_comment_loses_a_phone_number(ui):
    board = evaluate_to_comment(ui, "bo")
    try:
        assert board.mode == "tibetan"
        tap(ui, board, "l", "g", "s", ";", *"13800138000", "ok")  # a few letters, then the number's digits
        ui.pump(lambda: ui.c.runner is None or ui.c.runner.ended)
        comment = last_comment(ui)
        assert comment.endswith("***") and "\u0f21\u0f23\u0f28" not in comment
    finally:
        ui.c.ui.lang = "zh_CN"


def test_skip_leaves_no_comment(ui):
    evaluate_to_comment(ui)
    ui.tap(ui.button("skip"))
    ui.pump(lambda: ui.c.runner is None or ui.c.runner.ended)
    assert last_comment(ui) == ""
