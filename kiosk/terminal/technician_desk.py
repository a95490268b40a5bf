"""Technician mode at the terminal: entry (PIN or technician card, one lock-out for both), the
dashboard, a self-test page per device, recent events, paper and maintenance actions, and the
voice prompt recording page (kiosk/terminal/voice_desk.py). Every
action is journaled (never the PIN or a card number).

It drives the screens through the controller's `root` (duck-typed: no Kivy or screens import,
per DESIGN.md's layers); what it shows is built by kiosk.diag.dashboard, tested without a window.
"""
from __future__ import annotations

import logging
from typing import Any

from kiosk.diag import dashboard as tech
from kiosk.i18n.translator import Msg

log = logging.getLogger(__name__)

TECH_SCREENS = ("technician_entry", "technician", "technician_test", "technician_events", "technician_voice")


class TechnicianDesk:
    def __init__(self, controller: Any) -> None:
        self.c = controller
        self.s = controller.s
        self.cfg = controller.cfg
        self._gate: Any = None
        self.test: tech.DeviceTest | None = None
        self.last_test: Any = None
        from kiosk.terminal.voice_desk import VoiceDesk

        self.voice = VoiceDesk(controller)  # recording Tibetan/Yi prompts (kiosk/terminal/voice_desk.py)

    @property
    def root(self) -> Any:
        return self.c.root

    @property
    def journal(self) -> Any:
        return self.s.journal

    def _on(self, screen: str) -> bool:
        return self.root.current == screen

    # -- entry -------------------------------------------------------------------------------------
    def open_entry(self) -> None:
        self.root.screens["technician_entry"].message = None
        self.root.show_screen("technician_entry")

    def _gate_or_none(self) -> Any:
        from kiosk.core.techpin import PinGate

        t = self.cfg.terminal
        if not t.technician_pin_hash and not t.technician_card_hashes:
            return None
        if self._gate is None:
            self._gate = PinGate(t.technician_pin_hash, self.c.clock, card_hashes=t.technician_card_hashes)
        return self._gate

    def try_pin(self, pin: str) -> None:
        from kiosk.core.techpin import PinError

        gate = self._gate_or_none()
        if gate is None or not self.cfg.terminal.technician_pin_hash:
            self.journal.incident("technician_entry", "refused: no PIN configured")
            self.root.screens["technician_entry"].message = Msg("tech.entry.unavailable")
            return
        try:
            outcome = gate.try_pin(pin)
        except PinError:
            outcome = "wrong"
        self._entered(outcome, "pin")

    def try_card(self, identity: Any) -> bool:
        """A social security card read while the entry screen is shown. True when it was taken
        as an entry attempt (it is never passed on to anything else either way)."""
        number = str(dict(identity.extra).get("card_number", "") or "")
        if self._on("start"):
            # A technician walks up and inserts the card: it opens technician mode without the
            # five hidden taps (the card is the credential; the taps only find the entry screen).
            # Any other card on the start screen is dropped, uncounted and unlogged.
            gate = self._gate_or_none()
            if gate is None or not self.cfg.terminal.technician_card_hashes or not gate.is_card(number):
                return False
            self.open_entry()
        if not self._on("technician_entry"):
            return False
        gate = self._gate_or_none()
        if gate is None or not self.cfg.terminal.technician_card_hashes:
            self.journal.incident("technician_entry", "refused: no technician card configured")
            self.root.screens["technician_entry"].message = Msg("tech.entry.card_unavailable")
            return True
        self._entered(gate.try_card(number), "card")
        return True

    def _entered(self, outcome: str, by: str) -> None:
        self.journal.incident("technician_entry", f"{by}: {outcome}")  # never the PIN or card number
        entry = self.root.screens["technician_entry"]
        if outcome == "ok":
            self.last_test = None
            self.show_dashboard()
        elif outcome == "locked":
            entry.message = Msg("tech.entry.locked", minutes=max(1, round(self._gate.seconds_left / 60)))
        else:
            entry.message = Msg("tech.entry.wrong" if by == "pin" else "tech.entry.card_wrong")

    # -- dashboard ---------------------------------------------------------------------------------
    def show_dashboard(self) -> None:
        from kiosk import __version__

        fleet = self.cfg.fleet_config if self.cfg.fleet else None
        board = tech.build_dashboard(
            statuses=self.s.hub.statuses(), stats=self.journal.stats(), paper=self.journal.paper_estimate(),
            platform_error=self.c.catalog_error, platform=self.c.platform_status, version=__version__,
            install_root=fleet.install_root if fleet is not None else None,
            maintenance=self.c.maintenance, now_mono=self.c.clock.monotonic(), now_wall=self.c.clock.now(),
            last_test=self.last_test)
        if self.c.journal_problem is not None:  # the terminal is out of service for this: say why first
            from dataclasses import replace

            from kiosk.i18n.translator import Plain

            problem = Msg("tech.journal.problem", code=Plain(self.c.journal_problem))
            board = replace(board, lines=(problem, *board.lines))
        self.test = None
        self.root.screens["technician"].dashboard = board
        self.root.show_screen("technician")

    def action(self, action: str) -> None:
        """An action on the dashboard or the events page (only reachable after entry)."""
        if self.root.current not in ("technician", "technician_events"):
            return
        try:
            self.journal.incident("technician_action", action)
        except Exception as e:  # noqa: BLE001 - a full disk must not lock the technician out of the fix
            self.c.journal_failed(e)
        if action == "exit":
            self.leave()
        elif action in ("refresh", "back"):
            self.show_dashboard()
        elif action == "maintenance":
            self.c.set_maintenance(not self.c.maintenance)
            self.show_dashboard()
        elif action == "paper_loaded":
            self.journal.paper_loaded(self.cfg.devices.printer_roll_m * 1000)
            self.show_dashboard()
        elif action == "events":
            self.show_events()
        elif action == "voice":
            self.voice.open()
        elif action.startswith("test:"):
            self.show_test(action[5:])

    def leave(self) -> None:
        self.test = None
        self.voice.close()
        self.c.go_start()

    # -- recent events -----------------------------------------------------------------------------
    def show_events(self) -> None:
        from kiosk.diag.checks import recent_incidents

        screen = self.root.screens["technician_events"]
        screen.fill(tech.event_lines(recent_incidents(self.journal.path, tech.EVENTS_SHOWN)),
                    tech.log_lines(self.cfg.data_path))
        self.root.show_screen("technician_events")

    # -- self-tests --------------------------------------------------------------------------------
    def show_test(self, device: str) -> None:
        self.test = tech.DeviceTest(device)
        status = self.s.hub.status(device)
        if status is not None:
            self.test.result = tech.status_result(status, device)
        self.root.screens["technician_test"].test = self.test
        self.root.screens["technician_test"].refresh()
        self.root.show_screen("technician_test")

    def test_action(self, action: str) -> None:
        test = self.test
        if test is None or not self._on("technician_test"):
            return
        self.journal.incident("technician_selftest", f"{test.device}: {action}")
        if action == "back":
            self.show_dashboard()
            return
        driver = self.s.hub.drivers.get(test.device)
        if driver is None:
            self._show_result(tech.failure_result("not_configured"))
            return
        if action == "status":
            self._run(lambda: driver.self_test(), self._status_done)
        elif action == "run" and test.device in ("printer", "a4printer"):
            self._show_result([Msg("tech.test.printing")])
            self._run(lambda: self._print_test_page(test.device), self._print_done)
        elif action == "run":  # card readers and the scanner: the next card or code is the test
            test.waiting = True
            self._show_result([Msg("tech.test.waiting")])

    def _run(self, work: Any, done: Any) -> None:
        device = self.test.device if self.test else ""

        def finished(result: Any) -> None:
            if self.test is None or self.test.device != device:
                return  # the technician has moved on
            done(result)

        self.c.submit(work, finished)

    def _status_done(self, result: Any) -> None:
        device = self.test.device if self.test else ""
        lines = (tech.status_result(result.value, device) if result.ok
                 else tech.failure_result(str(getattr(result.error, "reason", "") or type(result.error).__name__), device))
        self._record(lines, result.value.state if result.ok else "error")
        self._show_result(lines)

    def _print_test_page(self, device: str = "printer") -> Any:
        from datetime import datetime

        from devices.printer import samples
        from devices.printer.jobs import PrintQueue
        from kiosk.i18n.languages import is_bilingual

        lang = self.c.ui.lang
        printer = self.s.a4printer if device == "a4printer" else self.s.printer
        doc = samples.print_test(lang, with_zh=is_bilingual(lang), width=getattr(printer, "width", 576),
                                 time=datetime.now().strftime("%Y-%m-%d %H:%M"), terminal_id=self.cfg.terminal.id)
        # journaled like a citizen's job (the A4 one done only when CUPS says completed)
        return PrintQueue(printer, self.journal).print_document(doc, flow="technician")

    def _print_done(self, result: Any) -> None:
        if result.ok:
            lines: list[Any] = [Msg("tech.test.printed")]
            self._record(lines, "printed")
        else:
            reason = str(getattr(result.error, "reason", "") or type(result.error).__name__)
            lines = tech.failure_result(reason, self.test.device if self.test else "")
            self._record(lines, f"failed {reason}")
        self._show_result(lines)

    def on_card(self, source: str, identity: Any) -> bool:
        """A card read while no flow asks for one: a technician card on the entry screen, or a
        card reader's test card (shown masked, then forgotten). False: nobody wanted it."""
        if source == "sscard" and self.try_card(identity):
            return True
        return self._answer(source, lambda: tech.card_result(identity), "card read")

    def on_card_error(self, source: str, reason: str) -> bool:
        return self._answer(source, lambda: tech.failure_result(reason), f"card failed {reason}")

    def on_code(self, symbology: str, text: str) -> bool:
        return self._answer("scanner", lambda: tech.code_result(symbology, text), f"code {symbology}")

    def _answer(self, device: str, lines: Any, summary: str) -> bool:
        """A device event for the self-test page of `device`: True when that page is open (the
        event is then consumed here), shown only when the test asked for one."""
        test = self.test
        if test is None or not self._on("technician_test") or test.device != device:
            return False
        if test.waiting:
            test.waiting = False
            shown = lines()
            self._record(shown, summary)
            self._show_result(shown)
        return True

    def preview(self, frame: Any) -> None:
        if self.test is not None and self.test.preview and self._on("technician_test"):
            self.root.screens["technician_test"].set_preview(frame)

    def _record(self, lines: list[Any], summary: str) -> None:
        """The outcome for the journal (device and a code only) and for the dashboard, which
        shows the first line (never the masked details under it)."""
        if self.test is None:
            return
        self.journal.incident("technician_selftest", f"{self.test.device}: {summary}")
        self.last_test = Msg("tech.test.last", device=tech.device_name(self.test.device), outcome=lines[0])

    def _show_result(self, lines: list[Any]) -> None:
        if self.test is None:
            return
        self.test.result = lines
        if self._on("technician_test"):
            self.root.screens["technician_test"].refresh()
