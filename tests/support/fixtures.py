"""Fixtures more than one test folder uses (registered for the whole suite by tests/conftest.py):
the demo platform on loopback and the ESC/POS printer emulator over TCP."""
from __future__ import annotations

from typing import Iterator

import pytest

from devices.printer.emulator import PrinterEmulator
from kiosk.demo_platform.server import DemoPlatformServer


@pytest.fixture(scope="session")
def server() -> Iterator[DemoPlatformServer]:
    """The bundled demo platform, once per run; a `slow` fault holds a request for 1 s. Folders
    that use it reset it around each test (see `fresh_platform`)."""
    srv = DemoPlatformServer(port=0)
    srv.slow_s = 1.0
    srv.start()
    yield srv
    srv.stop()


def fresh_platform(server: DemoPlatformServer) -> Iterator[None]:
    """Around a test: the seed with no fault before; after, no fault and no request still held
    (leaving "slow" releases held requests; they must not leak into the next test)."""
    server.set_fault("none")
    server.reset()
    yield
    server.set_fault("none")
    assert server.wait_idle(5.0)


@pytest.fixture
def emulator(tmp_path) -> Iterator[PrinterEmulator]:  # noqa: ANN001
    """An ESC/POS printer emulator on loopback TCP that renders what it prints under tmp_path/printed."""
    emu = PrinterEmulator(port=0, out_dir=tmp_path / "printed")
    emu.start()
    yield emu
    emu.stop()
