"""A demo citizen's hands on the real window: touches dispatched as Kivy motion events at the
centre of the widget on screen (the same path a finger takes: window -> root -> screen -> button),
and the demo's simulators for what is not a tap (a card on the reader, a code held to the camera,
a face), as the simulator panel does them (kiosk/demo/sim_rig.py).

Used by the UI soak (kiosk/demo/ui_soak.py) and the tap-to-frame latency bench (bench/latency.py).
The policy at each view is the headless citizen's (kiosk/demo/headless.py: same choices), but
every choice is a tap on the button that shows it.
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from kivy.input.motionevent import MotionEvent

from kiosk.core.events import WorkDone
from kiosk.demo import sim_rig
from kiosk.demo.rig import demo_card, receipt_code

DEVICE_WAIT_S = 10.0  # real time a device's thread (a card read, a code decoded) is given to answer
IDLE_FRAME_S = 0.05  # waiting on threads, a frame at least this often (Kivy's timers, the app's tick)
POLL_S = 0.001  # between looks at the bus while waiting (a sleep: the workers get the interpreter)
QUIET_FRAMES = 2  # frames with nothing in flight before the kiosk counts as quiet


class InFlight:
    """The kiosk's pool work not yet delivered: jobs handed to the app's executor minus their
    results (WorkDone) handled on the UI thread. The app's only user of that executor is its
    `submit`, which posts one WorkDone per job, so zero means every job's result was handled.
    Installed once per app (kept on the executor), counting only: the work itself is untouched."""

    def __init__(self, app: Any) -> None:
        self._lock = threading.Lock()
        self.sent = self.handled = 0
        executor = app.executor
        self._submit = executor.submit
        executor.submit = self._counted
        # Subscribed after the app's own WorkDone handler: by the time it is counted here,
        # the result has been handed to the flow.
        app.bus.subscribe(WorkDone, self._done)

    @classmethod
    def of(cls, app: Any) -> "InFlight":
        watch = getattr(app.executor, "kiosk_in_flight", None)
        if watch is None:
            watch = app.executor.kiosk_in_flight = cls(app)
        return watch

    def _counted(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        with self._lock:  # counted first: its result cannot be handled before it is counted
            self.sent += 1
        return self._submit(fn, *args, **kw)

    def _done(self, event: WorkDone) -> None:
        with self._lock:
            self.handled += 1

    @property
    def count(self) -> int:
        with self._lock:
            return self.sent - self.handled


class Touch(MotionEvent):
    """One finger: down and up at a window position (what kivy.tests' UnitTestTouch does, here so
    the product's demo tools do not import Kivy's test package)."""

    def __init__(self, x: float, y: float) -> None:
        from kivy.base import EventLoop

        win = EventLoop.window
        super().__init__("kiosk-demo-touch", 99, {"x": x / (win.width - 1.0), "y": y / (win.height - 1.0)},
                         is_touch=True, type_id="touch")
        self.profile = ["pos"]

    def depack(self, args: dict[str, float]) -> None:
        self.sx, self.sy = args["x"], args["y"]
        super().depack(args)


def scroller(w: Any) -> Any:
    """The ScrollView `w` lives in, or None."""
    from kivy.uix.scrollview import ScrollView

    node = w.parent
    while node is not None and node is not node.parent and not isinstance(node, ScrollView):
        node = node.parent
    return node if isinstance(node, ScrollView) else None


def in_view(w: Any, view: Any) -> bool:
    """The control's centre inside its scroll view's rectangle (both in window coordinates)."""
    x, y = w.to_window(*w.center)
    vx, vy = view.to_window(*view.pos)  # (to_window takes pos in the parent's frame)
    return vx <= x <= vx + view.width and vy <= y <= vy + view.height


def plain(text: str) -> str:
    """A label's text as shown: Kivy markup tags dropped, its escapes undone."""
    text = re.sub(r"\[/?(?:font|b|i|u|s|color|size|ref|anchor|sub|sup|font_family|font_context|"
                  r"font_features|text_language)(?:=[^\]]*)?\]", "", text)
    return text.replace("&bl;", "[").replace("&br;", "]").replace("&amp;", "&").strip()


def walk(root: Any) -> Iterator[Any]:
    yield root
    for child in root.children:
        yield from walk(child)


