"""The platform client's retry backoff is injectable: a terminal really waits between retries,
a simulation on a fake clock moves that clock instead (the soak would otherwise spend minutes
asleep whenever its platform is down)."""
from __future__ import annotations

import time

import pytest

from kiosk.core import config as kconfig
from kiosk.platform.api import PlatformUnavailable
from kiosk.core.clock import FakeClock
from kiosk.demo.rig import build_rig
from kiosk.runtime.services import make_platform


def test_a_terminal_really_sleeps_between_retries():
    cfg = kconfig.load("demo")
    client, server = make_platform(cfg)
    try:
        assert client._sleep is time.sleep
        assert client.retries == cfg.platform.retries and client.backoff_s == cfg.platform.backoff_s
    finally:
        client.close()
        if server is not None:
            server.stop()


def test_the_rig_retries_on_the_fake_clock(tmp_path):
    cfg = kconfig.load("demo")
    clock = FakeClock()
    rig = build_rig(cfg, data_dir=tmp_path / "data", receipts_dir=tmp_path / "receipts", clock=clock,
                    platform_sleep=clock.advance)
    try:
        rig.services.demo_server.set_fault("down")
        before, started = clock.monotonic(), time.monotonic()
        with pytest.raises(PlatformUnavailable):
            rig.services.platform.guides()
        p = cfg.platform
        expected = sum(p.backoff_s * 2**i for i in range(p.retries))
        assert p.retries >= 1 and expected > 0
        assert clock.monotonic() - before == pytest.approx(expected)
        assert time.monotonic() - started < expected  # no real wait
        assert rig.services.demo_server.request_count("GET", "/api/v1/guides") == p.retries + 1
    finally:
        rig.close()
