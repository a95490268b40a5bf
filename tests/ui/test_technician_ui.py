"""Technician mode in the real window: entry by PIN and by technician card, the dashboard with a
fault's reason and fix, each device's self-test page driven by real taps (a test page through
the ESC/POS emulator, a test card on the ID card simulator read by the real serial driver, a test
code through the camera simulator), recent events masked, paper and maintenance actions."""
from __future__ import annotations

import json

from kiosk.core.events import DeviceRead
from kiosk.demo.sim_rig import DEMO_CARDS
from kiosk.demo.sim_rig import IDCARDS as DEMO_IDCARDS


def _enter(ui) -> None:
    c = ui.c
    c.intent("technician")
    c.intent("technician_pin", pin="246810")
    assert c.root.current == "technician"


def _tap(ui, **which) -> None:
    ui.pump(frames=3)  # a screen just shown is laid out in the next frames
    ui.tap(ui.button(**which))


def _result_ids(ui) -> list[str]:
    return [getattr(t, "id", "") for t in ui.c.tech.test.result]


def test_dashboard_shows_each_device_with_reason_and_fix_for_a_fault(ui):
    _enter(ui)
    ui.set_paper("cover_open")  # the printer reports its cover open; the kiosk learns it
    _tap(ui, msg="tech.refresh")
    board = ui.c.root.screens["technician"].dashboard
    printer = next(r for r in board.devices if r.name == "printer")
    assert printer.state == "fault" and printer.problem is not None
    text = ui.texts()
    assert "cover_open" in text and ui.app.services.translator.text(printer.problem, "zh_CN") in text
    ui.set_paper("ok")


def test_technician_card_opens_the_dashboard_and_a_citizen_card_does_not(ui):
    from devices.smartcard.sscard import parse_records
    from devices.smartcard.virtual_card import load_card

    def insert(name: str) -> None:
        card = load_card(name)
        ui.app.bus.post(DeviceRead("sscard", parse_records(card.ef05, card.ef06)))
        ui.pump(frames=5)

    c = ui.c
    insert("tibetan")  # on the start screen a citizen's card does nothing, and is no failed try
    assert c.root.current == "start" and c.tech._gate_or_none().failures == 0
    insert("technician")  # a technician's card there opens technician mode
    assert c.root.current == "technician"
    c.intent("cancel")
    ui.pump(lambda: c.root.current == "start")
    c.intent("technician")
    insert("tibetan")
    assert c.root.current == "technician_entry"
    assert c.root.screens["technician_entry"].message.id == "tech.entry.card_wrong"
    insert("technician")
    assert c.root.current == "technician"
    details = [r["detail"] for r in ui.app.services.journal.rows("incidents") if r["kind"] == "technician_entry"]
    assert "card: wrong" in details and "card: ok" in details
    assert "T20260001" not in json.dumps(ui.app.services.journal.rows("incidents"))


def test_printer_self_test_prints_a_test_page_and_counts_its_paper(ui):
    _enter(ui)
    _tap(ui, msg="tech.paper.loaded")
    before = ui.app.services.journal.paper_estimate()
    assert before is not None and before["used_mm"] == 0
    last = ui.emulator.receipts[-1:]
    _tap(ui, option_id="test:printer")
    assert ui.c.root.current == "technician_test"
    _tap(ui, option_id="run")
    ui.pump(lambda: "tech.test.printed" in _result_ids(ui))
    assert ui.emulator.receipts[-1:] != last  # a new page came out of the emulator
    after = ui.app.services.journal.paper_estimate()
    assert after["used_mm"] > 20  # a test page is several centimetres of paper
    _tap(ui, option_id="back")
    assert ui.c.root.current == "technician"
    assert "tech.test.last" == ui.c.root.screens["technician"].dashboard.last_test.id


def test_printer_self_test_says_why_it_failed_and_what_to_do(ui):
    _enter(ui)
    _tap(ui, option_id="test:printer")
    ui.set_paper("paper_out")
    _tap(ui, option_id="run")
    ui.pump(lambda: "tech.test.failed" in _result_ids(ui))
    assert "tech.fix.paper_out" in _result_ids(ui)
    ui.set_paper("ok")


def test_id_card_self_test_reads_a_card_over_the_real_driver_and_shows_it_masked(ui):
    record = json.loads((DEMO_IDCARDS / DEMO_CARDS["idcard.han"]).read_text(encoding="utf-8"))
    _enter(ui)
    sim = ui.app.services.hub.sims["idcard"]
    sim.present(record)  # a card lying there before the test asks: dropped, not shown
    ui.pump(frames=30)
    sim.remove()
    _tap(ui, option_id="test:idcard")
    _tap(ui, option_id="run")
    assert _result_ids(ui) == ["tech.test.waiting"]
    sim.present(record)
    ui.pump(lambda: "tech.test.card_ok" in _result_ids(ui), frames=2000)
    sim.remove()
    text = ui.texts()
    assert record["id_number"] not in text and record["name"] not in text
    assert record["id_number"][:6] in text and record["id_number"][-4:] in text  # masked as on every screen


def test_scanner_self_test_shows_the_camera_and_the_decoded_code(ui):
    _enter(ui)
    _tap(ui, option_id="test:scanner")
    _tap(ui, option_id="run")
    ui.app.services.hub.sims["scanner"].show_code("KIOSK-TEST-0001")
    ui.pump(lambda: "tech.test.code_ok" in _result_ids(ui), frames=2000)
    ui.app.services.hub.sims["scanner"].show(None)
    assert "KIOSK-TEST-0001" in ui.texts()
    ui.c.tick()
    assert ui.c.root.screens["technician_test"].ids.preview.texture is not None


def test_events_page_lists_incidents_and_logs_masked(ui):
    _enter(ui)
    ui.app.services.journal.incident("device", "idcard: read for 513335199203150012")
    _tap(ui, msg="tech.events")
    assert ui.c.root.current == "technician_events"
    text = ui.texts()
    assert "technician_entry" in text and "513335199203150012" not in text
    _tap(ui, option_id="back")
    assert ui.c.root.current == "technician"


def test_cancel_leaves_technician_mode_from_any_of_its_pages(ui):
    _enter(ui)
    _tap(ui, option_id="test:printer")
    ui.c.intent("cancel")
    assert ui.c.root.current == "start"
    ui.c.intent("tech_test", action="run")  # a stale tap after leaving does nothing
    ui.c.intent("tech", action="maintenance")
    assert not ui.c.maintenance


def test_social_security_card_self_test_shows_the_card_masked(ui):
    from devices.smartcard.sscard import parse_records
    from devices.smartcard.virtual_card import load_card

    _enter(ui)
    _tap(ui, option_id="test:sscard")
    _tap(ui, option_id="run")
    card = load_card("han")
    record = parse_records(card.ef05, card.ef06)
    ui.app.bus.post(DeviceRead("sscard", record))  # as the PC/SC reader's poller posts it
    ui.pump(lambda: "tech.test.card_ok" in _result_ids(ui))
    text = ui.texts()
    assert record.ssn not in text and record.name not in text and record.ssn[-4:] in text
    assert ui.c.root.current == "technician_test"  # a card on this page is a test, never an entry


def test_demo_simulator_panel_makes_its_buttons_when_first_opened(ui):
    from screens.sim_panel import ACTIONS

    panel = ui.c.root.sim_panel
    panel.open = True
    ui.pump(frames=3)
    try:
        assert [o.id for o in panel.ids.actions.options] == list(ACTIONS)
        assert "sscard.technician" in ACTIONS
    finally:
        panel.open = False
