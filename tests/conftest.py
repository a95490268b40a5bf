from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["tests.support.fixtures"]  # fixtures shared by several folders

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
os.environ.setdefault("KIVY_HOME", str(ROOT / ".venv" / "kivy-home"))
os.environ.setdefault("KIOSK_MUTE", "1")  # the voice records what it would play instead of playing


@pytest.fixture
def fake_clock():
    from kiosk.core.clock import FakeClock

    return FakeClock()
