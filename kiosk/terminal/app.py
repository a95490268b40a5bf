"""The Kivy app: the composition root. Builds everything from config and wires it together:
services, the bus, the worker pool, the window's root and the Controller
(kiosk/terminal/controller.py). Nothing imports this package but its entry points."""
from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")

from kivy.config import Config as KivyConfig  # noqa: E402 - Kivy reads the environment at import

import screens.pointer  # noqa: E402 - registers the kiosk's mouse provider before the window reads [input]

# screens/pointer.py: each movement applied when dispatched (a quick swipe on a slow frame was a tap)
KivyConfig.set("input", "mouse", f"{screens.pointer.PROVIDER},disable_multitouch")
KivyConfig.set("kivy", "exit_on_escape", "0")

from kivy.app import App  # noqa: E402

from flows.engine import WorkResult, run_inline  # noqa: E402
from kiosk.core.bus import Bus  # noqa: E402
from kiosk.core.clock import Clock, SystemClock  # noqa: E402
from kiosk.core.config import Config  # noqa: E402
from kiosk.core.events import CardError, CardRemoved, DeviceRead, DeviceStatusChanged, WorkDone  # noqa: E402
from kiosk.i18n.voice import NullPlayer, Voice  # noqa: E402
from kiosk.runtime.services import Services  # noqa: E402
from kiosk.terminal.controller import Controller  # noqa: E402
from kiosk.terminal.remote_handlers import RemoteHandlers  # noqa: E402
from screens.root import KioskRoot  # noqa: E402
from screens.ui import install  # noqa: E402

log = logging.getLogger(__name__)

# Heavy parts imported only when first used (issue 15: start-up stays fast as the kiosk grows):
# none of them may be loaded when the start screen's first frame is drawn. Devices, the HTTP
# client, updates, video help, speech recording and the input engines load after it or on demand.
DEFERRED_IMPORTS = ("numpy", "cv2", "pyzbar", "requests", "urllib3", "serial", "smartcard", "tuf",
                    "aiortc", "av", "sounddevice", "paho", "uvicorn", "starlette", "babel", "pypinyin")


