"""Issue 15 #6 wording and #2's panel message in the real window: the face step has its own
picture, the keypad's OK and delete keys speak the citizen's language, Help gives the duty phone's
number, technician pages name fault codes in words, and a social security card that no virtual
reader took is said on the simulator panel, not only in the log."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui


def test_face_step_has_its_own_picture(ui):
    from flows.engine import View
    from kiosk.i18n.translator import Msg
    from screens.illustrations import DeviceArt  # issue 16: the pictures of every device step

    c = ui.c
    screen = c.root.screens["instruction"]
    pictures = {}
    for kind in ("identify", "face"):
        c.root.show_view(View(kind, Msg("face.title"), Msg("face.body"), data={"accept": ("idcard",)}))
        ui.pump(frames=2)
        pic = next(w for w in ui.widgets(screen) if isinstance(w, DeviceArt))
        pic.stop()  # at rest, so the two drawings are compared in the same pose
        ui.pump(frames=2)
        pictures[kind] = (pic.scenes, [type(i).__name__ for i in pic.canvas.children])
    assert pictures["identify"][0] == ["idcard"] and pictures["face"][0] == ["face"]
    assert pictures["face"][1] != pictures["identify"][1]  # drawn differently, not the card again
    c.go_start()


@pytest.mark.parametrize("lang, ok, delete", [("zh_CN", "确定", "删除"), ("en", "OK", "Delete")])
def test_keypad_ok_and_delete_are_words_of_the_language(ui, lang, ok, delete):
    from kivy.uix.button import Button

    c = ui.c
    c.ui.lang = lang
    c.start_flow("application_progress")
    ui.pump(lambda: c.root.current in ("scan", "keypad"))
    if c.root.current != "keypad":
        c.runner.send("choose", option="keypad")
        ui.pump(lambda: c.root.current == "keypad")
    keys = [w.text for w in ui.widgets(c.root.screens["keypad"]) if isinstance(w, Button)]
    assert any(ok in k for k in keys) and any(delete in k and "\u232b" in k for k in keys)
    if lang != "en":
        assert not any(k.strip() == "OK" for k in keys)
    c.go_start()


def test_help_gives_the_duty_phone_number(ui):
    c = ui.c
    phone = c.cfg.terminal.duty_phone
    assert phone  # the demo profile has one (fictional)
    c.root.intent("help")
    ui.pump(lambda: c.root.current == "help")
    assert phone in ui.texts()
    c.root.intent("back")


def test_technician_fault_lines_name_the_code_in_words():
    from devices.status import DeviceStatus
    from kiosk.diag import dashboard as tech
    from kiosk.i18n.translator import Translator

    t = Translator()
    row = tech.DeviceRow("printer", "fault", "paper_out", "2026-11-23 03:00")
    text = t.text(row.problem, "zh_CN")
    assert "缺纸" in text and "paper_out" in text
    status = t.text(tech.status_result(DeviceStatus("fault", "pcscd_down"))[0], "zh_CN")
    assert "读卡服务未运行" in status
    line = t.text(tech.platform_line("unreachable"), "en")
    assert "server not reachable" in line and "can still take" not in line


def test_sscard_without_a_virtual_reader_is_said_on_the_panel(ui):
    class NoReaderCard:
        def insert(self, card, wait_s=5.0):
            return False  # vpcd never took it: no virtual reader

        def remove(self):
            pass

    c = ui.c
    panel = c.root.sim_panel
    sims = ui.app.services.hub.sims
    before = sims.get("sscard")
    sims["sscard"] = NoReaderCard()
    try:
        panel.open = True
        ui.pump(lambda: bool(panel.ids.actions.options))
        ui.tap(ui.button(option_id="sscard.insert"))
        ui.pump(lambda: panel.message is not None)
        assert panel.message.id == "sim.sscard.no_reader"
        assert "没有虚拟读卡器" in ui.texts()
        ui.tap(ui.button(option_id="sscard.remove"))
        ui.pump(lambda: panel.message is None)
    finally:
        panel.open = False
        if before is None:
            sims.pop("sscard", None)
        else:
            sims["sscard"] = before
