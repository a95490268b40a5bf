"""The UI soak: N citizen sessions through the real window of a running KioskApp (built with a
fake clock, under Xvfb), every flow in turn, each tap a real touch (kiosk/demo/taps.py), with at
most one fault per session, done as the demo's simulator panel does it (kiosk/demo/sim_rig.py):

  card_pulled       the ID card is taken off the reader at once, then put back
  idcard_unplugged  the ID card reader's cable is pulled at the identify step (replugged after)
  paper_out         the roll ends before the citizen taps "print" (refilled after)
  platform_down     the platform goes down at the first step (back after)
  walked_away       the citizen leaves at some step: the fake clock runs the idle warning and wipe
  language          the citizen switches to Tibetan mid-flow by the top bar (back after)

The headless soak (kiosk/demo/soak.py) checks records and print jobs over 10,000 sessions; this
one what only the window can leak. After every session: nothing left for the next citizen
(carried_over()). After a warm-up, on the start screen: RSS (after gc and malloc_trim), live
widgets, open fds, threads; RSS growth <= 10 MB, the rest flat (within a slack). Waits end when
what is waited for holds or the kiosk is quiet (taps.py settle); only fake time is let pass.
`bench/ui_soak.py` is the command line, kiosk/demo/ui_soak_report.py the report and its budgets;
tests/ui/test_ui_soak_short.py runs a short one.
"""
from __future__ import annotations

import logging
import random
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from flows.registry import FLOWS
from kiosk.core import privacy
from kiosk.demo.memory import live_widgets, open_fds, settled_rss_mb, widget_texts
from kiosk.demo.taps import Hands
from kiosk.demo.ui_soak_report import BUDGET_MB, Sample, UiSoakReport

log = logging.getLogger(__name__)

