"""Help's "leave your number, staff call you back" in the real window (issue 17): the number typed
by taps on the keyboard's digit keys, queued in the outbox, delivered to the (demo) platform; a
number nobody can call is said so and nothing is queued."""
from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.ui


def open_callback(ui):
    c = ui.c
    c.root.intent("help")
    ui.pump(lambda: c.root.current == "help")
    screen = c.root.screens["help"]
    ui.tap(ui.button("callback"))
    ui.pump(lambda: screen.mode == "callback" and screen.ids.keyboard.get_root_window() is not None)
    return screen, screen.ids.keyboard


def type_number(ui, board, number: str) -> None:
    for key in [*number, "ok"]:
        ui.tap(board.key_widget(key))


def callbacks(ui) -> list[dict]:
    return [json.loads(r["payload"]) for r in ui.c.s.journal.rows("outbox") if r["kind"] == "callback"]


def test_a_number_left_on_help_reaches_the_platform(ui):
    c = ui.c
    before = len(callbacks(ui))
    screen, board = open_callback(ui)
    assert board.mode == "digits" and board.modes == ["digits"]  # a phone number: digits only
    type_number(ui, board, "13800138000")
    ui.pump(lambda: screen.mode == "info")
    assert "\u5de5\u4f5c\u4eba\u5458\u4f1a\u7ed9\u60a8\u56de\u7535" in ui.texts()  # "staff will call you back"
    assert "callback" not in [o.id for o in screen.ids.options.options]  # not offered twice in one visit
    queued = callbacks(ui)
    assert len(queued) == before + 1
    assert queued[-1]["phone"] == "13800138000" and queued[-1]["terminal"] == c.cfg.terminal.id
    assert set(queued[-1]) == {"terminal", "hall", "phone", "language", "at"}  # nothing else about the citizen
    c.outbox.deliver_due()
    got = [s for s in ui.app.services.demo_server.submissions() if s["kind"] == "callback"]
    assert got and got[-1]["payload"]["phone"] == "13800138000"
    ui.tap(ui.button("back"))
    ui.pump(lambda: c.root.current == "start")


def test_a_number_nobody_can_call_is_said_so(ui):
    c = ui.c
    before = len(callbacks(ui))
    screen, board = open_callback(ui)
    type_number(ui, board, "12345")
    ui.pump(lambda: screen.notice is not None)
    assert screen.mode == "callback" and "11" in ui.texts()  # "a mobile number has 11 digits"
    assert len(callbacks(ui)) == before
    ui.tap(ui.button("back"))  # back to the help text, then home
    ui.pump(lambda: screen.mode == "info")
    assert "callback" in [o.id for o in screen.ids.options.options]
    c.root.intent("back")


def test_the_demo_platform_refuses_a_callback_without_a_number(ui):
    from kiosk.platform.api import PlatformRejected

    with pytest.raises(PlatformRejected) as e:
        ui.app.services.platform.submit("callback", {"phone": "12345"}, "callback-test-bad")
    assert e.value.code == "bad_phone"
