"""The tap-everything explorer: the real app in its real window, driven only by touches.

Each tap is a Kivy MotionEvent at a control's position, dispatched through the window like a
finger (kivy.tests.common.UnitTestTouch), never a call of the control's handler. From the start
screen the walker taps, on every state it reaches (screen + flow step), each visible enabled
control once, ways home last; when a state has nothing left to try it goes home by a tap, and
when nothing can be tapped it lets the injected clock run (timeouts are a way home too).

What counts as a failure:
- an exception: one that Kivy's ExceptionManager would not recover from ("uncaught", the kiosk
  would exit), a crash incident journalled by the recovery (screens/crash_guard.py,
  Intents.recover), or a flow ending in its failsafe because of a bug ("bug:..." reason);
- a tap that draws no new frame;
- a dead end: a screen other than start with no visible way home that does not end by itself;
- a screen whose content gets less than half of the window's height, or whose text is clipped
  or drawn under a bar (the layout check of tests/ui/test_layout_share.py, once per screen).
Figures (states, controls tapped, taps that missed their control) are kept for the report."""
from __future__ import annotations

import os
import sqlite3
import sys
from dataclasses import dataclass, field
from typing import Any, Iterator

HOME_LABELS = {"action.cancel", "action.back_to_start", "action.home", "action.done", "action.back",
               "action.finish", "action.ok"}
HOME_IDS = {"home", "ok", "done", "back", "finish", "start", "cancel"}
CARDS = {"zh_CN": "idcard.han", "bo": "idcard.tibetan", "ii": "idcard.yi", "en": "idcard.han"}
VERBOSE = os.environ.get("KIOSK_EXPLORE_VERBOSE") == "1"
SETTLE_FRAMES = 240  # ~4 s of frames for work in the pool (the demo platform is on loopback)


@dataclass
class Scenario:
    lang: str
    large: bool
    mode: str  # card | no_card | paper_out | platform_down

    @property
    def name(self) -> str:
        return f"{self.lang}/{'large' if self.large else 'normal'}/{self.mode}"


@dataclass
class Report:
    states: set[str] = field(default_factory=set)
    tapped: int = 0
    controls: set[str] = field(default_factory=set)
    missed: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


