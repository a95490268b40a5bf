"""The demo kiosk in a real window with a fake clock, for the benches that drive it by touch
(bench/ui_soak.py, bench/latency.py); the UI tests build theirs the same way (tests/ui/conftest.py).
Imported as a sibling module: Python puts a script's own folder first on its path."""
from __future__ import annotations

import dataclasses
import os
from typing import Any

os.environ.setdefault("KIOSK_MUTE", "1")
os.environ.setdefault("KIVY_NO_ARGS", "1")


def start(data_dir: str) -> tuple[Any, Any]:
    """(app, fake clock): the app running embedded, on its start screen, catalog loaded."""
    from kivy.base import EventLoop, runTouchApp

    from kiosk.core import config
    from kiosk.core.clock import FakeClock
    from kiosk.terminal.window import make_app

    cfg = config.load("demo")
    cfg = dataclasses.replace(cfg, terminal=dataclasses.replace(cfg.terminal, data_dir=data_dir))
    clock = FakeClock()
    app = make_app(cfg, clock=clock)
    app._run_prepare()
    runTouchApp(embedded=True)
    c = app.controller
    for _ in range(5000):  # the catalog and the printer's first status come from the pool
        EventLoop.idle()
        if c.catalog is not None and app.services.hub.status("printer").state == "ok":
            break
    return app, clock