FAULT_KINDS = ("card_pulled", "idcard_unplugged", "paper_out", "platform_down", "walked_away", "language")
NO_FAULT_SHARE = 0.3
MAX_ACTIONS = 80  # per session: a session that takes more is stuck
HEALTH_WAIT_S = 60.0  # fake time a greyed tile is given to come back after an outage
IDLE_STEP_S = 5.0  # the walked-away citizen: fake time moves in steps the tick can follow
RECOVER_S = 35.0  # real time a replugged reader is given (its supervisor backs off up to 30 s)
PLATFORM_KEEP = 50  # records the in-process demo platform keeps during a soak (at most half the warm-up)
class Session:
    """One citizen: a flow tile tapped on the start screen, then the citizen's taps until the
    kiosk is back on the start screen with no flow running."""

    def __init__(self, hands: Hands, flow_id: str, fault: str, rnd: random.Random) -> None:
        self.h, self.flow_id, self.fault, self.rnd = hands, flow_id, fault, rnd
        self.c = hands.c
        self.happened = False
        self.outcome = "?"
        self.at_step = rnd.randint(0, 3)  # platform_down, walked_away, language: at which action

    def run(self) -> str | None:
        """None when the session ended by itself, else why it is stuck."""
        h, c = self.h, self.c
        h.new_session()
        if not self._tile_ready() or not h.tap_option(f"flow:{self.flow_id}"):
            return f"{self.flow_id}: no tile to tap ({h.options()[:8]})"
        if c.runner is None:
            return None if self._settle() else f"{self.flow_id}: tile tapped, no flow"
        runner = c.runner
        idle = 0
        for n in range(MAX_ACTIONS):
            h.after_device()
            if c.runner is None and c.root.current == "start":
                break
            if self._fault(n):
                if self.fault == "walked_away":
                    return None if self._walk_away() else f"{self.flow_id}@{runner.step}: walked away, not wiped"
                continue
            before = h.state()
            did = h.act()
            moved = lambda before=before: h.state() != before
            # A device's thread answers in real time; anything else is done once the kiosk is
            # quiet (every platform call, print and journal write handled).
            if h.until(moved) if h.device_pending() else h.settle(moved):
                idle = 0
                continue
            idle += 1
            if not did or idle >= 2:
                # Quiet, and the citizen has nothing to do (or tapped twice to no effect): the
                # kiosk waits on a timeout (a platform that does not answer, a printer out of
                # paper), which fake time brings.
                h.let_time_pass(IDLE_STEP_S)
            if idle > 40:
                return (f"{self.flow_id}@{runner.step} ({self.fault}): stuck on {c.root.current} "
                        f"(deadline in {(runner.deadline or 0) - h.clock.monotonic():.0f} s, history {runner.history}, "
                        f"current runner: {c.runner is runner}, outcome {runner.outcome})")
        else:
            return f"{self.flow_id}@{runner.step} ({self.fault}): no end after {MAX_ACTIONS} actions"
        self.outcome = runner.outcome or "?"
        return None

    def _tile_ready(self) -> bool:
        """The flow's tile is enabled, or becomes so as fake time passes: after an outage the
        kiosk greys the platform's services until its health check (every few seconds of fake
        time, never while the fake clock stands still) sees the platform again."""
        h = self.h
        for _ in range(int(HEALTH_WAIT_S / IDLE_STEP_S)):
            if h.settle(lambda: h.button(f"flow:{self.flow_id}") is not None):
                return True
            h.let_time_pass(IDLE_STEP_S)
        return h.button(f"flow:{self.flow_id}") is not None

    def _fault(self, n: int) -> bool:
        """Does this session's fault happen now? (True when it took the action's place.)"""
        if self.happened or self.fault == "none":
            return False
        h, c = self.h, self.c
        view = c.runner.view if c.runner is not None else None
        kind = view.kind if view is not None else ""
        if self.fault == "card_pulled" and kind == "identify" and "idcard" in view.data.get("accept", ()):
            h.present_card()
            h.c.s.hub.sims["idcard"].remove()  # before the driver could read it
            self.happened = True
            return True
        if self.fault == "idcard_unplugged" and kind == "identify":
            h.sim("idcard.unplug")
            h.until(lambda: c.s.hub.status("idcard").state != "ok")  # the reader's thread notices
            self.happened = True
            return True
        if self.fault == "paper_out" and kind in ("result", "ticket") and "print" in h.options():
            h.sim("printer.paper_out")
            h.settle(lambda: c.s.hub.status("printer").state != "ok")
            self.happened = True
            return False  # the citizen still taps "print"
        if n >= self.at_step and self.fault == "platform_down":
            h.sim("platform.stop")
            self.happened = True
            return False
        if n >= self.at_step and self.fault == "walked_away":
            self.happened = True
            return True
        if n >= self.at_step and self.fault == "language" and kind not in ("waiting", ""):
            self.happened = self._language("bo")
            return self.happened
        return False

    def _language(self, code: str) -> bool:
        h, c = self.h, self.c
        if not h.tap(list(reversed(c.root.ids.topbar.children))[0]):  # the first bar button
            return False
        h.settle(lambda: c.root.current == "language")
        return h.tap_option(code)

    def _walk_away(self) -> bool:
        h, c = self.h, self.c
        for _ in range(int((c.cfg.timeouts.idle_s + c.cfg.timeouts.idle_grace_s) / IDLE_STEP_S) + 40):
            if c.runner is None and c.root.current == "start":
                return True
            h.let_time_pass(IDLE_STEP_S)
        return self._settle()

    def _settle(self) -> bool:
        return self.h.settle(lambda: self.c.runner is None and self.c.root.current == "start")

    def restore(self) -> None:
        """Undo the fault so the next citizen finds a working kiosk (as staff would)."""
        h, c = self.h, self.c
        if self.fault == "idcard_unplugged" and self.happened:
            h.sim("idcard.replug")
            # The reader's supervisor reopens it after its back-off (real time, up to 30 s).
            h.until(lambda: c.s.hub.status("idcard").state == "ok", real_s=RECOVER_S)
        elif self.fault == "paper_out" and self.happened:
            h.sim("printer.ok")
            h.settle(lambda: c.s.hub.status("printer").state == "ok")
        elif self.fault == "platform_down" and self.happened:
            h.sim("platform.start")
            # The kiosk greys the platform's services out until its health check sees the platform
            # again (every few seconds of fake time): the next citizen would find no tile to tap.
            for _ in range(int(HEALTH_WAIT_S / IDLE_STEP_S)):
                if h.settle(lambda: c.platform_status.state == "ok"):
                    break
                h.let_time_pass(IDLE_STEP_S)
        if c.s.hub.sims.get("idcard") is not None:
            c.s.hub.sims["idcard"].remove()
        h.show_code(None)
        if c.ui.lang != c.cfg.terminal.default_language and c.runner is None:
            self._language(c.cfg.terminal.default_language)
        self._settle()


