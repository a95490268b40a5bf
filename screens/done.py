"""The end of a service: thanks, and the way back to the start (which comes by itself)."""
from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty

from screens.base import KioskScreen, load_kv
from screens.illustrations import ArtScreen


class DoneScreen(ArtScreen, KioskScreen):
    receipt = BooleanProperty(True)  # did the service print? Only then "take your receipt"

    def on_kv_post(self, *_: Any) -> None:
        from flows.engine import Option
        from kiosk.i18n.translator import Msg

        self.ids.options.options = (Option("home", Msg("action.back_to_start")),)
        self.ids.options.on_choose = lambda option_id: self.emit("home")


load_kv(__file__)
