"""The queue ticket: the number large, where to wait, the QR code to carry it on a phone."""
from __future__ import annotations

from typing import Any

from kivy.properties import ObjectProperty

from kiosk.i18n.translator import Msg, Plain
from screens.base import KioskScreen, load_kv


class TicketScreen(KioskScreen):
    status_text = ObjectProperty(None, allownone=True)
    counters_text = ObjectProperty(None, allownone=True)

    def on_kv_post(self, *_: Any) -> None:
        self.ids.options.on_choose = lambda option_id: self.emit("option", option=option_id)

    def on_view(self, *_: Any) -> None:
        data = self.view.data if self.view else {}
        self.counters_text = Msg("queue.ticket.counters", counters=Plain(data.get("counters", "")),
                                 waiting=int(data.get("waiting", 0))) if data else None


load_kv(__file__)
