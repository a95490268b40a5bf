"""Technician dashboard: every device's status and since when, and for a fault its reason code
and what to do; counters, paper left, platform, version and update state, maintenance mode; a
self-test page per device and the recent events. Entered with the PIN or a technician card;
every action is journaled by the app. Content comes ready from kiosk.diag.dashboard.Dashboard."""
from __future__ import annotations

from typing import Any

from kivy.properties import ObjectProperty

from screens.base import KioskScreen, load_kv

DANGER = [0.64, 0.0, 0.11, 1]


class TechnicianScreen(KioskScreen):
    dashboard = ObjectProperty(None, allownone=True)  # kiosk.diag.dashboard.Dashboard

    def on_kv_post(self, *_: Any) -> None:
        self.ids.actions.on_choose = lambda action: self.emit("tech", action=action)

    def on_dashboard(self, *_: Any) -> None:
        from flows.engine import Option
        from kiosk.i18n.translator import Msg
        from kiosk.diag.dashboard import device_name
        from screens.widgets import BiLabel

        board = self.dashboard
        box = self.ids.rows
        box.clear_widgets()
        if board is None:
            return
        for row in board.devices:
            line = BiLabel(source=row.line)
            box.add_widget(line)
            if row.problem is not None:
                line.color = line.muted_color = DANGER
                box.add_widget(BiLabel(source=row.problem, role="small", color=DANGER, muted_color=DANGER))
        for text in board.lines:
            box.add_widget(BiLabel(source=text, role="small"))
        if board.last_test is not None:
            box.add_widget(BiLabel(source=board.last_test, role="small"))
        actions = [Option(f"test:{row.name}", Msg("tech.selftest"), device_name(row.name))
                   for row in board.devices]
        actions += [Option("events", Msg("tech.events")), Option("voice", Msg("tech.voice.title")),
                    Option("paper_loaded", Msg("tech.paper.loaded")),
                    Option("refresh", Msg("tech.refresh")),
                    Option("maintenance", Msg("tech.maintenance.off" if board.maintenance else "tech.maintenance.on")),
                    Option("exit", Msg("tech.exit"))]
        self.ids.actions.options = tuple(actions)


load_kv(__file__)
