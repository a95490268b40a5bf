"""Recent events (journal incidents) and the newest log lines in technician mode, masked: no
name, ID number or phone number reaches this screen (kiosk.diag.dashboard reads them masked)."""
from __future__ import annotations

from typing import Any

from screens.base import KioskScreen, load_kv


class TechnicianEventsScreen(KioskScreen):
    def on_kv_post(self, *_: Any) -> None:
        from flows.engine import Option
        from kiosk.i18n.translator import Msg

        self.ids.actions.options = (Option("back", Msg("tech.back")),)
        self.ids.actions.on_choose = lambda action: self.emit("tech", action=action)

    def fill(self, events: list[Any], logs: list[Any]) -> None:
        """Journal incidents and log lines (kiosk.i18n.translator.Plain, masked), newest first."""
        self._fill(self.ids.event_rows, events, "tech.events.none")
        self._fill(self.ids.log_rows, logs, "tech.logs.none")

    @staticmethod
    def _fill(box: Any, lines: list[Any], empty: str) -> None:
        from kiosk.i18n.translator import Msg
        from screens.widgets import BiLabel

        box.clear_widgets()
        for text in lines or [Msg(empty)]:
            box.add_widget(BiLabel(source=text, role="small"))


load_kv(__file__)
