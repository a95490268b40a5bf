"""The start screen's content: featured flows, the platform catalog's departments, tiles greyed
with the reason while a device or the platform is down, maintenance and the operator's notice.
A mixin of the Controller (kiosk/terminal/controller.py): it uses its services, root and clock."""
from __future__ import annotations

import logging
from typing import Any

from devices.status import DEGRADED, FAULT, OK, DeviceStatus
from flows.common import can_serve
from flows.engine import Option, WorkResult
from flows.registry import FLOWS
from kiosk.i18n.translator import Msg

log = logging.getLogger(__name__)

CATALOG_RETRY_S = 30.0
# Platform health, watched live like the devices (issue 15 #4: an outage after start showed
# nothing). While it answers, a light GET every HEALTH_EVERY_S; while it does not, sooner, so the
# tiles come back within seconds of the platform. Never more than one check in flight.
HEALTH_EVERY_S = 10.0
HEALTH_RETRY_S = 5.0


class StartMenu:
    def go_start(self, reset: bool = False) -> None:
        self.root.hide_idle()
        self._done_deadline = None
        tech = getattr(self, "tech", None)
        if tech is not None:  # a technician who walked away: no microphone left recording
            tech.voice.close()
        if reset:  # the next person starts fresh: default language, normal text
            self.ui.lang = self.cfg.terminal.default_language
            self.ui.large = False
            # The old session is wiped before it is dropped, whatever ended it: one that never
            # reached _end_session (a flow abandoned from outside) kept its values in the log
            # masking registry for the rest of the run (found by the UI soak after the explorer).
            self._replace_session()
        self._build_start()
        self.root.show_screen("start")
        self.idle.touch()

    def load_catalog(self) -> None:
        self._catalog_next = self.clock.monotonic() + CATALOG_RETRY_S
        self.submit(self.s.platform.catalog, self._catalog_loaded)

    def _catalog_loaded(self, result: WorkResult) -> None:
        if result.ok:
            self.catalog, self.catalog_error = list(result.value), None
        else:
            self.catalog_error = getattr(result.error, "reason", "error")
            log.warning("catalog not loaded: %s", self.catalog_error)
        if self.root.current == "start":
            self._build_start()

    # -- platform health ---------------------------------------------------------------------
    def _health_tick(self, now: float) -> None:
        if self._health_busy or now < self._health_next:
            return
        self._health_busy = True
        self.submit(self.s.platform.health, self._health_done)

    def _health_done(self, result: WorkResult) -> None:
        self._health_busy = False
        was = self.platform_status
        if result.ok and str(result.value.get("status", "ok")) == "ok":
            state, reason = OK, ""
        elif result.ok:  # it answers but says it is not well: degraded, services still offered
            state, reason = DEGRADED, f"platform_{str(result.value.get('status'))[:20]}"
        else:
            state, reason = FAULT, str(getattr(result.error, "reason", "") or "platform_error")
        now = self.clock.monotonic()
        self._health_next = now + (HEALTH_EVERY_S if state != FAULT else HEALTH_RETRY_S)
        if (state, reason) == (was.state, was.reason):
            return
        self.platform_status = DeviceStatus(state, reason, since=now)
        if state == OK:
            log.info("platform answers again")
        else:
            log.warning("platform health: %s %s", state, reason)
        try:
            self.s.journal.incident("platform_health", f"{state} {reason}".strip())
        except Exception as e:  # noqa: BLE001 - a full disk: the journal's own path handles it
            self.journal_failed(e)
        if state == OK and (self.catalog is None or self.catalog_error is not None):
            # back: the catalog now, not at the next retry; a load that failed during the outage
            # would otherwise keep the technician line at "unreachable" with the platform well
            self.load_catalog()
        if self.root.current == "start":
            self._build_start()
        if self.runner is not None:
            self.runner.send("device_status", name="platform", state=state, reason=reason)

    def _item_option(self, item: Any) -> Option | None:
        """A tile for a catalog item: enabled, greyed with the reason, or None when this software
        version has no flow for it (a citizen gains nothing from a tile that can never work)."""
        flow = FLOWS.get(item.flow) if item.flow else None
        if item.flow is None:
            return Option(item.id, item.title, enabled=False, reason=Msg("start.counter_only"))
        if flow is None:
            return None
        reason = self._unavailable(flow)
        return Option(item.id, item.title, enabled=reason is None, reason=reason)

    def set_maintenance(self, on: bool) -> None:
        self.maintenance = on
        self.s.journal.incident("maintenance", "on" if on else "off")
        if self.root.current == "start":
            self._build_start()

    def set_announcement(self, texts: dict[str, str] | None) -> None:
        from kiosk.platform.api import LocalText

        self.announcement = LocalText(texts) if texts else None
        if self.root.current == "start":
            self._build_start()

    def _build_start(self) -> None:
        start = self.root.screens["start"]
        if self.maintenance:
            # Out of service: say so, and where to go instead; offer nothing that cannot work.
            start.notice = Msg("start.maintenance", hours=self.cfg.terminal.staffed_hours)
            start.sections = []
            return
        featured = (Msg("start.section.featured"), [self._flow_option(fid) for fid in FLOWS])
        if self.catalog is not None:
            sections = [featured]
            for dept in self.catalog:
                options = [o for o in (self._item_option(i) for i in dept.items) if o is not None]
                if options:
                    sections.append((dept.title, options))
            start.notice = self.announcement or self._devices_down_notice()
        else:
            # No catalog: offer what this terminal can still do, and say why the rest is missing.
            sections = [featured]
            down = self.catalog_error or not self.platform_status.usable
            start.notice = (Msg("start.platform_down", hours=self.cfg.terminal.staffed_hours)
                            if down else Msg("start.loading"))
        start.sections = self._once(sections)

    def _once(self, sections: list[tuple[Any, list[Option]]]) -> list[tuple[Any, list[Option]]]:
        """Each service once: one the featured section already offers is not listed again under
        its department (issue 15: services listed twice). A featured tile ("flow:<id>") and the
        catalog's item for the same flow differ in id, not in name; the name is compared in the
        catalog's reference language, so the rule is the same whatever language is shown. A
        section left empty is dropped."""
        def name(option: Option) -> str:
            return self.s.translator.text(option.label, "zh_CN")

        shown: set[str] = set()
        kept = []
        for title, options in sections:
            fresh = [o for o in options if name(o) not in shown]
            shown.update(name(o) for o in fresh)
            if fresh:
                kept.append((title, fresh))
        return kept

    def _devices_down_notice(self) -> Msg | None:
        """While a device (or the platform) some services need is down: which, and where to go."""
        if not self.platform_status.usable:
            return Msg("start.platform_down", hours=self.cfg.terminal.staffed_hours)
        for need in sorted({n for flow in FLOWS.values() for n in flow.needs}):
            if need == "printer" and all(self._unavailable(f) is None for f in FLOWS.values() if need in f.needs):
                continue  # the A4 printer (or the screen) serves every flow that needs one
            status = self.device_status(need)
            if status is not None and not status.usable:
                return Msg("start.device_down.notice", what=Msg(f"start.device_down.{need}"),
                           elsewhere=Msg("start.elsewhere", hours=self.cfg.terminal.staffed_hours))
        return None

    def _flow_option(self, flow_id: str) -> Option:
        flow = FLOWS[flow_id]
        reason = self._unavailable(flow)
        return Option(f"flow:{flow_id}", flow.title, enabled=reason is None, reason=reason)

    def _unavailable(self, flow: Any) -> Msg | None:
        """Why a flow cannot run now (a device it needs is down), or None."""
        for need in flow.needs:
            if need == "printer" and getattr(flow, "document_kind", ""):
                # an official document: the A4 printer, the receipt printer or the screen ([printing])
                if not can_serve(self.cfg, flow.document_kind, self.device_status):
                    return Msg("start.device_down.printer")
                continue
            status = self.device_status(need)
            if status is not None and not status.usable:
                return Msg(f"start.device_down.{need}")
        return None

    def device_status(self, name: str) -> Any:
        """A device's status, or the platform's (watched by _health_tick) for "platform"."""
        if name == "platform":
            return self.platform_status
        return self.s.hub.status(name)

