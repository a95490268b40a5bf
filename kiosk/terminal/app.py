"""The Kivy app: the composition root. Builds everything from config and wires it together;
the only module that imports every layer.

The `Controller` holds the citizen-facing logic (which screen, which flow, idle, session wipe)
and is driven by intents from screens, events from the bus and a periodic tick with the
injected clock, so UI tests move time instead of sleeping.
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")

from kivy.config import Config as KivyConfig  # noqa: E402 - Kivy reads the environment at import

KivyConfig.set("input", "mouse", "mouse,disable_multitouch")
KivyConfig.set("kivy", "exit_on_escape", "0")

from kivy.app import App  # noqa: E402

from flows.engine import FlowRunner, Option, View, WorkResult, run_inline  # noqa: E402
from flows.ports import FlowContext, Identity  # noqa: E402
from flows.registry import FLOWS  # noqa: E402
from kiosk.core.bus import Bus  # noqa: E402
from kiosk.core.clock import Clock, SystemClock  # noqa: E402
from kiosk.core.config import Config  # noqa: E402
from kiosk.i18n.translator import Msg  # noqa: E402
from kiosk.core.idle import EXPIRED, WARNING, IdleMonitor  # noqa: E402
from kiosk.platform.outbox import OutboxSender  # noqa: E402
from kiosk.runtime.services import Services  # noqa: E402
from kiosk.core.session import Session  # noqa: E402
from kiosk.i18n.voice import SCREEN_PROMPTS, NullPlayer, Voice, view_prompt  # noqa: E402
from screens.root import KioskRoot  # noqa: E402
from screens.ui import UiState, install  # noqa: E402

log = logging.getLogger(__name__)

DONE_SCREEN_S = 10.0
CATALOG_RETRY_S = 30.0
OUTBOX_EVERY_S = 30.0


class Controller:
    def __init__(self, services: Services, ui: UiState, root: KioskRoot, bus: Bus,
                 submit: Callable[[Callable[[], Any], Callable[[WorkResult], None]], None],
                 voice: Voice | None = None) -> None:
        self.s = services
        self.cfg = services.config
        self.clock: Clock = services.clock
        self.ui, self.root, self.bus, self.submit = ui, root, bus, submit
        self.session = self._new_session()
        self.runner: FlowRunner | None = None
        self.idle = IdleMonitor(self.clock, self.cfg.timeouts.idle_s, self.cfg.timeouts.idle_grace_s)
        self.catalog: list[Any] | None = None
        self.catalog_error: str | None = None
        self._catalog_next = float("inf")  # the first load is asked for by the app (see on_start)
        self._outbox_next = 0.0
        self._done_deadline: float | None = None
        self._return_to: str = "start"
        self.maintenance = False  # set remotely or by a technician: no services, say where to go
        from kiosk.terminal.technician_desk import TechnicianDesk

        self.tech = TechnicianDesk(self)
        self._face: Any = None
        self._face_busy = False
        self.announcement: Any = None  # operator's notice for the start screen (text per language)
        self.outbox = OutboxSender(services.journal, services.platform, self.clock)
        self.voice = voice or Voice(NullPlayer())
        root.manager.bind(current=lambda _m, name: self._speak_screen(name))

    # -- voice ------------------------------------------------------------------------------
    def _speak_screen(self, name: str) -> None:
        if name in SCREEN_PROMPTS:
            self.voice.say(self.ui.lang, SCREEN_PROMPTS[name])

    def _speak_view(self, view: View) -> None:
        self.voice.say(self.ui.lang, view_prompt(view))

    # -- sessions ---------------------------------------------------------------------------
    def _new_session(self) -> Session:
        return Session(language=self.ui.lang, large_text=self.ui.large)

    def _end_session(self, outcome: str) -> None:
        if self.session.flow_id:
            self.s.journal.session_ended(self.session.id, outcome)
        self.session.wipe()
        self.session = self._new_session()

    # -- start screen ------------------------------------------------------------------------
    def go_start(self, reset: bool = False) -> None:
        self.root.hide_idle()
        self._done_deadline = None
        if reset:  # the next person starts fresh: default language, normal text
            self.ui.lang = self.cfg.terminal.default_language
            self.ui.large = False
            self.session = self._new_session()
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
            start.notice = (Msg("start.platform_down", hours=self.cfg.terminal.staffed_hours)
                            if self.catalog_error else Msg("start.loading"))
        start.sections = sections

    def _devices_down_notice(self) -> Msg | None:
        """While a device some services need is down: which, and where to go instead."""
        for need in sorted({n for flow in FLOWS.values() for n in flow.needs}):
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
            status = self.device_status(need)
            if status is not None and not status.usable:
                return Msg(f"start.device_down.{need}")
        return None

    def device_status(self, name: str) -> Any:
        return self.s.hub.status(name)

    # -- device events (delivered on the UI thread by the bus) --------------------------------------
    def on_device_status(self, name: str, status: Any) -> None:
        if self.root.current == "start":
            self._build_start()
        if self.runner is not None:
            self.runner.send("device_status", name=name, state=status.state, reason=status.reason)

    def _listening(self, kind: str, source: str | None = None) -> bool:
        view = self.runner.view if self.runner is not None and not self.runner.ended else None
        if view is None or view.kind != kind:
            return False
        return source is None or source in view.data.get("accept", (source,))

    def on_card(self, source: str, identity: Any) -> None:
        """A card was read. It reaches the flow only if the flow is asking for one right now;
        otherwise it is dropped here and then, so a card left on the reader never leaks into the
        next person's session."""
        if self._listening("identify", source):
            self.runner.send("card_read", identity=identity)
        elif self.runner is None:
            self.tech.on_card(source, identity)  # a technician card, or a reader's self-test

    def on_card_event(self, event: str, **data: Any) -> None:
        if self._listening("identify", data.get("source")):
            self.runner.send(event, **data)
        elif self.runner is None and event == "card_error":
            self.tech.on_card_error(str(data.get("source", "")), str(data.get("reason", "")))

    def on_code(self, symbology: str, text: str) -> None:
        # A code goes to a step that asks for one: a scan step, or an identify step that takes
        # the platform's identity QR code. Anywhere else it is dropped, never kept for later.
        if self._listening("scan") or self._listening("identify", "qrcode"):
            self.runner.send("code_scanned", symbology=symbology, text=text)
        elif self.runner is None:
            self.tech.on_code(symbology, text)  # the scanner's self-test

    def _face_tick(self) -> None:
        """On a face step, the newest camera picture goes through face capture in the worker pool
        (one at a time); guidance and the captured JPEG come back as flow events."""
        if not self._listening("face") or self._face_busy:
            return
        frame = getattr(self.s.hub.drivers.get("scanner"), "preview", None)
        if frame is None:
            return
        if self._face is None:
            from devices.scanner.face import FaceCapture, default_detector

            try:
                self._face = FaceCapture(default_detector())
            except Exception as e:  # noqa: BLE001 - no detector: the flow's timeout offers staff help
                log.warning("face capture unavailable: %s", type(e).__name__)
                self._face_busy = True
                return
        self._face_busy = True

        def done(result: WorkResult) -> None:
            self._face_busy = False
            if not result.ok or not self._listening("face"):
                return
            self.runner.send("face_check", check=result.value.check.guidance)
            if result.value.jpeg:
                self.runner.send("face_captured", jpeg=result.value.jpeg)
                self._face.reset()

        self.submit(lambda: self._face.feed(frame), done)

    # -- flows ------------------------------------------------------------------------------
    def start_flow(self, flow_id: str) -> None:
        cls = FLOWS[flow_id]
        self.session.flow_id = flow_id
        self.s.journal.session_started(self.session.id, self.session.language, flow_id)
        ctx = FlowContext(config=self.cfg, platform=self.s.platform, printer=self.s.printer,
                          journal=self.s.journal, session=self.session, clock=self.clock,
                          translator=self.s.translator, submit=self.submit, device_status=self.device_status)
        self.runner = FlowRunner(cls(ctx), self.clock, on_view=self._on_view, on_end=self._on_flow_end,
                                 submit=self.submit)
        self.runner.start()

    def _on_view(self, step: str, view: View) -> None:
        self.root.show_view(view)
        self._speak_view(view)
        self.idle.touch()

    def _on_flow_end(self, outcome: str) -> None:
        self.runner = None
        self._end_session(outcome)
        if outcome == "completed":
            self.root.show_screen("done")
            self._done_deadline = self.clock.monotonic() + DONE_SCREEN_S
        else:
            self.go_start()

    # -- intents from screens ------------------------------------------------------------------
    def intent(self, name: str, **data: Any) -> None:
        handler = getattr(self, f"_intent_{name}", None)
        if handler is None:
            log.warning("unknown intent %s", name)
            return
        handler(**data)

    def _intent_touch(self) -> None:
        self.idle.touch()
        self.voice.stop()  # a new touch stops speech

    def _intent_repeat(self) -> None:
        self.voice.repeat()

    def _intent_idle_continue(self) -> None:
        self.idle.touch()
        self.root.hide_idle()

    def _intent_start_service(self, item: str) -> None:
        if item.startswith("flow:"):
            self.start_flow(item[5:])
            return
        for dept in self.catalog or ():
            for it in dept.items:
                if it.id == item and it.flow in FLOWS:
                    self.start_flow(it.flow)
                    return

    def _intent_event(self, name: str, **data: Any) -> None:
        """A step-specific event from a screen: typed text, a search, a toggled reason."""
        if self.runner is not None and name in ("keypad", "search", "toggle"):
            self.runner.send(name, **data)

    def _intent_option(self, option: str) -> None:
        if self.runner is not None:
            self.runner.send("choose", option=option)

    def _intent_cancel(self) -> None:
        if self.runner is not None:
            self.runner.cancel()  # the flow ends, _on_flow_end goes home
        elif self.root.current.startswith("technician"):
            self.tech.leave()  # cancel ends technician mode, from any of its screens
        elif self.root.current in ("language", "help"):
            self._back()
        else:
            self.go_start()

    def _intent_home(self) -> None:
        if self.runner is not None:
            self.runner.cancel()
        else:
            self.go_start()

    def _intent_choose_language(self) -> None:
        if self.root.current not in ("language", "help"):
            self._return_to = self.root.current
        self.root.show_screen("language")

    def _intent_language(self, lang: str) -> None:
        # The flow keeps its place: its screen re-renders in the new language.
        self.ui.lang = lang
        self.session.language = lang
        self._back()
        if self.runner is not None and self.runner.view is not None:
            self._speak_view(self.runner.view)

    def _intent_large_text(self, on: bool) -> None:
        self.ui.large = on
        self.session.large_text = on

    def _intent_help(self) -> None:
        if self.root.current not in ("language", "help"):
            self._return_to = self.root.current
        self.root.screens["help"].set_hours(self.cfg.terminal.staffed_hours)
        self.root.show_screen("help")

    def _intent_back(self) -> None:
        self._back()

    def _back(self) -> None:
        if self.runner is not None and self.runner.view is not None:
            self.root.show_view(self.runner.view)
        elif self._return_to == "start" or self._return_to not in self.root.screens:
            self.go_start()
        else:
            self.root.show_screen(self._return_to)

    def _intent_sim(self, action: str) -> None:
        """The demo's simulator panel: act on the simulators as a person at the terminal would."""
        from kiosk.demo import sim_rig as demo_sim

        demo_sim.act(self, action)

    # -- technician mode (kiosk/terminal/technician_desk.py) --------------------------------------------
    def _intent_technician(self) -> None:
        if self.runner is None:
            self._return_to = "start"
            self.tech.open_entry()

    def _intent_technician_pin(self, pin: str) -> None:
        self.tech.try_pin(pin)

    def show_technician(self) -> None:
        self.tech.show_dashboard()

    def _intent_tech(self, action: str) -> None:
        self.tech.action(action)

    def _intent_tech_test(self, action: str) -> None:
        self.tech.test_action(action)

    # -- time -------------------------------------------------------------------------------
    def tick(self) -> None:
        now = self.clock.monotonic()
        if self.runner is not None:
            self.runner.tick()
        armed = (self.root.current != "start" or self.ui.lang != self.cfg.terminal.default_language
                 or self.ui.large) and (self.runner is None or self.runner.interactive)
        state = self.idle.tick(armed)
        if state == WARNING:
            if not self.root.idle_shown:
                self.voice.say(self.ui.lang, SCREEN_PROMPTS["idle"])  # spoken and shown
            self.root.show_idle(self.idle.seconds_left())
        elif state == EXPIRED:
            self.expire()
        elif self.root.idle_shown:
            self.root.hide_idle()
        if self._done_deadline is not None and now >= self._done_deadline:
            self.go_start()
        if self.catalog is None and now >= self._catalog_next:
            self.load_catalog()
        if now >= self._outbox_next:
            self._outbox_next = now + OUTBOX_EVERY_S
            self.submit(self.outbox.deliver_due, lambda result: None)
        self._face_tick()
        if self.root.current in ("scan", "technician_test"):
            frame = getattr(self.s.hub.drivers.get("scanner"), "preview", None)
            if self.root.current == "scan":
                self.root.screens["scan"].set_preview(frame)
            else:
                self.tech.preview(frame)
        self.root.status_text = Msg("status.line", time=self.clock.now().strftime("%H:%M"),
                                    hours=self.cfg.terminal.staffed_hours)

    def expire(self) -> None:
        """Nobody answered the idle warning: end everything and wipe what was theirs."""
        log.info("idle timeout: session wiped")
        if self.runner is not None:
            runner, self.runner = self.runner, None
            runner.on_end = lambda outcome: None
            runner.finish("timeout")
            self._end_session("timeout")
        else:
            self._end_session("timeout")
        self.go_start(reset=True)


