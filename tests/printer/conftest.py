from __future__ import annotations

import pytest

from devices.printer.driver import EscPosPrinter
from devices.printer.emulator import PrinterEmulator


@pytest.fixture(scope="session")
def shaper():
    from kiosk.i18n.receipt_shaper import SHAPER

    return SHAPER


@pytest.fixture
def emulator(tmp_path):
    emu = PrinterEmulator(port=0, out_dir=tmp_path / "printed")
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def make_printer(shaper):
    """A driver for a URL with a short status timeout and no wait for paper to come out (the
    emulator prints instantly), so the suite stays fast."""
    made = []

    def make(url: str, **kw):
        kw.setdefault("status_timeout_s", 0.5)
        kw.setdefault("paper_speed_mm_s", 1e9)
        p = EscPosPrinter(url, shaper=shaper, **kw)
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()
