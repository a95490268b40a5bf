"""What the operator's remote commands and telemetry see of a running kiosk (kiosk/remote is the
channel; this is the terminal's side of it). A mixin of KioskApp."""
from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from kiosk.core.events import AnnouncementRequested, MaintenanceRequested, RestartRequested

log = logging.getLogger(__name__)


class RemoteHandlers:
    def _start_agent(self) -> Any:
        """The remote channel, when [fleet] names a broker. Failing to reach it never stops the kiosk."""
        fleet = self.cfg.fleet_config
        if not fleet.broker_host or self.inline:
            return None
        from kiosk.remote.agent import Agent
        from kiosk.remote.commands import build_handlers

        c = self.controller
        self.bus.subscribe(MaintenanceRequested, lambda e: c.set_maintenance(e.on))
        self.bus.subscribe(AnnouncementRequested, lambda e: c.set_announcement(e.texts))
        self.bus.subscribe(RestartRequested, lambda e: self.stop())
        handlers = build_handlers(
            post=self.bus.post, session_active=lambda: c.runner is not None or c.session.has_personal,
            screenshot=self._screenshot_png, diag=self._diag, diag_bundle=self._diag_bundle,
            check_update=self._check_update)
        agent = Agent.from_config(fleet, self.cfg.terminal.id, self.cfg.data_path, handlers=handlers,
                                  telemetry=self._telemetry)
        try:
            agent.start()
        except Exception as e:  # noqa: BLE001 - the kiosk serves citizens with or without its operator
            log.warning("remote channel not started: %s", type(e).__name__)
        return agent

    def _telemetry(self) -> dict[str, Any]:
        """Versions, device statuses, paper, counts. Nothing about any citizen. Only the protocol's
        top-level keys (kiosk.remote.protocol.TELEMETRY_KEYS; docs/fleet.md): anything else is
        dropped by the scrubber before it leaves the terminal."""
        return telemetry_sample(self.services, self.controller.maintenance)

    def _screenshot_png(self) -> bytes:
        import tempfile
        import threading

        done = threading.Event()
        path = Path(tempfile.mkdtemp()) / "screen.png"

        def shoot(dt: float) -> None:
            self.root.export_to_png(str(path))
            done.set()

        from kivy.clock import Clock as KivyClock

        KivyClock.schedule_once(shoot, 0)
        done.wait(10)
        data = path.read_bytes() if path.is_file() else b""
        path.unlink(missing_ok=True)
        return data

    def _diag(self) -> dict[str, Any]:
        from kiosk.diag.checks import run_diag

        # The running kiosk holds its devices: diag reports their live status instead of reopening them.
        return run_diag(self.cfg, statuses=self.services.hub.statuses()).data

    def _diag_bundle(self) -> dict[str, Any]:
        from kiosk.diag.bundle import make_bundle

        out = self.cfg.data_path / "diag-bundle.zip"
        make_bundle(self.cfg, out, statuses=self.services.hub.statuses())
        return {"ok": True, "path": str(out), "bytes": out.stat().st_size}

    def _check_update(self, apply: bool) -> dict[str, Any]:
        fleet = self.cfg.fleet_config
        if not fleet.repo_url:
            return {"ok": False, "reason": "updates not configured"}
        # The updater runs in its own systemd unit (kiosk-update): here we only ask it to look.
        import subprocess

        cmd = [sys.executable, "-m", "kiosk.terminal.cli", "update", "apply" if apply else "check", "--repo", fleet.repo_url,
               "--root", fleet.install_root]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        return {"ok": out.returncode == 0, "output": out.stdout[-2000:]}


def telemetry_sample(services: Any, maintenance: bool) -> dict[str, Any]:
    from kiosk import __version__

    stats = services.journal.stats()
    paper = services.journal.paper_estimate()
    return {
        "versions": {"app": __version__},
        "devices": {n: {"state": s.state, "reason": s.reason} for n, s in services.hub.statuses().items()},
        "sessions": stats["sessions"],
        "journal": {"print_jobs": stats["print_jobs"], "outbox_pending": stats["outbox_pending"]},
        "maintenance": maintenance,
        "paper": ({"left_mm": round(paper["left_mm"]), "roll_mm": round(paper["roll_mm"]),
                   "remaining_pct": round(100 * paper["left_mm"] / paper["roll_mm"]) if paper["roll_mm"] else None}
                  if paper else None),
    }
