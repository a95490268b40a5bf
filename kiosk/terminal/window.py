"""The window: its size on this screen, and `kiosk run`."""
from __future__ import annotations

import os
import sys
from typing import Any

from kiosk.core.allocator import settle_allocator
from kiosk.core.config import Config
from kiosk.terminal.app import KioskApp


def make_app(config: Config, **kw: Any) -> KioskApp:
    """For tools (render, tests, benches): an app sized for the configured panel, not scaled."""
    from kivy.config import Config as KC

    settle_allocator()  # as `kiosk run`: the soak and the benches measure the kiosk's malloc

    w, h = config.terminal.window
    KC.set("graphics", "width", str(w))
    KC.set("graphics", "height", str(h))
    KC.set("graphics", "resizable", "0")
    return KioskApp(config, **kw)


def window_scale(width: int, height: int) -> float:
    """Scale the portrait window down to fit this screen (a developer's desktop); 1.0 on the kiosk."""
    import shutil
    import subprocess

    screen = os.environ.get("KIOSK_SCREEN")  # "WxH", for odd setups
    if not screen and shutil.which("xrandr") and os.environ.get("DISPLAY"):
        try:
            out = subprocess.run(["xrandr", "--current"], capture_output=True, text=True, timeout=2).stdout
            for line in out.splitlines():
                if "current" in line:
                    part = line.split("current", 1)[1].split(",")[0]
                    screen = part.replace(" ", "")
                    break
        except (OSError, subprocess.SubprocessError):
            screen = None
    if not screen or "x" not in screen:
        return 1.0
    sw, sh = (int(v) for v in screen.split("x")[:2])
    return min(1.0, (sh - 80) / height, sw / width)


def run(config: Config, fullscreen: bool = False, startup_probe: bool = False) -> int:
    from kivy.config import Config as KC

    from kiosk.core import logs, watchdog

    if not startup_probe:
        logs.setup_logging(config.data_path)
    settle_allocator()  # before any thread starts (kiosk/core/allocator.py says why)
    notifier = watchdog.Notifier()
    notifier.ping()  # before the slow Kivy start, so the watchdog does not fire during it

    w, h = config.terminal.window
    scale = 1.0 if fullscreen else window_scale(w, h)
    if fullscreen:
        KC.set("graphics", "fullscreen", "auto")
    else:
        KC.set("graphics", "width", str(int(w * scale)))
        KC.set("graphics", "height", str(int(h * scale)))
    KC.set("graphics", "resizable", "0")
    desk = None
    if config.videohelp.url == "embedded://" and not startup_probe:  # demo: the video help desk on loopback
        from kiosk.helpdesk.server import start_demo

        desk = start_demo()
    app = KioskApp(config, scale=scale, startup_probe=startup_probe, notifier=notifier,
                   helpdesk_url=desk.url if desk is not None else "")
    try:
        app.run()
    except KeyboardInterrupt:
        return 130
    finally:
        if desk is not None:
            desk.close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run(__import__("kiosk.core.config").config.load("demo")))
