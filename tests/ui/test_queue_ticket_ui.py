"""Start -> language -> queue ticket -> done, and the idle warning, in the real window."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui


def test_queue_ticket_in_tibetan_end_to_end(ui):
    c = ui.c
    assert c.root.current == "start"
    ui.tap(ui.button(msg="bar.language"))
    assert c.root.current == "language"
    ui.tap(ui.button(option_id="bo"))
    assert c.root.current == "start" and c.ui.lang == "bo"
    assert "ཆུ་ཚོད" in ui.texts() and "24小时政务自助服务" in ui.texts()  # Tibetan with Chinese beneath

    ui.tap(ui.button(option_id="flow:queue_ticket"))
    ui.pump(lambda: c.root.current == "choice")
    first = c.runner.flow.types[0]
    ui.tap(ui.button(option_id=first.id))
    ui.pump(lambda: c.root.current == "ticket")
    ticket = c.runner.flow.ticket
    assert ticket.number in ui.texts()
    receipt = ui.emulator.receipts[-1]
    assert receipt.complete and receipt.path.is_file()  # the real ESC/POS path, rendered by the emulator
    jobs = ui.app.services.journal.rows("print_jobs")
    assert jobs[-1]["state"] == "done"

    ui.tap(ui.button(option_id="done"))
    assert c.root.current == "done" and c.runner is None
    ui.clock.advance(10)
    c.tick()
    ui.pump(frames=2)
    assert c.root.current == "start"
    sessions = ui.app.services.journal.rows("sessions")
    assert sessions[-1]["outcome"] == "completed" and sessions[-1]["language"] == "bo"


def test_idle_warning_then_reset_wipes_everything(ui):
    c = ui.c
    ui.tap(ui.button(msg="bar.language"))
    ui.tap(ui.button(option_id="ii"))
    ui.tap(ui.button(option_id="flow:queue_ticket"))
    ui.pump(lambda: c.root.current == "choice")
    session = c.session
    session.put_personal(name="test-name")  # as if an identify step had read a card

    ui.clock.advance(c.cfg.timeouts.idle_s - 1)
    c.tick()
    assert not c.root.idle_shown
    ui.clock.advance(1)
    c.tick()
    ui.pump(frames=2)
    assert c.root.idle_shown and c.root.current == "choice"
    assert c.root.idle.seconds_left == 20

    ui.clock.advance(c.cfg.timeouts.idle_grace_s)
    c.tick()
    ui.pump(frames=2)
    assert not c.root.idle_shown and c.root.current == "start"
    assert c.ui.lang == "zh_CN" and c.runner is None
    assert session.wiped and session.personal("name") is None
    assert ui.app.services.journal.rows("sessions")[-1]["outcome"] == "timeout"


def test_one_tap_on_the_warning_continues_where_you_were(ui):
    c = ui.c
    ui.tap(ui.button(option_id="flow:queue_ticket"))
    ui.pump(lambda: c.root.current == "choice")
    ui.clock.advance(c.cfg.timeouts.idle_s + 5)
    c.tick()
    ui.pump(frames=2)
    assert c.root.idle_shown
    ui.tap(ui.button(option_id="continue"))
    c.tick()
    assert not c.root.idle_shown and c.root.current == "choice" and c.runner is not None


def test_language_changes_mid_flow_without_losing_the_place(ui):
    c = ui.c
    ui.tap(ui.button(option_id="flow:queue_ticket"))
    ui.pump(lambda: c.root.current == "choice")
    runner = c.runner
    ui.tap(ui.button(msg="bar.language"))
    ui.tap(ui.button(option_id="en"))
    assert c.root.current == "choice" and c.runner is runner and runner.step == "choose"
    assert "Which kind of business?" in ui.texts()


def test_platform_down_gives_a_clear_screen_not_a_hang(ui):
    c = ui.c
    ui.app.services.demo_server.set_fault("down")
    ui.tap(ui.button(option_id="flow:queue_ticket"))
    ui.pump(lambda: c.root.current == "error")
    assert c.runner.step == "error" and c.runner.view.data["reason"] in ("unreachable", "timeout")
    assert "09:00-17:30" in ui.texts()
    ui.tap(ui.button(option_id="home"))
    assert c.root.current == "start" and c.runner is None


def test_cancel_is_one_tap_from_any_flow_step(ui):
    c = ui.c
    ui.tap(ui.button(option_id="flow:queue_ticket"))
    ui.pump(lambda: c.root.current == "choice")
    ui.tap(ui.button(msg="action.cancel"))
    assert c.root.current == "start" and c.runner is None
    assert ui.app.services.journal.rows("sessions")[-1]["outcome"] == "cancelled"


def test_printer_down_greys_the_tile_with_the_reason(ui):
    c = ui.c
    ui.set_paper("paper_out")
    ui.set_a4(False)  # the certificate prints on A4 while that printer works (issue 20)
    c.go_start()
    ui.pump(frames=2)
    # The certificate is the paper: its tile greys. The queue ticket shows its number on screen
    # with a QR code instead (issue 15 #5, tests/ui/test_platform_watch_ui.py).
    assert ui.button(option_id="flow:queue_ticket").enabled
    tile = ui.button(option_id="flow:social_insurance_certificate")
    assert not tile.enabled
    ui.tap(tile)
    assert c.root.current == "start" and c.runner is None  # a greyed tile does nothing
    assert "打印机暂不可用" in ui.texts()
    notice = "打印机暂不可用。请到人工窗口办理（09:00-17:30）"
    assert notice in ui.texts()  # and where to go instead
    ui.set_paper("ok")  # paper loaded: the kiosk recovers by itself, the notice goes
    ui.pump(lambda: ui.button(option_id="flow:social_insurance_certificate").enabled)
    assert notice not in ui.texts()


def test_paper_out_mid_flow_still_gives_the_number_then_reprints_once(ui):
    c = ui.c
    before = len([r for r in ui.emulator.receipts if r.complete])
    ui.tap(ui.button(option_id="flow:queue_ticket"))
    ui.pump(lambda: c.root.current == "choice")
    ui.emulator.run_out_after_rows(120)  # the paper ends in the middle of this receipt
    ui.tap(ui.button(option_id=c.runner.flow.types[0].id))
    ui.pump(lambda: c.root.current == "ticket")
    assert c.runner.view.data["print_error"] == "interrupted:paper_out"
    assert c.runner.flow.ticket.number in ui.texts()
    assert ui.app.services.journal.rows("print_jobs")[-1]["state"] == "failed"
    ui.set_paper("ok")  # the technician loaded paper
    ui.tap(ui.button(option_id="reprint"))
    ui.pump(lambda: c.root.current == "ticket" and c.runner.view.data["print_error"] is None)
    assert len([r for r in ui.emulator.receipts if r.complete]) == before + 1
    assert [j["state"] for j in ui.app.services.journal.rows("print_jobs")[-2:]] == ["failed", "done"]


def test_every_step_speaks_and_a_touch_stops_it(ui):
    c = ui.c
    player = c.voice.player
    ui.tap(ui.button(option_id="flow:queue_ticket"))
    ui.pump(lambda: c.root.current == "choice")
    ui.tap(ui.button(option_id=c.runner.flow.types[0].id))
    ui.pump(lambda: c.root.current == "ticket")
    number = c.runner.flow.ticket.number
    spoken = [p.stem for p in player.played[-1]]
    assert spoken[0] == "queue.ticket.title" and f"voice.digit.{number[-1]}" in spoken
    stops = player.stopped
    ui.tap(ui.button(msg="bar.repeat"))
    assert player.stopped > stops and [p.stem for p in player.played[-1]] == spoken


def test_maintenance_mode_says_where_to_go_and_offers_nothing(ui):
    c = ui.c
    c.set_maintenance(True)
    ui.pump(frames=3)
    assert "09:00-17:30" in ui.texts()
    from screens.widgets import BigButton

    assert not [w for w in ui.widgets(c.root.screens["start"]) if isinstance(w, BigButton)]
    c.set_maintenance(False)
    ui.pump(frames=3)
    assert ui.button(option_id="flow:queue_ticket").enabled


def test_operator_announcement_shows_in_the_chosen_language(ui):
    c = ui.c
    c.set_announcement({"zh_CN": "zh-notice", "bo": "bo-notice"})
    c.ui.lang = "bo"
    c.go_start()
    ui.pump(frames=3)
    assert "bo-notice" in ui.texts() and "zh-notice" in ui.texts()
    c.set_announcement(None)


def test_technician_pin_opens_the_dashboard_and_wrong_pins_lock_out(ui):
    c = ui.c
    c.intent("technician")
    assert c.root.current == "technician_entry"
    entry = c.root.screens["technician_entry"]
    for _ in range(5):
        c.intent("technician_pin", pin="000000")
    c.intent("technician_pin", pin="246810")  # right PIN, but locked out now
    assert c.root.current == "technician_entry" and entry.message.id == "tech.entry.locked"
    ui.clock.advance(301)
    c.intent("technician_pin", pin="246810")
    assert c.root.current == "technician"
    names = [row.name for row in c.root.screens["technician"].dashboard.devices]
    assert "printer" in names and "idcard" in names
    c.intent("tech", action="maintenance")
    assert c.maintenance
    c.intent("tech", action="maintenance")
    c.intent("tech", action="exit")
    assert c.root.current == "start" and not c.maintenance
    incidents = [r["detail"] for r in ui.app.services.journal.rows("incidents") if r["kind"].startswith("technician")]
    assert "pin: locked" in incidents and "pin: ok" in incidents and "246810" not in " ".join(incidents)
