"""The non-UI parts of a terminal, built from config: journal, translator, platform, printer.
Shared by the Kivy app, the headless CLI commands and the tests, so all run the same wiring."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from kiosk.core.clock import Clock, SystemClock
from kiosk.core.config import Config
from kiosk.runtime.devicehub import DeviceHub
from kiosk.i18n.translator import Translator
from kiosk.core.journal import Journal

log = logging.getLogger(__name__)


@dataclass
class Services:
    config: Config
    clock: Clock
    journal: Journal
    translator: Translator
    platform: Any
    hub: DeviceHub
    demo_server: Any = None
    closers: list[Any] = field(default_factory=list)

    @property
    def printer(self) -> Any:
        return self.hub.drivers.get("printer")

    @classmethod
    def build(cls, config: Config, clock: Clock | None = None, data_dir: Path | None = None,
              post: Any = None, platform_sleep: Callable[[float], None] | None = None) -> "Services":
        """`post(topic, **data)` receives device events (the app passes its bus).
        `platform_sleep` is how the platform client waits between retries (default: really
        sleeps); simulations pass one that moves their fake clock instead."""
        clock = clock or SystemClock()
        data = Path(data_dir) if data_dir else config.data_path
        journal = Journal(data / "journal.sqlite3", clock)
        journal.close_open_sessions("interrupted")
        translator = Translator(languages=config.terminal.languages)
        platform, server = make_platform(config, sleep=platform_sleep)
        from kiosk.i18n.receipt_shaper import SHAPER

        hub = DeviceHub(config.devices, post=post or (lambda topic, **data: None), data_dir=data, shaper=SHAPER)
        hub.build()
        return cls(config, clock, journal, translator, platform, hub, server)

    def close(self) -> None:
        close = getattr(self.platform, "close", None)
        if close is not None:
            close()
        if self.demo_server is not None:
            self.demo_server.stop()
        self.hub.stop()
        self.journal.close()


def make_platform(config: Config, sleep: Callable[[float], None] | None = None) -> tuple[Any, Any]:
    """The platform client (and the embedded demo server when the config says so). `sleep` is
    the retry backoff's wait; None: time.sleep, as on a terminal."""
    import time

    from kiosk.platform.http_client import HttpPlatform

    p = config.platform
    server = None
    url = p.url
    if url == "embedded://":
        from kiosk.demo_platform.server import DemoPlatformServer

        server = DemoPlatformServer()
        url = server.start()
        log.info("demo platform on %s", url)
    client = HttpPlatform(url, connect_timeout_s=p.connect_timeout_s, read_timeout_s=p.read_timeout_s,
                          retries=p.retries, backoff_s=p.backoff_s,
                          sleep=sleep if sleep is not None else time.sleep)
    return client, server
