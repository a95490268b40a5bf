from __future__ import annotations

from kiosk.core.idle import ACTIVE, EXPIRED, WARNING, IdleMonitor


def test_warn_then_expire_and_touch_resets(fake_clock):
    m = IdleMonitor(fake_clock, idle_s=60, grace_s=20)
    fake_clock.advance(59)
    assert m.tick(armed=True) == ACTIVE
    fake_clock.advance(1)
    assert m.tick(armed=True) == WARNING and m.seconds_left() == 20
    m.touch()
    assert m.tick(armed=True) == ACTIVE
    fake_clock.advance(80)
    assert m.tick(armed=True) == EXPIRED


def test_time_while_disarmed_does_not_count(fake_clock):
    m = IdleMonitor(fake_clock, idle_s=60, grace_s=20)
    fake_clock.advance(500)
    assert m.tick(armed=False) == ACTIVE
    fake_clock.advance(30)
    assert m.tick(armed=True) == ACTIVE
