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
# No multisampling (as bench/ui_soak.py): under Xvfb every frame is rasterised in software
# (llvmpipe) and Kivy's default 2x MSAA made each frame of the kiosk cost ~100 ms instead of
# ~25 ms, half of the UI tests' time. Only edges are not smoothed; no test looks at edges.
os.environ.setdefault("KCFG_GRAPHICS_MULTISAMPLES", "0")


@pytest.fixture(autouse=True)
def _no_personal_values_from_earlier_tests():
    """The log masking registry is process-wide: values a test registered and never wiped (a
    unit test's session) made the UI's "the wipe leaves the registry empty" checks fail after it
    in one order of the suite and pass in another. Each test starts with it empty."""
    from kiosk.core import privacy

    privacy.SENSITIVE.clear()


@pytest.fixture
def fake_clock():
    from kiosk.core.clock import FakeClock

    return FakeClock()


# The interpreter's own teardown after the suite (Kivy's window and GL context, native threads of
# the video stack) can crash with SIGSEGV once every test has passed; make then reports 139 and CI
# fails on a green suite. The result is known by now, so the process ends with it, output flushed.
_session: pytest.Session | None = None


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    global _session
    _session = session


@pytest.hookimpl(tryfirst=True)  # before faulthandler's: the crash comes after it lets go
def pytest_unconfigure(config: pytest.Config) -> None:
    if _session is None or os.environ.get("KIOSK_TEST_NORMAL_EXIT"):
        return
    import logging
    import sys

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(_session.exitstatus))
