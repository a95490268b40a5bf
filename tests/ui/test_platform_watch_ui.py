"""Issue 15 #4 and #5 in the real window: a platform outage after the start greys the tiles that
need it, with the reason, within one health period (fake clock), the technician page says so
instead of "connected", and everything comes back by itself; with the paper out before the start
the queue ticket still runs and shows its number with a QR code; result screens draw their QR."""
from __future__ import annotations

import pytest

from kiosk.terminal.start_menu import HEALTH_EVERY_S, HEALTH_RETRY_S

pytestmark = pytest.mark.ui

FRAMES = 1500  # the client's retries back off for ~1.5 s of real time against a refused port


def tile(ui, flow_id: str):
    return ui.button(option_id=f"flow:{flow_id}")


def health_back(ui) -> None:
    ui.app.services.demo_server.set_fault("none")
    if not ui.c.platform_status.usable:
        ui.clock.advance(HEALTH_RETRY_S)
        ui.pump(lambda: ui.c.platform_status.usable and not ui.c._health_busy, frames=FRAMES)


def test_platform_outage_after_start_greys_tiles_then_they_come_back(ui, monkeypatch):
    c = ui.c
    t = c.s.translator
    checks = []
    real_submit = c.submit

    def counting_submit(fn, done):
        if fn == c.s.platform.health:
            checks.append(fn)
        real_submit(fn, done)

    monkeypatch.setattr(c, "submit", counting_submit)
    try:
        ui.pump(lambda: not c._health_busy, frames=FRAMES)
        assert c.platform_status.usable and tile(ui, "queue_ticket").enabled
        checks.clear()

        ui.app.services.demo_server.set_fault("down")
        ui.clock.advance(HEALTH_EVERY_S)
        for _ in range(5):  # ticks while the check is in flight start no second one
            c.tick()
        assert len(checks) == 1
        ui.pump(lambda: not c.platform_status.usable, frames=FRAMES)
        assert c.root.current == "start"
        for flow_id in ("queue_ticket", "service_guide", "application_progress", "real_estate_query"):
            button = tile(ui, flow_id)
            assert not button.enabled and button.reason.id == "start.device_down.platform", flow_id
        assert tile(ui, "evaluation").enabled  # stored locally, sent when the platform is back
        assert "暂时连不上政务服务平台" in ui.texts()

        c.tech.show_dashboard()
        ui.pump(frames=2)
        lines = [t.text(x, "zh_CN") for x in c.root.screens["technician"].dashboard.lines]
        platform = next(x for x in lines if x.startswith("服务平台"))
        assert "连接正常" not in platform and "市民仍可取号" not in platform
        assert "连不上服务器" in platform and "unreachable" in platform
        c.go_start()

        ui.app.services.demo_server.set_fault("none")
        ui.clock.advance(HEALTH_RETRY_S)
        c.tick()
        ui.pump(lambda: c.platform_status.usable and c.catalog_error is None, frames=FRAMES)
        assert tile(ui, "queue_ticket").enabled and "暂时连不上政务服务平台" not in ui.texts()
        c.tech.show_dashboard()
        ui.pump(frames=2)
        lines = [t.text(x, "zh_CN") for x in c.root.screens["technician"].dashboard.lines]
        assert "服务平台：连接正常" in lines
        c.go_start()
    finally:
        health_back(ui)


def test_paper_out_before_start_queue_ticket_shows_number_and_qr(ui):
    from screens.widgets import QRImage

    c = ui.c
    ui.set_paper("paper_out")
    ui.set_a4(False)  # the certificate prints on A4 while that printer works (issue 20)
    c.go_start()
    ui.pump(frames=2)
    assert tile(ui, "queue_ticket").enabled and tile(ui, "real_estate_query").enabled
    assert not tile(ui, "social_insurance_certificate").enabled  # the certificate is the paper
    receipts = len(ui.emulator.receipts)
    ui.tap(tile(ui, "queue_ticket"))
    ui.pump(lambda: c.root.current == "choice")
    ui.tap(ui.button(option_id=c.runner.flow.types[0].id))
    ui.pump(lambda: c.root.current == "ticket")
    assert c.runner.flow.ticket.number in ui.texts()
    qr = [w for w in ui.widgets(c.root.screens["ticket"]) if isinstance(w, QRImage)]
    assert qr and qr[0].texture is not None and qr[0].height > 0 and qr[0].opacity == 1
    assert len(ui.emulator.receipts) == receipts
    with pytest.raises(AssertionError):
        ui.button(option_id="reprint")


def test_result_screen_draws_the_qr_code_the_guide_promises(ui):
    from screens.widgets import QRImage

    c = ui.c
    c.start_flow("service_guide")
    ui.pump(lambda: c.runner is not None and c.runner.step == "browse")
    c.runner.send("search", query="sb")
    ui.pump(lambda: any(o.id.startswith("guide:") for o in c.runner.view.options))
    c.runner.send("choose", option=next(o.id for o in c.runner.view.options if o.id.startswith("guide:")))
    ui.pump(lambda: c.root.current == "result" and c.runner.view.data.get("qr"))
    qr = [w for w in ui.widgets(c.root.screens["result"]) if isinstance(w, QRImage)]
    assert qr and qr[0].data == c.runner.view.data["qr"]
    assert qr[0].texture is not None and qr[0].height > 0 and qr[0].opacity == 1


def test_each_service_is_offered_once_on_the_start_screen(ui):
    """The featured tiles and the catalog's departments name some services twice (a featured
    "flow:<id>" and the department's item for the same flow): the start screen lists each once,
    in every language (the names are compared in the catalog's reference language)."""
    from screens.widgets import BigButton

    c = ui.c
    ui.pump(lambda: c.catalog is not None and len(c.root.screens["start"].sections) > 1)
    for lang in ("zh_CN", "bo"):
        c.ui.lang = lang
        c.go_start()
        ui.pump(frames=3)
        tiles = [w for w in ui.widgets(c.root.screens["start"]) if isinstance(w, BigButton)]
        names = [ui.app.services.translator.text(t.label, "zh_CN") for t in tiles]
        assert len(names) > 8 and len(names) == len(set(names)), lang
    c.ui.lang = "zh_CN"
