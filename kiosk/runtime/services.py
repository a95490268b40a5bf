"""The non-UI parts of a terminal, built from config: journal, translator, platform, printer.
Shared by the Kivy app, the headless CLI commands and the tests, so all run the same wiring."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from kiosk.core.busy import DEFAULT_NAME as BUSY_LOCK_NAME, BusyLock
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.config import Config
from kiosk.runtime.devicehub import DeviceHub
from kiosk.i18n.translator import Translator
from kiosk.core.journal import Journal
from kiosk.core.journal_recovery import open_journal

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
    # Why this terminal cannot keep its journal (journal_unwritable, ...), or None. The app
    # shows itself out of service while it is set; the technician sees the code.
    journal_problem: str | None = None
    busy: BusyLock = field(default_factory=lambda: BusyLock(None))
    recovered_print_jobs: int = 0

    # One wrapper per printer driver, not one per call: the flows' print queue lives on it
    # (flows/common.py), and one queue per printer is what keeps two jobs off the paper at once.
    wrapped_printers: dict[str, Any] = field(default_factory=dict, repr=False)

    def _busy_printer(self, name: str, after_failure: Callable[[], Any] | None = None) -> Any:
        driver = self.hub.drivers.get(name)
        if driver is None:
            return None
        wrapped = self.wrapped_printers.get(name)
        if wrapped is None or wrapped.driver is not driver:  # a rebuilt driver gets a new one
            wrapped = self.wrapped_printers[name] = BusyPrinter(driver, self.busy, after_failure)
        return wrapped

    @property
    def printer(self) -> Any:
        return self._busy_printer("printer")

    @property
    def a4printer(self) -> Any:
        """The A4 printer ([devices] a4printer), or None when not fitted. After a job that failed
        its status is read at once, so tiles, flows and the technician learn it now (a job that
        found the paper out), not at the next poll."""
        return self._busy_printer("a4printer", after_failure=lambda: self.hub.refresh("a4printer"))

    @classmethod
    def build(cls, config: Config, clock: Clock | None = None, data_dir: Path | None = None,
              post: Any = None, platform_sleep: Callable[[float], None] | None = None,
              build_devices: bool = True) -> "Services":
        """`post(event)` receives device events (kiosk/core/events.py; the app passes its bus).
        `platform_sleep` is how the platform client waits between retries (default: really
        sleeps); simulations pass one that moves their fake clock instead.
        `build_devices=False`: the caller builds the drivers later with `hub.build()` (the app,
        after the first frame: importing the drivers, OpenCV's capture and pyscard and starting
        the demo's simulators cost ~0.1 s of start-up that no citizen can use before the start
        screen is drawn; until then each configured device reads "starting")."""
        clock = clock or SystemClock()
        data = Path(data_dir) if data_dir else config.data_path
        opened = open_journal(data / "journal.sqlite3", clock)  # a damaged file is set aside, never fatal
        journal = opened.journal
        recovered = 0
        try:
            journal.close_open_sessions("interrupted")
            # Receipts a crash left 'pending' or 'sent': failed with the reason, never re-sent
            # by themselves (whether a 'sent' one came out is unknown; its citizen has gone).
            from devices.printer.jobs import recover_unfinished

            recovered = recover_unfinished(journal)
            if recovered:
                journal.incident("print_jobs_interrupted", f"count={recovered}")
        except Exception as e:  # noqa: BLE001 - a full disk: the app shows it out of service
            log.error("journal start-up writes failed: %s", type(e).__name__)
            opened.problem = opened.problem or "journal_unwritable"
        translator = Translator(languages=config.terminal.languages)
        platform, server = make_platform(config, sleep=platform_sleep)
        from kiosk.i18n.receipt_shaper import SHAPER

        hub = DeviceHub(config.devices, post=post or (lambda event: None), data_dir=data, shaper=SHAPER)
        if build_devices:
            hub.build()
        busy_path = (config.fleet or {}).get("busy_file") or str(data / BUSY_LOCK_NAME)
        return cls(config, clock, journal, translator, platform, hub, server, journal_problem=opened.problem,
                   busy=BusyLock(busy_path), recovered_print_jobs=recovered)

    def close(self) -> None:
        """Devices and the platform first (nothing may journal after the journal closed), each
        step on its own so one failing does not keep the rest open."""
        for step in (getattr(self.platform, "close", None),
                     self.demo_server.stop if self.demo_server is not None else None,
                     self.hub.stop, self.busy.release_all, self.journal.close):
            if step is None:
                continue
            try:
                step()
            except Exception:  # noqa: BLE001
                log.exception("closing %s failed", getattr(step, "__qualname__", step))


def make_platform(config: Config, sleep: Callable[[float], None] | None = None) -> tuple[Any, Any]:
    """The platform client (and the embedded demo server when the config says so). `sleep` is
    the retry backoff's wait; None: time.sleep, as on a terminal."""
    import time

    p = config.platform
    server = None
    url = p.url
    if url == "embedded://":
        from kiosk.demo_platform.server import DemoPlatformServer

        # Serves from the client's first call (or whoever asks its url first), like the client
        # itself: after the start screen's first frame.
        server = DemoPlatformServer()

    def make() -> Any:
        from kiosk.platform.http_client import HttpPlatform

        return HttpPlatform(
            server.url if server is not None else url, connect_timeout_s=p.connect_timeout_s, read_timeout_s=p.read_timeout_s, retries=p.retries,
            backoff_s=p.backoff_s, sleep=sleep if sleep is not None else time.sleep)

    client = LazyPlatform(make)
    return client, server


class LazyPlatform:
    """The platform client, made on its first use: the HTTP stack (requests, urllib3) loads after
    the start screen's first frame (the catalog is asked for then), not before it."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._client: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._make()
            return self._client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get(), name)

    def close(self) -> None:
        if self._client is not None:  # never made: nothing to close
            self._client.close()


class BusyPrinter:
    """The printer, holding the updater's busy lock while a receipt is being printed: a print
    job can outlive its session (the citizen walked away mid-print), and no restart may cut it."""

    def __init__(self, printer: Any, busy: BusyLock, after_failure: Callable[[], Any] | None = None) -> None:
        self._printer, self._busy, self._after_failure = printer, busy, after_failure
        self.print_queue: Any = None  # the flows' queue for this printer (flows/common.print_queue)

    @property
    def driver(self) -> Any:
        return self._printer

    def print_document(self, doc: Any, *args: Any, **kw: Any) -> Any:
        with self._busy.busy():
            try:
                return self._printer.print_document(doc, *args, **kw)
            except Exception:
                if self._after_failure is not None:
                    try:
                        self._after_failure()
                    except Exception:  # noqa: BLE001 - the print failure is what matters
                        log.debug("status refresh after a failed job failed", exc_info=True)
                raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._printer, name)
