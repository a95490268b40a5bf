"""The UI soak: N citizen sessions through the real window of a running KioskApp (built with a
fake clock, under Xvfb), every flow in turn, each tap a real touch (kiosk/demo/taps.py), with at
most one fault per session, done as the demo's simulator panel does it (kiosk/demo/sim_rig.py):

  card_pulled       the ID card is taken off the reader at once, then put back
  idcard_unplugged  the ID card reader's cable is pulled at the identify step (replugged after)
  paper_out         the roll ends before the citizen taps "print" (refilled after)
  platform_down     the platform goes down at the first step (back after)
  walked_away       the citizen leaves at some step: the fake clock runs the idle warning and wipe
  language          the citizen switches to Tibetan mid-flow by the top bar (back after)

The headless soak (kiosk/demo/soak.py) checks records, print jobs and personal data over 10,000
sessions; this one checks what only the window can leak: widgets and the memory under them.
Measured after a warm-up (every screen built, caches full), always on the start screen after a
session: RSS (after gc and malloc_trim, see kiosk.demo.soak.settled_rss_mb) and the number of
live Kivy widgets. Budget: RSS growth <= 10 MB, widgets flat (none more than after the warm-up,
beyond what one screen's rebuilt content varies by: WIDGET_SLACK).

`bench/ui_soak.py` is the command line; tests/ui/test_ui_soak_short.py runs a short one.
"""
from __future__ import annotations

import gc
import logging
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from flows.registry import FLOWS
from kiosk.demo.memory import settled_rss_mb
from kiosk.demo.taps import Hands

log = logging.getLogger(__name__)

BUDGET_MB = 10.0
FAULT_KINDS = ("card_pulled", "idcard_unplugged", "paper_out", "platform_down", "walked_away", "language")
NO_FAULT_SHARE = 0.3
MAX_ACTIONS = 80  # per session: a session that takes more is stuck
HEALTH_WAIT_S = 60.0  # fake time a greyed tile is given to come back after an outage
IDLE_STEP_S = 5.0  # the walked-away citizen: fake time moves in steps the tick can follow
# The keypad's pad and the option lists are rebuilt per view: which view a screen last showed
# changes the count by up to a pad of keys (A-Z + digits) plus a list of options.
WIDGET_SLACK = 120


def live_widgets() -> int:
    from kivy.uix.widget import Widget

    gc.collect()
    # type(o): gc also holds weak proxies to widgets, which isinstance() would count (or raise on).
    return sum(1 for o in gc.get_objects() if issubclass(type(o), Widget))


