"""Technician dashboard: every device's status, reason and since when, counters, a self-test per
device, platform connectivity, maintenance mode, version. Entered with the PIN; every action is
journaled by the app. Dense screen: targets >= 7 mm is the rule here (REFERENCE.md section 5),
these use the normal 18 mm anyway."""
from __future__ import annotations

from typing import Any

from kivy.properties import DictProperty

from screens.base import KioskScreen, load_kv


class TechnicianScreen(KioskScreen):
    # {"devices": [(name, state, reason, since_text)], "counters": [(label, value)], "platform": str,
    #  "version": str, "maintenance": bool, "last_test": str}
    info = DictProperty({})

    def on_kv_post(self, *_: Any) -> None:
        self.ids.actions.on_choose = lambda action: self.emit("tech", action=action)

    def on_info(self, *_: Any) -> None:
        from flows.engine import Option
        from kiosk.i18n import Msg, Plain
        from screens.widgets import BiLabel

        box = self.ids.rows
        box.clear_widgets()
        for name, state, reason, since in self.info.get("devices", ()):
            text = f"{name}: {state}" + (f" ({reason})" if reason else "") + f" - {since}"
            label = BiLabel(source=Plain(text), role="small")
            if state != "ok":
                label.color = [0.64, 0.0, 0.11, 1]
            box.add_widget(label)
        for label_text, value in self.info.get("counters", ()):
            box.add_widget(BiLabel(source=Plain(f"{label_text}: {value}"), role="small"))
        for extra in ("platform", "version", "last_test"):
            if self.info.get(extra):
                box.add_widget(BiLabel(source=Plain(f"{extra}: {self.info[extra]}"), role="small"))
        actions = [Option(f"test:{name}", Msg("tech.selftest"), Plain(name)) for name, *_ in self.info.get("devices", ())]
        actions.append(Option("maintenance", Msg("tech.maintenance.off" if self.info.get("maintenance")
                                                 else "tech.maintenance.on")))
        actions.append(Option("exit", Msg("tech.exit")))
        self.ids.actions.options = tuple(actions)


load_kv(__file__)
