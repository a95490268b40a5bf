"""Run a flow to its end without a screen: a demo citizen's hands and devices, step by step.

`Driver` is the policy (what the citizen does at each kind of view), used by `kiosk flow run`
and by the flow tests; `run_flow` puts a flow on the headless rig (kiosk/demo/rig.py: services,
printer emulator, ID card simulator) and drives it.

At each view the citizen:
  identify    puts the ID card on the reader (card_read with what the real driver read), or
              shows the platform identity code when no card is accepted
  face        is captured (face_captured with a small synthetic JPEG)
  scan        shows the receipt's QR code; keypad: types the application number
  search      types the search query, then picks the first match
  choice      picks the first enabled option (never "back")
  evaluation  gives level 5, ticks the first reason, submits; skips the comment
  result/ticket/done: prints once when offered, evaluates once when offered, then "done"
  error       goes back to the start (the run has failed)
A bounded number of steps (`max_steps`) and a stuck-view check make sure a run always ends.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from flows.engine import CANCELLED, COMPLETED, FAILED, TIMED_OUT, FlowRunner, View, run_inline
from flows.ports import FlowContext, Identity

log = logging.getLogger(__name__)

MAX_STEPS = 80
STUCK_LIMIT = 3
OUTCOMES = {COMPLETED: "completed", CANCELLED: "cancelled", TIMED_OUT: "cancelled", FAILED: "failed"}


@dataclass
class DemoInputs:
    identity: Callable[[], Identity]  # called when a card is to be read: may run a real reader
    identity_token: str = ""
    jpeg: bytes = b""
    receipt_code: str = ""
    application_number: str = ""
    search_query: str = "SB"


@dataclass
class Driver:
    runner: FlowRunner
    inputs: DemoInputs
    max_steps: int = MAX_STEPS
    on_step: Callable[[str, View], None] | None = None
    actions: int = 0
    reason: str | None = None
    _done: set[str] = field(default_factory=set)  # "print", "evaluate": offered once, taken once

    def run(self) -> str:
        if self.runner.step is None:
            self.runner.start()
        stuck = 0
        while not self.runner.ended:
            if self.actions >= self.max_steps:
                self.reason = "step_limit"
                log.warning("%s: no end after %d steps: stopped", self.runner.flow.id, self.actions)
                self._abort()
                break
            before = (self.runner.step, self.runner.view, len(self.runner.history))
            if self.on_step is not None and self.runner.view is not None:
                self.on_step(self.runner.step or "", self.runner.view)
            acted = self.act()
            self.actions += 1
            after = (self.runner.step, self.runner.view, len(self.runner.history))
            stuck = stuck + 1 if (not acted or after == before) and not self.runner.ended else 0
            if stuck >= STUCK_LIMIT:
                self.reason = f"stuck:{self.runner.step}"
                log.warning("%s: stuck at %s", self.runner.flow.id, self.runner.step)
                self._abort()
                break
        return self.runner.outcome or FAILED

    def _abort(self) -> None:
        # Not a cancel (that would read as the citizen's choice): the run failed to reach an end.
        self.runner.finish(FAILED)

    # -- one action ------------------------------------------------------------------------------
    def act(self) -> bool:
        view = self.runner.view
        if view is None:
            return False
        handler = getattr(self, f"_on_{view.kind}", None)
        if handler is None:
            return self._choose_first(view)
        return bool(handler(view))

    def send(self, event: str, **data: Any) -> bool:
        self.runner.send(event, **data)
        return True

    def _option_ids(self, view: View) -> list[str]:
        return [o.id for o in view.options if o.enabled]

    def _choose(self, option: str) -> bool:
        return self.send("choose", option=option)

    def _choose_first(self, view: View) -> bool:
        ids = [i for i in self._option_ids(view) if i not in ("back", "home")]
        if ids:
            return self._choose(ids[0])
        if view.kind in ("error", "done") or self.runner.step == FlowRunner.FAILSAFE:
            return self.send("ok")
        return False

    def _on_identify(self, view: View) -> bool:
        accept = tuple(view.data.get("accept", ()))
        if "idcard" in accept or "sscard" in accept:
            return self.send("card_read", identity=self.inputs.identity())
        if "qrcode" in accept and self.inputs.identity_token:
            return self.send("code_scanned", symbology="QRCODE", text=self.inputs.identity_token)
        return False

    def _on_face(self, view: View) -> bool:
        return self.send("face_captured", jpeg=self.inputs.jpeg)

    def _on_scan(self, view: View) -> bool:
        if self.inputs.receipt_code and view.data.get("reason") is None:
            return self.send("code_scanned", symbology="QRCODE", text=self.inputs.receipt_code)
        return self._choose_first(view)  # the code did not work: type the number instead

    def _on_keypad(self, view: View) -> bool:
        if view.data.get("input") == "digits":
            prefix = str(view.data.get("prefix", ""))
            number = self.inputs.application_number
            return self.send("keypad", text=number[len(prefix):] if prefix and number.startswith(prefix) else number)
        if view.data.get("optional"):
            return self._choose("skip")
        return False

    def _on_search(self, view: View) -> bool:
        if not view.data.get("query") and self.inputs.search_query:
            return self.send("search", query=self.inputs.search_query)
        return self._choose_first(view)

    def _on_evaluation(self, view: View) -> bool:
        ids = self._option_ids(view)
        if view.data.get("stage") == "level":
            return self._choose("5" if "5" in ids else ids[0])
        if not view.data.get("selected"):
            reasons = [i for i in ids if i != "submit"] or [o.id for o in view.options if o.id != "submit"]
            if reasons:
                return self.send("toggle", option=reasons[0])
        return self._choose("submit")

    def _final(self, view: View) -> bool:
        ids = self._option_ids(view)
        for option in ("print", "evaluate"):
            if option in ids and option not in self._done:
                self._done.add(option)
                return self._choose(option)
        if "done" in ids:
            return self._choose("done")
        return self._choose_first(view)

    _on_result = _final
    _on_ticket = _final
    _on_done = _final

    def _on_error(self, view: View) -> bool:
        ids = self._option_ids(view)
        self.reason = str(view.data.get("reason", "error"))
        if self.runner.step == FlowRunner.FAILSAFE:
            return self.send("ok")  # the failsafe answers "ok", not a chosen option
        for option in ("home", "ok"):
            if option in ids:
                return self._choose(option)
        return self.send("ok")

    def _on_waiting(self, view: View) -> bool:
        return False  # work runs inline here: a waiting view that stays is stuck


@dataclass
class RunResult:
    flow: str
    outcome: str  # completed | cancelled | failed
    steps: list[str]
    receipt: Path | None
    duration_s: float
    reason: str | None = None


def run_flow(flow_id: str, config: Any, *, data_dir: Path | None = None, receipts_dir: Path | None = None,
             language: str | None = None, max_steps: int = MAX_STEPS, clock: Any = None,
             on_step: Callable[[str, View], None] | None = None, card: str | None = None) -> RunResult:
    """Build the headless rig, run one flow with the demo citizen, deliver its evaluation.
    `card`: one of the simulator panel's ID cards (kiosk/demo/sim_rig.py DEMO_CARDS, e.g.
    "idcard.yi") instead of the seed's demo citizen."""
    # Imported here: the Driver alone (tests) needs none of the rig's devices and services.
    from flows.registry import FLOWS
    from kiosk.demo.rig import RigError, build_rig, demo_card, receipt_code, synthetic_jpeg
    from kiosk.demo.sim_rig import panel_card
    from kiosk.platform.outbox import OutboxSender
    from kiosk.core.session import Session

    if flow_id not in FLOWS:
        raise KeyError(flow_id)
    started = time.monotonic()
    rig = build_rig(config, data_dir=data_dir, receipts_dir=receipts_dir, clock=clock)
    try:
        services = rig.services
        demo = rig.demo()
        id_card = panel_card(card) if card else demo_card(rig.demo_citizen())
        citizen = next((c for c in rig.seed.get("citizens", []) if c["id_number"] == id_card["id_number"]), None)
        if citizen is None:
            raise RigError(f"the card {card} is not a citizen of the demo platform")

        def identity() -> Identity:
            record = rig.read_card(id_card)  # the real serial path, against the simulator
            return Identity(source="idcard", name=record.name, id_number=record.id_number,
                            card_type=record.card_type)

        inputs = DemoInputs(identity=identity, identity_token=citizen.get("identity_token", ""),
                            jpeg=synthetic_jpeg(),
                            receipt_code=receipt_code(rig.platform_url, demo.get("application", "")),
                            application_number=demo.get("application", ""))
        session = Session(language=language or config.terminal.default_language)
        session.flow_id = flow_id
        services.journal.session_started(session.id, session.language, flow_id)
        ctx = FlowContext(config=config, platform=services.platform, printer=rig.printer, journal=services.journal,
                          session=session, clock=services.clock, translator=services.translator, submit=run_inline)
        runner = FlowRunner(FLOWS[flow_id](ctx), services.clock, submit=run_inline)
        driver = Driver(runner, inputs, max_steps=max_steps, on_step=on_step)
        outcome = driver.run()
        services.journal.session_ended(session.id, outcome)
        session.wipe()
        # What the app's outbox loop would do next: hand the evaluation to the platform.
        OutboxSender(services.journal, services.platform, services.clock).deliver_due()
        return RunResult(flow_id, OUTCOMES.get(outcome, "failed"), list(runner.history), rig.last_receipt(),
                         time.monotonic() - started, driver.reason or runner.reason)
    finally:
        rig.close()