@dataclass
class UiSoakReport:
    sessions: int
    warmup: int
    outcomes: dict[str, int]
    faults: dict[str, int]
    taps: int
    stuck: list[str]
    rss_growth_mb: float | None
    widgets_after_warmup: int | None
    widgets_end: int | None
    widgets_max: int | None
    budget_mb: float
    elapsed_s: float
    samples: list[tuple[int, float, int]] = field(default_factory=list)  # (session, rss_mb, widgets)

    @property
    def widgets_flat(self) -> bool:
        return self.widgets_after_warmup is None or (self.widgets_max or 0) <= self.widgets_after_warmup + WIDGET_SLACK

    @property
    def memory_ok(self) -> bool:
        return self.rss_growth_mb is None or self.rss_growth_mb <= self.budget_mb

    @property
    def ok(self) -> bool:
        return not self.stuck and self.memory_ok and self.widgets_flat

    def line(self) -> str:
        growth = "n/a" if self.rss_growth_mb is None else f"{self.rss_growth_mb:.1f}"
        return (f"ui_soak: sessions={self.sessions} warmup={self.warmup} outcomes={self.outcomes} "
                f"faults={self.faults} taps={self.taps} stuck={len(self.stuck)} rss_growth_mb={growth} "
                f"budget<={self.budget_mb} widgets_after_warmup={self.widgets_after_warmup} "
                f"widgets_end={self.widgets_end} widgets_max={self.widgets_max} (flat: <= after warm-up + "
                f"{WIDGET_SLACK}) elapsed_s={self.elapsed_s:.0f} {'OK' if self.ok else 'FAIL'}")


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
        idle_actions = 0
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
            if did:
                idle_actions = 0
            h.until(lambda: h.state() != before, frames=600 if not did or did in ("card", "code", "face") else 60)
            if h.state() == before:
                idle_actions += 1
                if idle_actions >= 3:
                    # Waiting on a timeout (a platform that does not answer, a printer out of
                    # paper): let fake time pass so the step's deadline fires.
                    h.let_time_pass(IDLE_STEP_S)
                if idle_actions > 40:
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
            if h.until(lambda: h.button(f"flow:{self.flow_id}") is not None, frames=10**6):
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
            h.until(lambda: c.s.hub.status("idcard").state != "ok", frames=300)
            self.happened = True
            return True
        if self.fault == "paper_out" and kind in ("result", "ticket") and "print" in h.options():
            h.sim("printer.paper_out")
            h.until(lambda: c.s.hub.status("printer").state != "ok", frames=300)
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
        h.until(lambda: c.root.current == "language", frames=30)
        return h.tap_option(code)

    def _walk_away(self) -> bool:
        h, c = self.h, self.c
        for _ in range(int((c.cfg.timeouts.idle_s + c.cfg.timeouts.idle_grace_s) / IDLE_STEP_S) + 40):
            if c.runner is None and c.root.current == "start":
                return True
            h.let_time_pass(IDLE_STEP_S)
        return self._settle()

    def _settle(self) -> bool:
        return self.h.until(lambda: self.c.runner is None and self.c.root.current == "start", frames=120)

    def restore(self) -> None:
        """Undo the fault so the next citizen finds a working kiosk (as staff would)."""
        h, c = self.h, self.c
        if self.fault == "idcard_unplugged" and self.happened:
            h.sim("idcard.replug")
            h.until(lambda: c.s.hub.status("idcard").state == "ok", frames=600)
        elif self.fault == "paper_out" and self.happened:
            h.sim("printer.ok")
            h.until(lambda: c.s.hub.status("printer").state == "ok", frames=600)
        elif self.fault == "platform_down" and self.happened:
            h.sim("platform.start")
            # The kiosk greys the platform's services out until its health check sees the platform
            # again (every few seconds of fake time): the next citizen would find no tile to tap.
            for _ in range(int(HEALTH_WAIT_S / IDLE_STEP_S)):
                if h.until(lambda: c.platform_status.state == "ok", frames=10**6):
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
                sample_every: int = 1, progress: Callable[[int, float, int], None] | None = None,
                after_session: Callable[[int], None] | None = None,
                fault_kinds: tuple[str, ...] = FAULT_KINDS) -> UiSoakReport:
    """Drive `app` (running, on its start screen, with the platform catalog loaded) through
    `sessions` sessions; `after_session(i)` is a hook for tests (a deliberate leak)."""
    with uncapped_frames():
        return _run(app, clock, sessions, warmup, seed, budget_mb, sample_every, progress, after_session,
                    fault_kinds)


def _run(app: Any, clock: Any, sessions: int, warmup: int, seed: int, budget_mb: float, sample_every: int,
         progress: Callable[[int, float, int], None] | None, after_session: Callable[[int], None] | None,
         fault_kinds: tuple[str, ...]) -> UiSoakReport:
    started = time.monotonic()
    rnd = random.Random(seed)
    hands = Hands(app, clock)
    flows = sorted(FLOWS)
    outcomes: dict[str, int] = {}
    faults: dict[str, int] = {}
    stuck: list[str] = []
    base_rss = base_widgets = None
    samples: list[tuple[int, float, int]] = []
    for i in range(sessions):
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
        done = i + 1
        if done == warmup or (done > warmup and ((done - warmup) % sample_every == 0 or done == sessions)):
            rss = settled_rss_mb()[0]
            widgets = live_widgets()
            samples.append((done, rss, widgets))
            if done == warmup:
                base_rss, base_widgets = rss, widgets
            if progress is not None:
                progress(done, rss, widgets)
    after = [s for s in samples if s[0] > warmup]
    return UiSoakReport(
        sessions=sessions, warmup=warmup, outcomes=outcomes, faults=faults, taps=hands.taps, stuck=stuck,
        rss_growth_mb=None if base_rss is None or not after else after[-1][1] - base_rss,
        widgets_after_warmup=base_widgets, widgets_end=after[-1][2] if after else None,
        widgets_max=max(s[2] for s in after) if after else None, budget_mb=budget_mb,
        elapsed_s=time.monotonic() - started, samples=samples)


def _rescue(hands: Hands) -> None:
    """A stuck session is reported; the next one starts from a clean start screen."""
    c = hands.c
    if c.runner is not None:
        c.runner.on_end = lambda outcome: None
        c.runner.finish("cancelled")
        c.runner = None
    c.go_start(reset=True)
    hands.pump(3)
