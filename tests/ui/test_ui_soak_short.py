"""A short UI soak in the suite (bench/ui_soak.py runs 2,000 sessions): every flow through the
real window by touch events, faults from the simulators, the fake clock for every timeout. No
session may get stuck or leave anything for the next citizen, and the live widgets, open files
and threads stay flat after the warm-up; and the measure must be able to fail: an app that keeps
one screen's widgets per session, holds memory, or leaves a name on the start screen is caught."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui

# Seed 12: the warm-up's seven sessions (one of each flow) already switch language, take the
# platform down, run out of paper and pull the card reader's cable, so every screen and cache a
# fault brings is built before the first measurement; the next seven bring each fault again.
SESSIONS, WARMUP, SEED = 14, 7, 12


def test_short_ui_soak_through_the_window_gets_stuck_nowhere_and_leaks_nothing(ui):
    from kiosk.demo.ui_soak import FAULT_KINDS, run_ui_soak

    # "language" included: in Tibetan the evaluation's "submit" lies below the fold of its
    # scroll view, and the soak's citizen swipes it into view (kiosk/demo/taps.py) as a person would.
    report = run_ui_soak(ui.app, ui.clock, SESSIONS, WARMUP, seed=SEED, fault_kinds=FAULT_KINDS,
                         sample_every=SESSIONS)  # measured after the warm-up and at the end
    assert not report.stuck, report.stuck
    assert not report.carried_over, report.carried_over
    assert sum(report.outcomes.values()) == SESSIONS
    assert report.outcomes.get("completed", 0) >= SESSIONS // 3, report.outcomes
    assert report.taps >= SESSIONS * 3
    assert len(report.faults) >= 4, report.faults
    assert report.widgets_flat and report.fds_flat and report.threads_flat, report.line()
    # RSS is measured but not held to the budget here: the suite's process has built every
    # other test's screens too, and seven sessions are too few to tell growth from settling.
    assert report.rss_growth_mb is not None


def test_no_screen_keeps_the_last_citizens_data_after_the_session(ui):
    """Found by the UI soak (issue 14): a screen not on show kept the last citizen's masked ID
    and document numbers (choice) or name (result) until its next showing. Every screen now
    forgets its view when the session is wiped (KioskRoot.forget_views)."""
    from kiosk.demo.ui_soak import run_ui_soak

    report = run_ui_soak(ui.app, ui.clock, 2, 0, seed=1, fault_kinds=())  # e-licence print, then the next
    assert not report.stuck, report.stuck
    assert not report.kept_hidden, report.kept_hidden


def test_a_leaking_app_fails_the_ui_soak(ui):
    """Deliberate leaks like the one found by accident: 50 option buttons per session outlive
    their screen (kept in a list) and 2 MB per session is held; and the first citizen's name
    stays on the start screen."""
    from kivy.uix.label import Label

    from kiosk.demo.ui_soak import run_ui_soak
    from screens.widgets import BigButton

    kept: list[object] = []
    start = ui.c.root.screens["start"]
    name = Label(text="")

    def leak(i: int) -> None:
        # (the screens forget their buttons when the session ends, so the leak makes its own)
        kept.extend(BigButton() for _ in range(50))
        kept.append(bytearray(b"\x01") * (2 << 20))  # written, so its pages count in RSS
        if i == 0:
            name.text = "ID " + ui.app.services.demo_server.seed["demo"]["citizen"]  # the demo citizen's number
            start.add_widget(name)

    try:
        report = run_ui_soak(ui.app, ui.clock, 6, 2, seed=5, after_session=leak, fault_kinds=(), sample_every=6)
    finally:
        kept.clear()
        start.remove_widget(name)
    assert not report.widgets_flat, report.line()
    assert report.rss_growth_mb is not None and report.rss_growth_mb >= 6, report.line()
    assert len(report.carried_over) == 6, report.carried_over
    assert report.carried_over[0].endswith("id_number in a Label on the window"), report.carried_over
    assert not report.ok