class KioskApp(RemoteHandlers, App):
    title = "Kiosk"

    def __init__(self, config: Config, clock: Clock | None = None, services: Services | None = None,
                 scale: float = 1.0, startup_probe: bool = False, inline: bool = False, ticking: bool = True,
                 notifier: Any = None, helpdesk_url: str = "", **kw: Any) -> None:
        super().__init__(**kw)
        self.helpdesk_url = helpdesk_url  # the demo's embedded video help desk ([videohelp] url = "embedded://")
        self.cfg = config
        self.clock = clock or SystemClock()
        self.services = services
        self.scale = scale
        self.startup_probe = startup_probe
        self.inline = inline  # work done on the UI thread: deterministic renders and tests
        self.ticking = ticking  # renders tick by hand so every image shows one moment
        self.notifier = notifier  # systemd's watchdog (kiosk.core.watchdog.Notifier), when run as a service
        self.executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="kiosk-work")
        self.bus = Bus()
        self.controller: Controller | None = None
        self.keypad: Any = None  # the physical keypad (kiosk/terminal/keypad_nav.py), built with the window
        self.stopping = False  # set first thing in on_stop: no new work from then on
        self._scheduled: list[Any] = []  # Kivy clock events to cancel on stop (tick, watchdog beat)

    # Work runs in the pool; its result is delivered on the UI thread through the bus.
    def submit(self, fn: Callable[[], Any], done: Callable[[WorkResult], None]) -> None:
        if self.stopping:  # shutting down: a tick or a late tap must not reach a closed pool or journal
            log.debug("work dropped: the app is stopping")
            return
        if self.inline:
            run_inline(fn, done)
            return

        def finished(future: Future) -> None:
            error = future.exception()
            result = WorkResult(error=error) if error else WorkResult(value=future.result())
            self.bus.post(WorkDone(done, result))

        self.executor.submit(fn).add_done_callback(finished)

    def build(self) -> KioskRoot:
        from kivy.clock import Clock as KivyClock

        if self.services is None:
            # Renders (inline) need the devices' simulators at once; the window builds them after
            # its first frame (_after_first_frame).
            self.services = Services.build(self.cfg, self.clock, post=self.bus.post, build_devices=self.inline)
        ui = install(self.services.translator, self.cfg.terminal.dpi, self.scale)
        ui.lang = self.cfg.terminal.default_language
        self.bus.set_wakeup(KivyClock.create_trigger(lambda dt: self.bus.drain(), 0))
        self.bus.subscribe(WorkDone, lambda e: None if self.stopping else e.done(e.result))
        self.bus.subscribe(DeviceStatusChanged, lambda e: self.controller.on_device_status(e.name, e.status))
        self.bus.subscribe(DeviceRead, lambda e: self.controller.on_device_read(e.source, e.value))
        self.bus.subscribe(CardRemoved, lambda e: self.controller.on_card_event("card_removed", source=e.source))
        self.bus.subscribe(CardError, lambda e: self.controller.on_card_event("card_error", source=e.source,
                                                                              reason=e.reason))
        root = KioskRoot(intent=lambda name, **data: self.controller.intent(name, **data),
                         monotonic=self.clock.monotonic)
        self.controller = Controller(self.services, ui, root, self.bus, self.submit, voice=self._voice())
        self.controller.setup_videohelp(self.helpdesk_url)
        self.keypad = self._keypad()
        return root

    def _keypad(self) -> Any:
        """The physical keypad and speech mode's overlays (kiosk/terminal/keypad_nav.py)."""
        if not self.cfg.keypad.enabled:
            return None
        from kivy.core.window import Window

        from kiosk.terminal.keypad_nav import KeypadNav

        return KeypadNav(Window, self.controller, self.cfg.keypad)

    def _voice(self) -> Voice:
        from kiosk.i18n.voice_store import clip_roots

        roots = clip_roots(self.cfg.data_path)  # the hall's recorded and imported packs first
        if self.inline or os.environ.get("KIOSK_MUTE"):
            return Voice(NullPlayer(), roots=roots)  # renders and tests: nothing to hear
        from screens.voice_player import KivyPlayer

        jack = None
        if self.cfg.speech.headphone_jack:  # private listening needs the plug to be seen
            from devices.audio.jack import AlsaJack

            jack = AlsaJack(self.cfg.speech.headphone_jack)
        return Voice(KivyPlayer(), roots=roots, jack=jack)

    def on_start(self) -> None:
        from kivy.clock import Clock as KivyClock

        assert self.controller is not None
        if self.notifier is not None:
            self._start_watchdog()
        self.controller.go_start()
        self._after_first_frame()
        self._handle_sigterm()
        self.agent = self._start_agent()
        if self.startup_probe:
            from kivy.core.window import Window

            from kiosk.core.proctime import seconds_since_start

            def flipped(*_: Any) -> None:
                Window.unbind(on_flip=flipped)
                print(f"first_frame_s={seconds_since_start():.3f}", flush=True)
                # what must wait for its first use (tests/integration/test_startup_imports.py)
                early = sorted(m for m in DEFERRED_IMPORTS if m in sys.modules)
                print(f"deferred_imports_loaded={','.join(early)}", flush=True)
                self.stop()

            KivyClock.schedule_once(lambda dt: Window.bind(on_flip=flipped), 0)

    def _after_first_frame(self) -> None:
        """The start screen is usable at once with the featured services; the departments of the
        platform's catalog join it a moment later. Loaded before the first frame, the catalog
        (a fast local platform answers within it) doubled the time to a usable screen.
        The devices are built and start then too: building them imports their drivers and starts
        the demo's simulators; opening them loads OpenCV, zbar and the HTTP stack in their
        threads, and those imports hold the interpreter long enough to delay the first frame.
        So does the controller's tick: its first platform health check built the HTTP client
        (requests and urllib3, ~0.25 s of imports) before the first frame; nobody can have
        touched the screen before it is drawn, so no timer has anything to do until then."""
        from kivy.clock import Clock as KivyClock
        from kivy.core.window import Window

        def first_frame(*_: Any) -> None:
            Window.unbind(on_flip=first_frame)
            if self.stopping:
                return
            if self.ticking:
                self._scheduled.append(KivyClock.schedule_interval(lambda dt: self.controller.tick(), 0.25))
            self.services.hub.build()
            if self.cfg.profile == "demo" and self.services.hub.sims and not self.inline:
                self.root.add_sim_panel()  # the demo's drawer drives the simulators just started
            self.services.hub.start()
            self.controller.load_catalog()

        Window.bind(on_flip=first_frame)

    def _start_watchdog(self) -> None:
        """Pings come from the UI loop itself: if the loop hangs, systemd restarts the kiosk."""
        from kivy.clock import Clock as KivyClock

        from kiosk.core import watchdog
        from kiosk.diag import probes as diag

        watchdog.install_excepthook(self.services.journal)
        live = diag.live_status_path(self.cfg.data_path)
        self.notifier.ready("start screen")

        def beat(dt: float) -> None:
            self.notifier.ping()
            diag.write_live_status(live, self.services.hub.statuses())

        beat(0)
        self._scheduled.append(KivyClock.schedule_interval(beat, self.notifier.ping_interval_s or 10.0))

    def _handle_sigterm(self) -> None:
        """systemctl stop / restart (and the demo's Ctrl-C from a supervisor): stop now, through
        on_stop, instead of SDL's quit event that the loop noticed seconds later."""
        if threading.current_thread() is not threading.main_thread():
            return
        from kivy.clock import Clock as KivyClock

        def on_term(signum: int, _frame: Any) -> None:
            log.info("signal %d: stopping", signum)
            KivyClock.schedule_once(lambda dt: self.stop(), 0)

        signal.signal(signal.SIGTERM, on_term)

    DRAIN_S = 5.0  # running work (a platform call has its own total deadline) gets this long to finish

    def on_stop(self) -> None:
        """The one ordered shutdown (window closed, remote restart, SIGTERM, the startup probe):
        stop accepting work, wipe, drain the pool, close devices and the platform, then the journal."""
        if self.stopping:
            return
        self.stopping = True
        for event in self._scheduled:
            event.cancel()
        if self.keypad is not None:
            self.keypad.close()
        if self.notifier is not None:
            self.notifier.stopping()
        if self.controller is not None:  # the citizen's data goes first, whatever fails after
            self.controller.session.wipe()
            self.controller.videohelp_stop()  # a call in progress is hung up, the staff member told
        if getattr(self, "agent", None) is not None:
            try:
                self.agent.stop()
            except Exception:  # noqa: BLE001
                log.exception("stopping the fleet agent failed")
        self.executor.shutdown(wait=False, cancel_futures=True)  # queued work is dropped
        ends = time.monotonic() + self.DRAIN_S
        for worker in list(getattr(self.executor, "_threads", ())):
            worker.join(max(0.0, ends - time.monotonic()))
        if self.services is not None:
            self.services.close()  # devices and platform, the busy lock, the journal last
