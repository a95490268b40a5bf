"""The citizen-facing logic of the terminal: which screen, which flow, idle, session wipe.
Driven by intents from screens, events from the bus and a periodic tick with the injected clock,
so UI tests move time instead of sleeping. Split by job into mixins: start_menu (tiles),
device_routing (cards, codes, face), intents (taps), video_desk (video help); the technician desk
is its own object."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from devices.status import OK, DeviceStatus
from flows.engine import FlowRunner, View, WorkResult
from flows.ports import FlowContext
from flows.registry import FLOWS
from kiosk.core.bus import Bus
from kiosk.core.clock import Clock
from kiosk.core.idle import EXPIRED, WARNING, IdleMonitor
from kiosk.core.session import Session
from kiosk.i18n.translator import Msg
from kiosk.i18n.voice import SCREEN_PROMPTS, NullPlayer, Voice, view_prompt
from kiosk.platform.outbox import OutboxSender
from kiosk.runtime.services import Services
from kiosk.terminal.device_routing import DeviceRouting
from kiosk.terminal.intents import Intents
from kiosk.terminal.speech_mode import SpeechMode
from kiosk.terminal.start_menu import StartMenu
from kiosk.terminal.technician_desk import TechnicianDesk
from kiosk.terminal.video_desk import VideoDesk

if TYPE_CHECKING:  # the window types; importing them here would import Kivy before app.py sets it up
    from screens.root import KioskRoot
    from screens.ui import UiState

log = logging.getLogger(__name__)

DONE_SCREEN_S = 10.0
OUTBOX_EVERY_S = 30.0
JOURNAL_PROBE_S = 60.0  # out of service for the journal: how often to try again (a cleared disk)


class Controller(VideoDesk, StartMenu, DeviceRouting, Intents):
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
        # The platform's health as a device status (start_menu._health_tick): assumed ok until
        # the first check says otherwise, so a start-up is not greyed for a check in flight.
        self.platform_status = DeviceStatus(OK, since=self.clock.monotonic())
        self._health_next = 0.0
        self._health_busy = False
        self._outbox_next = 0.0
        self._done_deadline: float | None = None
        self._return_to: str = "start"
        self.maintenance = False  # set remotely or by a technician: no services, say where to go
        # Why the journal cannot be written (a full or read-only disk, a damaged file that could
        # not be replaced): nobody is served blind; the start screen and the technician say so.
        self.journal_problem: str | None = services.journal_problem
        self._journal_probe_next = 0.0
        self._busy_held = False  # this session holds the updater's busy lock (kiosk/core/busy.py)
        self.tech = TechnicianDesk(self)
        self._face: Any = None
        self._face_busy = False
        self.announcement: Any = None  # operator's notice for the start screen (text per language)
        self.outbox = OutboxSender(services.journal, services.platform, self.clock)
        self.voice = voice or Voice(NullPlayer())
        self.speech = SpeechMode(self, self.cfg.speech)  # driven by the keypad (keypad_nav.py)
        root.manager.bind(current=lambda _m, name: self._speak_screen(name))

    # -- voice (in speech mode, kiosk/terminal/speech_mode.py adds the focused item) ----------------
    def _speak_screen(self, name: str) -> None:
        if self.speech.active:
            self.speech.screen_spoken(name, getattr(self.root.screens[name], "view", None)
                                      if name not in SCREEN_PROMPTS else None)
        elif name in SCREEN_PROMPTS:
            self.voice.say(self.ui.lang, SCREEN_PROMPTS[name])

    def _speak_view(self, view: View) -> None:
        if self.speech.active:
            self.speech.screen_spoken(self.root.current, view)
        else:
            self.voice.say(self.ui.lang, view_prompt(view))

    # -- sessions ---------------------------------------------------------------------------
    def _new_session(self) -> Session:
        return Session(language=self.ui.lang, large_text=self.ui.large)

    def _replace_session(self) -> None:
        """The citizen's data goes, everywhere it was: the session's values (and their place in
        the log masking registry), then every screen's widgets, hidden ones too."""
        self.session.wipe()
        self.session = self._new_session()
        self.root.forget_views()

    def _end_session(self, outcome: str) -> None:
        """The wipe comes first and always; the journal after it, and its failure (a full disk)
        takes the terminal out of service instead of propagating: a raise here used to leave
        the citizen's data on the screen with every idle expiry raising again."""
        session = self.session
        try:
            self._replace_session()
        finally:
            if self._busy_held:
                self._busy_held = False
                self.s.busy.release()
        if session.flow_id:
            try:
                self.s.journal.session_ended(session.id, outcome)
            except Exception as e:  # noqa: BLE001 - sqlite3 errors, OSError: the disk is the problem
                self.journal_failed(e)

    def journal_failed(self, error: BaseException) -> None:
        """The journal refused a write: out of service until a write works again."""
        code = f"journal_unwritable:{type(error).__name__}"
        if self.journal_problem is None:
            log.error("journal write failed (%s): terminal out of service", type(error).__name__)
        self.journal_problem = code
        self._journal_probe_next = self.clock.monotonic() + JOURNAL_PROBE_S

    def _probe_journal(self) -> None:
        """Back in service once the journal takes writes again (a technician freed the disk)."""
        if self.s.journal.path == Path(":memory:") or not self.s.journal.writable():
            return
        try:
            self.s.journal.incident("journal_recovered", self.journal_problem or "-")
        except Exception:  # noqa: BLE001
            return
        log.info("journal writable again: back in service")
        self.journal_problem = None
        if self.root.current == "start":
            self._build_start()

    def _build_start(self) -> None:
        super()._build_start()
        if self.journal_problem is not None:
            # Out of service, with the reason, and where to go instead; nothing offered.
            start = self.root.screens["start"]
            start.notice = Msg("start.out_of_service.journal", hours=self.cfg.terminal.staffed_hours)
            start.sections = []

    # -- flows ------------------------------------------------------------------------------
    def start_flow(self, flow_id: str) -> None:
        if self.journal_problem is not None:
            log.warning("flow %s refused: the journal cannot be written", flow_id)
            self.go_start()
            return
        cls = FLOWS[flow_id]
        self.session.flow_id = flow_id
        # Busy from here until _end_session: the updater does not restart the app meanwhile.
        self.s.busy.hold()
        self._busy_held = True
        try:
            self.s.journal.session_started(self.session.id, self.session.language, flow_id)
        except Exception as e:  # noqa: BLE001 - the disk is full: nobody is served blind
            self.session.flow_id = None
            self.journal_failed(e)
            self._end_session("journal_failed")
            self.go_start()
            return
        ctx = FlowContext(config=self.cfg, platform=self.s.platform, printer=self.s.printer,
                          journal=self.s.journal, session=self.session, clock=self.clock,
                          translator=self.s.translator, submit=self.submit, device_status=self.device_status,
                          a4printer=self.s.a4printer)
        self.runner = FlowRunner(cls(ctx), self.clock, on_view=self._on_view, on_end=self._on_flow_end,
                                 submit=self.submit)
        self.runner.start()

    def _on_view(self, step: str, view: View) -> None:
        self._videohelp_view(step, view)
        self.root.show_view(view)
        self._speak_view(view)
        self.idle.touch()

    def _on_flow_end(self, outcome: str) -> None:
        # issue 15 hook: the done screen says "take your receipt" only when one came out.
        self.root.screens["done"].receipt = bool(getattr(getattr(self.runner, "flow", None), "printed_once", False))
        self.runner = None
        self._end_session(outcome)
        if outcome == "completed" and self.journal_problem is None:
            self.root.show_screen("done")
            self._done_deadline = self.clock.monotonic() + DONE_SCREEN_S
        else:
            self.go_start()

    # -- time -------------------------------------------------------------------------------
    def tick(self) -> None:
        now = self.clock.monotonic()
        if self.runner is not None:
            self.speech.hold_step_deadline(self.runner)  # speech mode: the spoken warning comes first
            self.runner.tick()
        # A call to video help counts as someone there, on the start screen too: a citizen who left
        # the queue waiting and walked away must not leave it to the next person (nor the staff
        # member to an empty hall); walking away ends it (videohelp_expire) like any session.
        in_call = self.videohelp is not None and self.videohelp.active
        armed = (self.root.current != "start" or self.ui.lang != self.cfg.terminal.default_language
                 or self.ui.large or self.speech.active or in_call) and (self.runner is None or self.runner.interactive)
        state = self.idle.tick(armed)
        if state == WARNING:
            if not self.root.idle_shown and not self.speech.active:
                self.voice.say(self.ui.lang, SCREEN_PROMPTS["idle"])  # spoken and shown
            self.root.show_idle(self.idle.seconds_left())
            self.speech.idle_tick(self.idle.seconds_left())  # speech mode: said with the seconds left
        elif state == EXPIRED:
            self.expire()
        elif self.root.idle_shown:
            self.root.hide_idle()
        if self._done_deadline is not None and now >= self._done_deadline:
            # Only from the screen that set it (done, or the failsafe outside a flow): a citizen who
            # went on from it (video help, help, language) is not pulled away from there; the idle
            # rule looks after them now.
            self._done_deadline = None
            if self.root.current in ("done", "error"):
                self.go_start()
        if self.catalog is None and now >= self._catalog_next:
            self.load_catalog()
        self._health_tick(now)
        if now >= self._outbox_next:
            self._outbox_next = now + OUTBOX_EVERY_S
            self.outbox.schedule(self.submit)  # never a second run queued behind a slow one
        if self.journal_problem is not None and now >= self._journal_probe_next:
            self._journal_probe_next = now + JOURNAL_PROBE_S
            self._probe_journal()
        self._face_tick()
        self._videohelp_tick(now)
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
        self.videohelp_expire()
        if self.runner is not None:
            runner, self.runner = self.runner, None
            runner.on_end = lambda outcome: None
            runner.finish("timeout")
            self._end_session("timeout")
        else:
            self._end_session("timeout")
        self.speech.end_visit()  # speech mode, volume and rate: the next person starts fresh
        self.go_start(reset=True)