def identity_from_idcard(record: Any) -> Identity:
    return Identity(source="idcard", name=record.name or record.name_en or "", id_number=record.id_number,
                    card_type=record.card_type)


def identity_from_sscard(record: Any) -> Identity:
    return Identity(source="sscard", name=record.name or "", id_number=record.ssn or "", card_type="sscard",
                    extra=(("card_number", record.card_number),))


class KioskApp(App):
    title = "Kiosk"

    def __init__(self, config: Config, clock: Clock | None = None, services: Services | None = None,
                 scale: float = 1.0, startup_probe: bool = False, inline: bool = False, ticking: bool = True,
                 notifier: Any = None, **kw: Any) -> None:
        super().__init__(**kw)
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

    # Work runs in the pool; its result is delivered on the UI thread through the bus.
    def submit(self, fn: Callable[[], Any], done: Callable[[WorkResult], None]) -> None:
        if self.inline:
            run_inline(fn, done)
            return

        def finished(future: Future) -> None:
            error = future.exception()
            result = WorkResult(error=error) if error else WorkResult(value=future.result())
            self.bus.post("work.done", done=done, result=result)

        self.executor.submit(fn).add_done_callback(finished)

    def build(self) -> KioskRoot:
        from kivy.clock import Clock as KivyClock

        if self.services is None:
            self.services = Services.build(self.cfg, self.clock, post=self.bus.post)
        ui = install(self.services.translator, self.cfg.terminal.dpi, self.scale)
        ui.lang = self.cfg.terminal.default_language
        self.bus.set_wakeup(KivyClock.create_trigger(lambda dt: self.bus.drain(), 0))
        self.bus.subscribe("work.done", lambda e: e.data["done"](e.data["result"]))
        self.bus.subscribe("device.status", lambda e: self.controller.on_device_status(**e.data))
        self.bus.subscribe("device.idcard", lambda e: self.controller.on_card("idcard", identity_from_idcard(e.data["record"])))
        self.bus.subscribe("device.sscard", lambda e: self.controller.on_card("sscard", identity_from_sscard(e.data["record"])))
        self.bus.subscribe("device.card_removed", lambda e: self.controller.on_card_event("card_removed", **e.data))
        self.bus.subscribe("device.card_error", lambda e: self.controller.on_card_event("card_error", **e.data))
        self.bus.subscribe("device.code", lambda e: self.controller.on_code(e.data["code"].symbology, e.data["code"].text))
        root = KioskRoot(intent=lambda name, **data: self.controller.intent(name, **data),
                         monotonic=self.clock.monotonic)
        self.controller = Controller(self.services, ui, root, self.bus, self.submit, voice=self._voice())
        if self.cfg.profile == "demo" and self.services.hub.sims and not self.inline:
            root.add_sim_panel()
        return root

    def _voice(self) -> Voice:
        if self.inline or os.environ.get("KIOSK_MUTE"):
            return Voice(NullPlayer())  # renders and tests: nothing to hear
        from screens.voice_player import KivyPlayer

        return Voice(KivyPlayer())

    def on_start(self) -> None:
        from kivy.clock import Clock as KivyClock

        assert self.controller is not None
        self.services.hub.start()
        if self.notifier is not None:
            self._start_watchdog()
        self.controller.go_start()
        self._load_catalog_after_first_frame()
        if self.ticking:
            KivyClock.schedule_interval(lambda dt: self.controller.tick(), 0.25)
        self.agent = self._start_agent()
        if self.startup_probe:
            from kivy.core.window import Window

            from kiosk.core.proctime import seconds_since_start

            def flipped(*_: Any) -> None:
                Window.unbind(on_flip=flipped)
                print(f"first_frame_s={seconds_since_start():.3f}", flush=True)
                self.stop()

            KivyClock.schedule_once(lambda dt: Window.bind(on_flip=flipped), 0)

    def _load_catalog_after_first_frame(self) -> None:
        """The start screen is usable at once with the featured services; the departments of the
        platform's catalog join it a moment later. Loaded before the first frame, the catalog
        (a fast local platform answers within it) doubled the time to a usable screen."""
        from kivy.core.window import Window

        def first_frame(*_: Any) -> None:
            Window.unbind(on_flip=first_frame)
            self.controller.load_catalog()

        Window.bind(on_flip=first_frame)

    def _start_watchdog(self) -> None:
        """Pings come from the UI loop itself: if the loop hangs, systemd restarts the kiosk."""
        from kivy.clock import Clock as KivyClock

        from kiosk.diag import probes as diag, watchdog

        watchdog.install_excepthook(self.services.journal)
        live = diag.live_status_path(self.cfg.data_path)
        self.notifier.ready("start screen")

        def beat(dt: float) -> None:
            self.notifier.ping()
            diag.write_live_status(live, self.services.hub.statuses())

        beat(0)
        KivyClock.schedule_interval(beat, self.notifier.ping_interval_s or 10.0)

    def _start_agent(self) -> Any:
        """The remote channel, when [fleet] names a broker. Failing to reach it never stops the kiosk."""
        fleet = self.cfg.fleet_config
        if not fleet.broker_host or self.inline:
            return None
        from kiosk.remote.agent import Agent
        from kiosk.remote.commands import build_handlers

        c = self.controller
        self.bus.subscribe("remote.maintenance", lambda e: c.set_maintenance(e.data["on"]))
        self.bus.subscribe("remote.announcement", lambda e: c.set_announcement(e.data["texts"]))
        self.bus.subscribe("remote.restart", lambda e: self.stop())
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
        """Versions, device statuses, paper, counts. Nothing about any citizen."""
        from kiosk import __version__

        hub = self.services.hub
        stats = self.services.journal.stats()
        paper = self.services.journal.paper_estimate()
        return {"version": __version__,
                "devices": {n: {"state": s.state, "reason": s.reason} for n, s in hub.statuses().items()},
                "sessions": stats["sessions"], "print_jobs": stats["print_jobs"],
                "outbox_pending": stats["outbox_pending"], "maintenance": self.controller.maintenance,
                "paper_left_mm": round(paper["left_mm"]) if paper else None}

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
        from kiosk.diag import probes as diag

        # The running kiosk holds its devices: diag reports their live status instead of reopening them.
        return diag.run_diag(self.cfg, statuses=self.services.hub.statuses()).data

    def _diag_bundle(self) -> dict[str, Any]:
        from kiosk.diag import probes as diag

        out = self.cfg.data_path / "diag-bundle.zip"
        diag.make_bundle(self.cfg, out, statuses=self.services.hub.statuses())
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

    def on_stop(self) -> None:
        if self.notifier is not None:
            self.notifier.stopping()
        if getattr(self, "agent", None) is not None:
            self.agent.stop()
        self.executor.shutdown(wait=False, cancel_futures=True)
        if self.controller is not None:
            self.controller.session.wipe()
        if self.services is not None:
            self.services.close()


def make_app(config: Config, **kw: Any) -> KioskApp:
    """For tools (render, tests): an app sized for the configured panel, not scaled."""
    from kivy.config import Config as KC

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
    app = KioskApp(config, scale=scale, startup_probe=startup_probe, notifier=notifier)
    try:
        app.run()
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run(__import__("kiosk.core.config").config.load("demo")))