@dataclass
class Hands:
    """Taps and device actions on a running KioskApp (its controller `c`); `clock` is the fake
    clock the app was built with. `on_tap(widget)` is called just before each touch goes down."""

    app: Any
    clock: Any
    on_tap: Callable[[Any], None] | None = None
    taps: int = 0
    _done: set[str] = field(default_factory=set)  # "print", "evaluate": offered once, taken once
    _device_view: Any = None  # the view a device action was last done for (done once per view)
    _device: str = ""  # ...and the device whose thread is to answer ("idcard", "scanner"), if any

    def __post_init__(self) -> None:
        self.c = self.app.controller
        seed = self.c.s.demo_server.seed
        demo = seed.get("demo", {})
        self.citizen = next(x for x in seed["citizens"] if x["id_number"] == demo.get("citizen"))
        self.card = demo_card(self.citizen)
        self.application = str(demo.get("application", ""))
        self.receipt_code = receipt_code(self.c.s.demo_server.url, self.application)
        self._work = InFlight.of(self.app)

    # -- the window --------------------------------------------------------------------------
    def pump(self, frames: int = 1) -> None:
        from kivy.base import EventLoop

        for _ in range(frames):
            EventLoop.idle()

    def quiet(self) -> bool:
        """Nothing in flight: no pool work (platform calls, printing, journal) and no event
        queued for the UI thread. A quiet kiosk changes only when time passes (the fake clock),
        a device's thread reports, or the citizen acts."""
        return self._work.count == 0 and not self.c.bus.pending()

    def _wait(self) -> None:
        """Until an event is on the bus (a result, a device's read) or IDLE_FRAME_S passed: the
        UI thread sleeps, so the workers and the devices' threads run, not a spin of empty frames."""
        due = time.monotonic() + IDLE_FRAME_S
        while not self.c.bus.pending() and time.monotonic() < due:
            time.sleep(POLL_S)

    def until(self, cond: Callable[[], bool], real_s: float = DEVICE_WAIT_S) -> bool:
        """Frames until `cond()` holds, for at most `real_s` of real time: for what only real
        time brings (a device's thread)."""
        from kivy.base import EventLoop

        end = time.monotonic() + real_s
        while not cond():
            if time.monotonic() > end:
                return False
            EventLoop.idle()
            if not cond():
                self._wait()
        return True

    def settle(self, cond: Callable[[], bool], real_s: float = DEVICE_WAIT_S) -> bool:
        """Frames until `cond()` holds, or until the kiosk is quiet (then False: only the fake
        clock, a device or the citizen can move it on), or `real_s` of real time."""
        from kivy.base import EventLoop

        end = time.monotonic() + real_s
        quiet = 0
        while not cond():
            quiet = quiet + 1 if self.quiet() else 0
            if quiet > QUIET_FRAMES or time.monotonic() > end:
                return False
            if quiet == 0:
                self._wait()
            EventLoop.idle()
        return True

    def let_time_pass(self, seconds: float) -> bool:
        """Move the fake clock on and run the controller's tick now (the app schedules the same
        call every 0.25 s of real time, on this same thread): waiting for the scheduled one made
        a walk-away session take seconds of real time for a minute of fake time. Then whatever
        the tick started (a health check, a retry) is let through."""
        self.clock.advance(seconds)
        self.c.tick()
        self.settle(lambda: False)
        return True

    def visible(self, w: Any) -> bool:
        """On the screen, or in a scroll view that can bring it there (a citizen swipes: a
        control below the fold is still there to be found, see `tap`)."""
        from kivy.core.window import Window

        if w.opacity == 0 or w.get_root_window() is None or getattr(w, "disabled", False):
            return False
        if scroller(w) is not None:
            return True
        x, y = w.to_window(*w.center)
        return 0 <= x < Window.width and 0 <= y < Window.height

    def button(self, option_id: str) -> Any:
        from screens.widgets import BigButton

        screen = self.c.root.manager.current_screen
        for w in walk(screen):
            if isinstance(w, BigButton) and w.option_id == option_id and w.enabled and self.visible(w):
                return w
        return None

    def options(self) -> list[str]:
        """The enabled option buttons on the current screen, in reading order."""
        from screens.widgets import BigButton

        screen = self.c.root.manager.current_screen
        found = [w for w in walk(screen) if isinstance(w, BigButton) and w.enabled and w.option_id and self.visible(w)]
        found.sort(key=lambda w: (-w.to_window(*w.pos)[1], w.to_window(*w.pos)[0]))
        return [w.option_id for w in found]

    def key(self, name: str) -> Any:
        """The key that types `name` (a letter in either case, a digit) or is "OK" / "del", as
        the citizen finds it: by what it shows (keys show runs of markup, and OK and delete as
        words of the language), or on the keyboard by the key it is (key_name)."""
        from kivy.uix.button import Button

        from kiosk.i18n.translator import Msg
        from screens.ui import ui

        want = name.lower()
        word = plain(ui().text(Msg(f"keypad.{want}"))) if want in ("ok", "del") else None
        screen = self.c.root.manager.current_screen
        for w in walk(screen):
            if not isinstance(w, Button) or not self.visible(w):
                continue
            key_name = getattr(w, "key_name", None)
            shown = plain(w.text)
            if key_name == want or key_name is None and (shown.lower() == want or word and word in shown):
                return w
        return None

    def tap(self, widget: Any) -> bool:
        if widget is None:
            return False
        view = scroller(widget)
        if view is not None and not in_view(widget, view):  # the citizen's swipe brings it into view
            view.scroll_to(widget, padding=10, animate=False)
            self.pump(2)
            view.scroll_y = min(1.0, max(0.0, view.scroll_y))  # scroll_to on a fresh layout overshoots
            self.pump(1)
            if not in_view(widget, view):
                return False  # still outside its view: a touch there would land on something else
        x, y = widget.to_window(*widget.center)
        touch = Touch(x, y)
        if self.on_tap is not None:
            self.on_tap(widget)
        from kivy.base import EventLoop

        EventLoop.post_dispatch_input("begin", touch)
        EventLoop.post_dispatch_input("end", touch)
        self.taps += 1
        self.pump(1)
        return True

    def tap_option(self, option_id: str) -> bool:
        return self.tap(self.button(option_id))

    def type_text(self, text: str) -> bool:
        for ch in text:
            if not self.tap(self.key(ch)):
                return False
        return self.tap(self.key("OK"))

    # -- devices (as the simulator panel acts) -------------------------------------------------
    def sim(self, action: str) -> None:
        sim_rig.act(self.c, action)

    def present_card(self) -> None:
        self.c.s.hub.sims["idcard"].present(self.card)

    def show_code(self, text: str | None) -> None:
        if "scanner" in self.c.s.hub.sims:
            if text is None:
                self.c.s.hub.sims["scanner"].show(None)
            else:
                self.c.s.hub.sims["scanner"].show_code(text)

    # -- the citizen -------------------------------------------------------------------------
    def new_session(self) -> None:
        self._done.clear()
        self._device_view = None

    def state(self) -> tuple[Any, ...]:
        r = self.c.runner
        keypad = self.c.root.screens["keypad"].typed if self.c.root.current == "keypad" else ""
        return (self.c.root.current, None if r is None else (r.step, id(r.view), r.ended), keypad,
                self.c.root.idle_shown)

    def act(self) -> str:
        """One thing the citizen does on the current view; returns what (for the log), or ""
        when there is nothing to do but wait."""
        r = self.c.runner
        ids = self.options()
        if r is None or r.view is None:
            return self._first(ids, ("home", "ok"))  # the done screen, or the failsafe outside a flow
        view = r.view
        kind = view.kind
        if kind == "error" or r.step == r.FAILSAFE:
            return self._first(ids, ("home", "ok"))
        if kind == "waiting":
            return ""
        if kind in ("identify", "face", "scan") and self._device_view is view:
            return ""  # the device was acted on for this view: wait for it
        if kind == "identify":
            accept = tuple(view.data.get("accept", ()))
            self._device_view = view
            if "idcard" in accept and "idcard" in self.c.s.hub.sims:
                self.present_card()
                self._device = "idcard"
                return "card"
            if "qrcode" in accept and self.citizen.get("identity_token"):
                self.show_code(self.citizen["identity_token"])
                self._device = "scanner"
                return "code"
            self._device_view = None
            return self._first(ids, ())
        if kind == "face":
            self._device_view = view
            self._device = ""  # the panel hands the face to the flow at once: no device thread
            self.sim("face.show")
            return "face"
        if kind == "scan":
            if view.data.get("reason") is None:
                self._device_view = view
                self._device = "scanner"
                self.show_code(self.receipt_code)
                return "code"
            return self._first(ids, ())
        if kind == "keypad":
            if view.data.get("input") == "digits":
                prefix = str(view.data.get("prefix", ""))
                number = self.application[len(prefix):] if prefix and self.application.startswith(prefix) else self.application
                return "type" if self.type_text(number) else ""
            return self._first(ids, ("skip",))
        if kind == "search":
            if not view.data.get("query"):
                return "type" if self.type_text("SB") else ""
            return self._first(ids, ())
        if kind == "evaluation":
            if view.data.get("stage") == "level":
                return self._first(ids, ("5",))
            if not view.data.get("selected"):
                reasons = [i for i in ids if i != "submit"]
                if reasons:
                    return self._first(reasons, ())
            return self._first(ids, ("submit",))
        if kind in ("result", "ticket", "done"):
            for option in ("print", "evaluate"):
                if option in ids and option not in self._done:
                    self._done.add(option)
                    return self._first(ids, (option,))
            return self._first(ids, ("done",))
        return self._first(ids, ())

    def device_pending(self) -> bool:
        """A device was acted on for the current view and its thread has yet to answer (a card
        being read, a code being decoded): only real time brings that. A device that is down
        answers nothing: no wait."""
        r = self.c.runner
        if not self._device or r is None or self._device_view is None or r.view is not self._device_view:
            return False
        status = self.c.s.hub.status(self._device)
        return status is not None and status.usable

    def after_device(self) -> None:
        """Take the card off the reader and the code away from the camera once the flow moved on,
        so nothing is left for the next citizen (the kiosk must drop it anyway)."""
        r = self.c.runner
        if self._device_view is not None and (r is None or r.view is not self._device_view):
            self._device_view = None
            if "idcard" in self.c.s.hub.sims:
                self.c.s.hub.sims["idcard"].remove()
            self.show_code(None)

    def _first(self, ids: list[str], prefer: tuple[str, ...]) -> str:
        for option in prefer:
            if option in ids:
                return f"tap:{option}" if self.tap_option(option) else ""
        rest = [i for i in ids if i not in ("back", "home", "cancel")]
        for option in rest or ids:
            return f"tap:{option}" if self.tap_option(option) else ""
        return ""
