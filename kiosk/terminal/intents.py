"""What a tap means: screens report intents (`intent(name, **data)`), each handled here by
`_intent_<name>`. A mixin of the Controller (kiosk/terminal/controller.py)."""
from __future__ import annotations

import logging
from typing import Any

from flows.engine import FlowRunner, Option, View
from flows.registry import FLOWS
from kiosk.i18n.translator import Msg

log = logging.getLogger(__name__)


class Intents:
    _crashing = False

    def intent(self, name: str, **data: Any) -> None:
        handler = getattr(self, f"_intent_{name}", None)
        if handler is None:
            log.warning("unknown intent %s", name)
            return
        if name == "crash":  # recovery itself is not guarded: if it fails, Kivy stops the loop
            handler(**data)
            return
        try:
            handler(**data)
        except Exception as e:  # noqa: BLE001 - a bug behind a tap ends in the failsafe, never a black screen
            self.recover(e, where=f"intent:{name}")

    def _intent_crash(self, error: BaseException) -> None:
        """An exception escaped Kivy's event dispatch (screens/crash_guard.py)."""
        self.recover(error, where="ui")

    def recover(self, error: BaseException, where: str) -> None:
        """Like a flow's own failure: an incident in the journal (type and frames, never the
        message), then the failsafe screen, which goes home by itself. Raises if it fails while
        already recovering, so Kivy stops the loop and systemd restarts a clean kiosk."""
        from kiosk.core.watchdog import record_crash

        if self._crashing:
            raise error
        self._crashing = True
        try:
            detail = record_crash(self.s.journal, error, thread=where)
            log.error("%s: %s at %s", where, detail["type"], detail["frames"][-1] if detail["frames"] else "?")
            reason = f"bug:{type(error).__name__}"
            if self.runner is not None and not self.runner.ended:
                self.runner.failsafe(reason)  # the flow's failsafe: its "ok" ends the flow
            else:
                self.root.show_view(View(kind="error", title=Msg("error.failsafe.title"),
                                         body=Msg("error.failsafe.body"),
                                         options=(Option("ok", Msg("action.back_to_start")),),
                                         data={"reason": reason}))
                self._done_deadline = self.clock.monotonic() + FlowRunner.FAILSAFE_TIMEOUT_S
        finally:
            self._crashing = False

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

    def _intent_event(self, event: str, **data: Any) -> None:
        """A step-specific event from a screen: typed text, a search, a toggled reason, a comment."""
        if self.runner is not None and event in ("keypad", "search", "toggle", "comment"):
            self.runner.send(event, **data)

    def _intent_option(self, option: str) -> None:
        if self.runner is not None:
            # The engine's failsafe step answers "ok", not a chosen option: without this its
            # only button did nothing and the citizen waited 30 s for the timeout.
            on_failsafe = self.runner.step == FlowRunner.FAILSAFE and option == "ok"
            self.runner.send("ok" if on_failsafe else "choose", option=option)
        elif self.root.current == "error":  # the failsafe after a bug outside any flow
            self.go_start()

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
        self.root.screens["help"].set_hours(self.cfg.terminal.staffed_hours, self.cfg.terminal.duty_phone)
        self.root.show_screen("help")

    def _intent_back(self) -> None:
        self._back()

    def _intent_callback(self, phone: str) -> None:
        """Help's "leave your number": queued for the platform (kiosk/platform/callback.py); the
        screen says whether it was a number staff can call."""
        from kiosk.platform.callback import KIND, callback_request

        t = self.cfg.terminal
        request = callback_request(phone, t.id, t.hall, self.ui.lang, self.clock.now())
        if request is not None:
            self.s.journal.outbox_put(KIND, request.payload, idempotency_key=request.idempotency_key)
        self.root.screens["help"].callback_done(request is not None)

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

    def _intent_tech_voice(self, action: str) -> None:
        self.tech.voice.action(action)

