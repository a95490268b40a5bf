"""Whatever ends a session, the next person's start wipes it first: its values leave the log
masking registry too (a flow abandoned from outside used to leave them there for the whole run)."""
from __future__ import annotations

import pytest

from kiosk.core import privacy

pytestmark = pytest.mark.ui


def test_a_fresh_start_wipes_the_session_it_replaces(ui):
    c = ui.c
    old = c.session
    old.put_personal(name="扎西卓玛", id_number="513301199001010020")
    assert len(privacy.SENSITIVE) >= 2
    c.go_start(reset=True)
    assert old.wiped and not old.has_personal and c.session is not old
    assert len(privacy.SENSITIVE) == 0