@contextmanager
def uncapped_frames() -> Iterator[None]:
    """No frame-rate cap while soaking: the soak waits on work, not on the display's 60 Hz (the
    bench sets KCFG_GRAPHICS_MAXFPS=0 before Kivy starts; the suite's shared window is capped)."""
    from kivy.clock import Clock

    before = Clock._max_fps
    Clock._max_fps = 0.0
    try:
        yield
    finally:
        Clock._max_fps = before


def run_ui_soak(app: Any, clock: Any, sessions: int, warmup: int, seed: int = 1, budget_mb: float = BUDGET_MB,
                sample_every: int = 1, progress: Callable[[Sample], None] | None = None,
                after_session: Callable[[int], None] | None = None,
                fault_kinds: tuple[str, ...] = FAULT_KINDS) -> UiSoakReport:
    """Drive `app` (running, on its start screen, with the platform catalog loaded) through
    `sessions` sessions, measuring after the warm-up, every `sample_every` sessions and at the
    end; `after_session(i)` is a hook for tests (a deliberate leak)."""
    # The demo platform runs in this process and keeps its newest 2,000 records of each kind: a
    # few kilobytes a session that would fill through the whole measure and count as the kiosk's
    # growth. Bounded lower for the soak, it is full before the first sample.
    platform = getattr(app.services, "demo_server", None)
    if platform is not None:
        platform.retain(min(PLATFORM_KEEP, max(1, warmup // 2)))
    try:
        with uncapped_frames():
            return _run(app, clock, sessions, warmup, seed, budget_mb, sample_every, progress, after_session,
                        fault_kinds)
    finally:
        if platform is not None:
            platform.retain(None)


def _run(app: Any, clock: Any, sessions: int, warmup: int, seed: int, budget_mb: float, sample_every: int,
         progress: Callable[[Sample], None] | None, after_session: Callable[[int], None] | None,
         fault_kinds: tuple[str, ...]) -> UiSoakReport:
    started = time.monotonic()
    rnd = random.Random(seed)
    hands = Hands(app, clock)
    secrets = citizen_secrets(hands)
    flows = sorted(FLOWS)
    outcomes: dict[str, int] = {}
    faults: dict[str, int] = {}
    stuck: list[str] = []
    carried: list[str] = []
    hidden: list[str] = []
    samples: list[Sample] = []
    in_sessions, slowest = 0.0, (0.0, "")
    for i in range(sessions):
        t0 = time.monotonic()
        fault = "none" if rnd.random() < NO_FAULT_SHARE or not fault_kinds else rnd.choice(fault_kinds)
        s = Session(hands, flows[i % len(flows)], fault, rnd)
        why = s.run()
        s.restore()
        if why is not None:
            stuck.append(why)
            log.warning("ui soak: %s", why)
            _rescue(hands)
        outcomes[s.outcome] = outcomes.get(s.outcome, 0) + 1
        if s.happened:
            faults[fault] = faults.get(fault, 0) + 1
        if after_session is not None:
            after_session(i)
        left, kept = carried_over(hands, secrets)
        carried += [f"session {i} ({s.flow_id}, {fault}): {what}" for what in left]
        hidden += [f"session {i} ({s.flow_id}, {fault}): {what}" for what in kept]
        took = time.monotonic() - t0
        in_sessions += took
        slowest = max(slowest, (took, f"session {i}: {s.flow_id}, {fault}"))
        done = i + 1
        if done == warmup or (done > warmup and ((done - warmup) % sample_every == 0 or done == sessions)):
            rss = settled_rss_mb(frames=lambda: hands.pump(frames=2))[0]
            samples.append(Sample(done, rss, live_widgets(), open_fds(), threading.active_count()))
            if progress is not None:
                progress(samples[-1])
    return UiSoakReport(sessions=sessions, warmup=warmup, outcomes=outcomes, faults=faults, taps=hands.taps,
                        stuck=stuck, carried_over=carried, kept_hidden=hidden, budget_mb=budget_mb,
                        elapsed_s=time.monotonic() - started, session_s=in_sessions, slowest=slowest,
                        samples=samples)


def citizen_secrets(hands: Hands) -> dict[str, str]:
    """What of the demo citizen must not outlive a session, by what it is (the report names
    the kind, never the value): name and ID number as the card and the platform give them,
    their masked forms as receipts and screens show them, address, identity code, the
    numbers of the citizen's documents."""
    from kiosk.core.privacy import mask_id_number, mask_name

    c, card = hands.citizen, hands.card
    names = [card.get("name", "")] + list((c.get("name") or {}).values())
    found = {"id_number": c["id_number"], "id_number_masked": mask_id_number(c["id_number"]),
             "address": card.get("address", ""), "identity_token": c.get("identity_token", "")}
    for i, name in enumerate(n for n in names if n):
        found[f"name{i}"], found[f"name{i}_masked"] = name, mask_name(name)
    for i, doc in enumerate(c.get("elicenses", ())):
        found[f"document{i}"] = str(doc.get("number", ""))
        found[f"document{i}_location"] = str((doc.get("details") or {}).get("location", ""))
    unique: dict[str, str] = {}
    for kind, value in found.items():  # the resident ID is a document too: named once
        if len(value) >= 4 and value not in unique.values():
            unique[kind] = value
    return unique


def carried_over(hands: Hands, secrets: dict[str, str]) -> tuple[list[str], list[str]]:
    """What the session just over left for the next citizen: (in sight or in the session: a
    flow still running, a screen other than the start screen, personal data in the session or
    in the log masker's registry, the citizen's data in the window's widgets; the citizen's data
    in the widgets of a screen not shown, kept for its next showing). Named by kind and place,
    never by value."""
    c = hands.c
    found = []
    if c.runner is not None:
        found.append(f"a flow still running ({c.runner.flow.id})")
    if c.root.current != "start":
        found.append(f"the kiosk on {c.root.current}, not the start screen")
    if c.session.has_personal:
        found.append("personal data in the session")
    if len(privacy.SENSITIVE):
        found.append(f"{len(privacy.SENSITIVE)} values still registered for log masking")
    kept: list[str] = []
    hidden = [(f"screen {sc.name} (not shown)", sc) for sc in c.root.manager.screens if sc.parent is None]
    for where, root, into in [("the window", c.root, found), *((w, r, kept) for w, r in hidden)]:
        for w, text in widget_texts(root):
            into += [f"{kind} in a {type(w).__name__} on {where}" for kind, v in secrets.items() if v in text]
    return found, kept


def _rescue(hands: Hands) -> None:
    """A stuck session is reported; the next one starts from a clean start screen."""
    c = hands.c
    if c.runner is not None:
        c.runner.on_end = lambda outcome: None
        c.runner.finish("cancelled")
        c.runner = None
    c.go_start(reset=True)
    hands.pump(3)