class Explorer:
    def __init__(self, h: Any, max_taps: int, keys_per_state: int = 0) -> None:
        from kivy.core.window import Window

        self.h, self.c, self.max_taps = h, h.c, max_taps
        self.window = Window
        self.flips = 0
        Window.bind(on_flip=self._flipped)
        self.report = Report()
        self.keys_per_state = keys_per_state  # 0: every key
        self.offset = 0  # the start tile a scenario's walk begins with
        self.laid_out: set[tuple[str, str, str]] = set()

    def _flipped(self, *_: Any) -> None:
        self.flips += 1

    def close(self) -> None:
        self.window.unbind(on_flip=self._flipped)

    # -- the loop, as Kivy's mainloop runs it ----------------------------------------------------
    def frame(self, where: str) -> None:
        from kivy.base import EventLoop, ExceptionManager

        try:
            EventLoop.idle()
        except Exception as e:  # noqa: BLE001 - what Kivy's mainloop would do with it
            if ExceptionManager.handle_exception(e) == ExceptionManager.RAISE:
                self.fail(f"uncaught {type(e).__name__} ({where}): the kiosk would exit")

    def dispatch(self, event: Any, where: str) -> None:
        """A touch going down or up, as the mainloop dispatches it: what escapes the screen's
        handlers goes to Kivy's ExceptionManager (where the crash guard is), as in frame()."""
        from kivy.base import ExceptionManager

        try:
            event()
        except Exception as e:  # noqa: BLE001 - what Kivy's mainloop would do with it
            if ExceptionManager.handle_exception(e) == ExceptionManager.RAISE:
                self.fail(f"uncaught {type(e).__name__}: {e} ({where}): the kiosk would exit")

    def frames(self, n: int, where: str) -> None:
        for _ in range(n):
            self.frame(where)

    def settle(self, where: str) -> None:
        """Frames until no platform call or device is pending (a waiting view), bounded."""
        for _ in range(SETTLE_FRAMES):
            self.frame(where)
            r = self.c.runner
            if r is None or r.ended or r.view is None or r.view.kind != "waiting":
                break
        self.frames(2, where)  # layout after the change

    def fail(self, what: str) -> None:
        self.report.failures.append(f"{self.scenario.name}: {what}")

    # -- what is on the screen -------------------------------------------------------------------
    def widgets(self, w: Any) -> Iterator[Any]:
        yield w
        for child in w.children:
            yield from self.widgets(child)

    def controls(self) -> list[Any]:
        from kivy.uix.behaviors import ButtonBehavior

        out = []
        for w in self.widgets(self.window):
            if not isinstance(w, ButtonBehavior) or not self._visible(w):
                continue
            if getattr(w, "enabled", True) is False or w.disabled:
                continue
            if self._in(w, self.c.root.sim_panel):  # the demo operator's drawer: the scenario sets devices
                continue
            out.append(w)
        return out

    def _visible(self, w: Any) -> bool:
        node = w
        while node is not None and node is not self.window:
            if node.opacity == 0:
                return False
            node = node.parent
        return node is self.window and w.width > 0 and w.height > 0

    @staticmethod
    def key(w: Any) -> str:
        label = getattr(w, "label", None)
        label_id = getattr(label, "id", None) or str(getattr(label, "text", "") or getattr(w, "text", ""))
        return f"{getattr(w, 'option_id', '') or ''}|{label_id}"

    def state(self) -> str:
        r = self.c.runner
        step = f"{r.flow.id}.{r.step}" if r is not None and not r.ended else "-"
        return f"{self.c.root.current}:{step}"

    def is_home_way(self, w: Any) -> bool:
        k = self.key(w)
        option_id, _, label = k.partition("|")
        return option_id in HOME_IDS or label in HOME_LABELS

    # -- one tap ---------------------------------------------------------------------------------
    def tap(self, w: Any, where: str) -> None:
        from kivy.tests.common import UnitTestTouch

        from kiosk.demo.taps import in_view, scroller

        parent = scroller(w)  # (a plain walk up never ends: Kivy's Window is its own parent)
        if parent is not None and not in_view(w, parent):  # a swipe first
            parent.scroll_to(w, padding=10, animate=False)
            self.frames(2, where)
            parent.scroll_y = min(1.0, max(0.0, parent.scroll_y))  # scroll_to on a fresh layout overshoots
            self.frame(where)
        x, y = w.to_window(*w.center)
        if parent is not None:  # a control scrolled out of its view cannot be touched
            px, py = parent.to_window(*parent.pos)  # (to_window takes pos in the parent's frame)
            if not in_view(w, parent):
                self.report.missed.append(f"{where} {self.key(w)}: outside its scroll view")
                if VERBOSE:
                    print(f"  missed {where} {self.key(w)} at {x:.0f},{y:.0f}: view {px:.0f},{py:.0f} "
                          f"{parent.width:.0f}x{parent.height:.0f}", file=sys.__stderr__, flush=True)
                return
        released: list[bool] = []
        uid = w.fbind("on_release", lambda *_: released.append(True))
        before_flips, before_crashes = self.flips, self.crashes()
        touch = UnitTestTouch(x, y)
        self.dispatch(touch.touch_down, where)
        self.frame(where)
        self.dispatch(touch.touch_up, where)
        self.frame(where)
        w.unbind_uid("on_release", uid)
        self.report.tapped += 1
        if VERBOSE:
            print(f"  tap {self.report.tapped} {where} {self.key(w)} -> {self.state()}", file=sys.__stderr__, flush=True)
        self.report.controls.add(f"{where} {self.key(w)}")
        if not released:
            self.report.missed.append(f"{where} {self.key(w)}")
        if self.flips == before_flips:
            self.fail(f"tap on {self.key(w)} at {where} drew no new frame")
        self.settle(where)
        if self.crashes() > before_crashes:
            self.fail(f"tap on {self.key(w)} at {where} crashed (incident journalled, failsafe shown)")
        r = self.c.runner
        if r is not None and (r.reason or "").startswith("bug:"):
            self.fail(f"tap on {self.key(w)} at {where} ended the flow in its failsafe: {r.reason}")
            r.reason = "bug-reported"

    def crashes(self) -> int:
        with sqlite3.connect(f"file:{self.c.s.journal.path}?mode=ro", uri=True) as db:
            return int(db.execute("SELECT count(*) FROM incidents WHERE kind = 'crash'").fetchone()[0])

    # -- the demo's devices ----------------------------------------------------------------------
    def devices(self, sc: Scenario) -> None:
        """Card present: the citizen puts the card on the reader when a step asks for it (what the
        simulator panel does); the face and receipt code likewise. Card absent: nothing comes."""
        from kiosk.demo import sim_rig

        r = self.c.runner
        view = r.view if r is not None and not r.ended else None
        if view is None or sc.mode == "no_card":
            return
        if view.kind == "identify" and "idcard" in view.data.get("accept", ()):
            sim_rig.act(self.c, CARDS[sc.lang])
            self.settle("card")
            sim_rig.act(self.c, "idcard.remove")
            self.settle("card")
        elif view.kind == "face":
            sim_rig.act(self.c, "face.show")
            self.settle("face")

    # -- the walk --------------------------------------------------------------------------------
    def run(self, sc: Scenario) -> None:
        self.scenario = sc
        h, c = self.h, self.c
        h.reset()
        if sc.mode == "paper_out":
            h.set_paper("paper_out")
        c.ui.lang, c.ui.large = sc.lang, sc.large
        c.session.language, c.session.large_text = sc.lang, sc.large
        c.go_start()
        if sc.mode == "platform_down":  # after start: the kiosk learns it while running
            c.s.demo_server.set_fault("down")
        self.settle("start")
        tried: set[tuple[str, str]] = set()
        taps, idle_turns = 0, 0
        while taps < self.max_taps:
            if (c.ui.lang, c.ui.large) != (sc.lang, sc.large):  # a tap on the language or text size
                c.ui.lang, c.ui.large = sc.lang, sc.large
                self.frames(2, "restore")
            self.devices(sc)
            where = self.state()
            self.check_layout(where)
            self.report.states.add(f"{sc.lang}/{sc.large}/{where}")
            controls = self.controls()
            untried = self.order([w for w in controls if self.tried_key(w, where) not in tried], where, tried)
            if untried:
                w = untried[0]
                tried.add(self.tried_key(w, where))
                self.tap(w, where)
                taps += 1
                idle_turns = 0
                continue
            if c.root.current == "start":
                break  # everything on the start screen tried: the walk is complete
            home = [w for w in controls if self.is_home_way(w)]
            if home:
                self.tap(home[-1], where)
                taps += 1
                continue
            # Nothing left to tap here and no way home: does it end by itself (a timeout)?
            idle_turns += 1
            c.clock.advance(35.0)
            self.settle(where)
            if self.state() == where and idle_turns > 2:
                self.fail(f"dead end at {where}: no way home and no timeout")
                break
        c.s.demo_server.set_fault("none")
        print(f"explorer {sc.name}: {taps} taps, {len(self.report.states)} states so far, "
              f"{len(self.report.failures)} failures", file=sys.__stderr__, flush=True)

    def tried_key(self, w: Any, where: str) -> tuple[str, str]:
        """The top bar is the same on every screen: its buttons are tried once per scenario."""
        return ("bar" if self._in_bar(w) else where, self.key(w))

    def order(self, untried: list[Any], where: str, tried: set[tuple[str, str]]) -> list[Any]:
        """Content first, then the top bar, ways home last: the walk goes deep before it leaves.
        The start screen's tiles are taken from `offset` on, so that bounded walks of several
        scenarios start in different services. Of a keyboard's keys a few are typed (KEYS_PER_STATE)
        before its OK, the rest skipped unless the walk is the full one."""
        from screens.widgets import BigButton

        if self.c.root.current == "start" and untried:
            tiles = [w for w in untried if not self._in_bar(w) and not self.is_home_way(w)]
            rest = [w for w in untried if w not in tiles]
            k = self.offset % len(tiles) if tiles else 0
            untried = tiles[k:] + tiles[:k] + rest
        keys = [w for w in untried if not isinstance(w, BigButton) and not self._in_bar(w)]
        if keys and self.keys_per_state:
            typed = sum(1 for where_, _ in tried if where_ == where)
            ok = [w for w in keys if self.is_ok_key(w)]
            if typed >= self.keys_per_state:
                untried = [w for w in untried if w not in keys or w in ok]
            else:
                untried = [w for w in untried if w not in ok] + ok
        untried.sort(key=lambda w: (self.is_home_way(w), self._in_bar(w)))
        return untried

    @staticmethod
    def is_ok_key(w: Any) -> bool:
        from screens.ui import ui

        if getattr(w, "key", None) == "ok":  # the keyboard's keys carry their name
            return True
        return list(getattr(w, "background_color", ())) == list(ui().theme.color("primary"))  # the keypad's

    def check_layout(self, where: str) -> None:
        """The accessibility pass's layout check (tests/ui/test_layout_share.py) on each screen a
        scenario reaches, once per screen and view kind: content at least half of the height, no
        text clipped or under a bar. Here on what taps reach, there on rendered scenes."""
        from tests.ui.test_layout_share import layout_problems

        r = self.c.runner
        kind = r.view.kind if r is not None and not r.ended and r.view is not None else "-"
        key = (self.scenario.name, self.c.root.current, kind)
        if key in self.laid_out:
            return
        self.laid_out.add(key)
        for problem in layout_problems(self.h):
            self.fail(f"layout at {where}: {problem}")

    def _in_bar(self, w: Any) -> bool:
        return self._in(w, self.c.root.ids.topbar) or self._in(w, self.c.root.ids.bottombar)

    def _in(self, w: Any, box: Any) -> bool:
        node = w
        while box is not None and node is not None and node is not self.window:  # the window is its own parent
            if node is box:
                return True
            node = node.parent
        return False
