"""What the remote channel's allow-listed commands do on this terminal. Handlers run on the
agent's thread: anything that touches the screen is posted to the bus for the UI thread; nothing
runs a shell. A screenshot is refused while a citizen is being served (it could show their data)."""
from __future__ import annotations

import base64
import logging
import threading
from typing import Any, Callable

from kiosk.core.events import AnnouncementRequested, MaintenanceRequested, RestartRequested

log = logging.getLogger(__name__)


def build_handlers(*, post: Callable[..., None], session_active: Callable[[], bool],
                   screenshot: Callable[[], bytes], diag: Callable[[], dict[str, Any]],
                   diag_bundle: Callable[[], dict[str, Any]], check_update: Callable[[bool], dict[str, Any]]
                   ) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
    def take_screenshot(args: dict[str, Any]) -> dict[str, Any]:
        if session_active():
            return {"ok": False, "reason": "session_active"}
        png = screenshot()
        return {"ok": True, "png_base64": base64.b64encode(png).decode("ascii"), "bytes": len(png)}

    def set_maintenance(args: dict[str, Any]) -> dict[str, Any]:
        post(MaintenanceRequested(bool(args["on"])))
        return {"ok": True, "maintenance": bool(args["on"])}

    def set_announcement(args: dict[str, Any]) -> dict[str, Any]:
        texts = {str(k): str(v) for k, v in dict(args["texts"]).items()}
        if texts and "zh_CN" not in texts:
            return {"ok": False, "reason": "announcement needs a zh_CN text"}
        post(AnnouncementRequested(texts or None))
        return {"ok": True, "languages": sorted(texts)}

    def restart_app(args: dict[str, Any]) -> dict[str, Any]:
        # Ack first, then stop: systemd restarts the kiosk straight to the start screen.
        threading.Timer(1.0, lambda: post(RestartRequested())).start()
        return {"ok": True, "restarting_in_s": 1}

    return {
        "diag": lambda args: diag(),
        "diag_bundle": lambda args: diag_bundle(),
        "screenshot": take_screenshot,
        "restart_app": restart_app,
        "check_update": lambda args: check_update(bool(args.get("apply", False))),
        "set_maintenance": set_maintenance,
        "set_announcement": set_announcement,
    }
