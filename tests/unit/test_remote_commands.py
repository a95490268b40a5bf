from __future__ import annotations

from kiosk.core.events import AnnouncementRequested, MaintenanceRequested
from kiosk.remote.commands import build_handlers


def make(active: bool = False):
    posted = []
    handlers = build_handlers(post=posted.append, session_active=lambda: active,
                              screenshot=lambda: b"\x89PNG", diag=lambda: {"devices": {}},
                              diag_bundle=lambda: {"ok": True}, check_update=lambda apply: {"apply": apply})
    return handlers, posted


def test_screenshot_is_refused_while_a_citizen_is_served():
    handlers, _ = make(active=True)
    assert handlers["screenshot"]({}) == {"ok": False, "reason": "session_active"}
    handlers, _ = make(active=False)
    assert handlers["screenshot"]({})["ok"] is True


def test_screen_changes_go_through_the_bus():
    handlers, posted = make()
    assert handlers["set_maintenance"]({"on": True})["maintenance"] is True
    assert handlers["set_announcement"]({"texts": {"bo": "x"}})["ok"] is False  # Chinese is required
    handlers["set_announcement"]({"texts": {"zh_CN": "z", "bo": "b"}})
    assert posted == [MaintenanceRequested(True), AnnouncementRequested({"zh_CN": "z", "bo": "b"})]


def test_the_handlers_are_exactly_the_allow_list():
    from kiosk.remote.protocol import COMMANDS

    handlers, _ = make()
    assert set(handlers) == set(COMMANDS)
