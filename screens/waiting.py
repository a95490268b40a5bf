"""A step where the kiosk works and the citizen waits: what is happening, and that it moves."""
from __future__ import annotations

from screens.base import KioskScreen, load_kv


class WaitingScreen(KioskScreen):
    pass


load_kv(__file__)
