"""The queue ticket: the number large, where to wait, the QR code to carry it on a phone, and a
picture of the paper to take from the printer's slot (or the warning mark when it did not print)."""
from __future__ import annotations

from typing import Any

from kivy.properties import ListProperty, ObjectProperty, StringProperty

from kiosk.i18n.translator import Msg, Plain
from screens.base import KioskScreen, load_kv
from screens.illustrations import ArtScreen, scenes_for


class TicketScreen(ArtScreen, KioskScreen):
    scenes = ListProperty([])  # take the paper, when the step printed it
    status = StringProperty("")  # "warning" when it did not print
    status_text = ObjectProperty(None, allownone=True)
    counters_text = ObjectProperty(None, allownone=True)

    def on_kv_post(self, *_: Any) -> None:
        self.ids.options.on_choose = lambda option_id: self.emit("option", option=option_id)

    def on_view(self, *_: Any) -> None:
        data = self.view.data if self.view else {}
        self.scenes = scenes_for(self.view)
        self.status = "warning" if data.get("print_error") else ""
        self.counters_text = Msg("queue.ticket.counters", counters=Plain(data.get("counters", "")),
                                 waiting=int(data.get("waiting", 0))) if data else None


load_kv(__file__)
