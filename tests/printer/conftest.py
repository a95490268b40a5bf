from __future__ import annotations

import pytest

from devices.printer.driver import EscPosPrinter


@pytest.fixture(scope="session")
def shaper():
    from kiosk.i18n.receipt_shaper import SHAPER

    return SHAPER


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
