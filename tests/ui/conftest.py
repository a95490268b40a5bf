"""One real Kivy window for the UI tests (Kivy cannot reopen a window in one process), driven
by real touches through the window, with the fake clock for every timeout."""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterator

import pytest


class Harness:
    def __init__(self, app: Any, clock: Any) -> None:
        self.app, self.clock = app, clock
        self.c = app.controller

    def pump(self, until: Callable[[], bool] | None = None, frames: int = 400) -> None:
        """Run frames until `until()` holds (work finishes on pool threads); fail if it never does."""
        from kivy.base import EventLoop

        for _ in range(frames):
            EventLoop.idle()
            if until is None or until():
                if until is None:
                    continue
                for _ in range(3):  # let layout settle after the state change
                    EventLoop.idle()
                return
        if until is not None:
            raise AssertionError(f"condition not reached in {frames} frames: screen={self.c.root.current}")

    def widgets(self, root: Any = None) -> Iterator[Any]:
        root = root or self.c.root
        yield root
        for child in root.children:
            yield from self.widgets(child)

    def button(self, option_id: str | None = None, msg: str | None = None) -> Any:
        from screens.widgets import BigButton

        found = []
        for w in self.widgets():
            if not isinstance(w, BigButton) or w.opacity == 0 or w.get_root_window() is None:
                continue
            if option_id is not None and w.option_id == option_id:
                found.append(w)
            if msg is not None and getattr(w.label, "id", None) == msg:
                found.append(w)
        assert found, f"no button {option_id or msg} on {self.c.root.current}"
        return found[0]

    def shown(self, option_id: str) -> Any:
        """The button once it is on screen: pumps while a screen switch may still be animating."""
        def there() -> bool:
            try:
                self.button(option_id)
                return True
            except AssertionError:
                return False
        self.pump(there)
        return self.button(option_id)

    def tap(self, widget: Any) -> None:
        from kivy.tests.common import UnitTestTouch

        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        self.pump(frames=2)

    def texts(self) -> str:
        """Everything the screen currently says (primary and secondary lines)."""
        from screens.widgets import BiLabel

        out = []
        for w in self.widgets():
            if isinstance(w, BiLabel) and w.opacity > 0:
                out += [w.primary_text, w.secondary_text]
        return "\n".join(t for t in out if t)

    @property
    def emulator(self) -> Any:
        return self.app.services.hub.sims["printer"]

    def set_paper(self, state: str) -> None:
        """Change the printer emulator's state and let the kiosk learn it now, not at its next poll."""
        self.emulator.set_state(state)
        self.app.services.hub.refresh("printer")
        self.pump(frames=2)

    def set_a4(self, enabled: bool) -> None:
        """Resume or stop the demo A4 printer's CUPS queue, once its cupsd has started (nothing
        where it cannot run: the A4 printer is then a fault and documents go to receipts)."""
        hub = self.app.services.hub
        self.pump(lambda: getattr(hub.status("a4printer"), "reason", "") not in ("starting", "not_opened"), frames=1200)
        cups = hub.sims.get("a4printer")
        if cups is not None and cups.running:
            cups.lp("cupsenable" if enabled else "cupsdisable", "kiosk-a4")
            hub.refresh("a4printer")
            self.pump(frames=2)

    def reset(self) -> None:
        if self.c.runner is not None:
            self.c.runner.on_end = lambda outcome: None
            self.c.runner.finish("cancelled")
            self.c.runner = None
        # One kiosk serves every UI test: what a test left behind is put back. A test that listened
        # to a screen's intents and did not give them back left the error screen's home button
        # dead in every later test: each screen reports to the controller again.
        screens = self.c.root.screens
        for screen in screens.values():
            screen.intent = screens.intent
        # What a test (the explorer taps everything) left open or on: the simulator's drawer
        # covered the error screen's home button; its buttons joined the keypad's focus order.
        panel = self.c.root.sim_panel
        if panel is not None:
            panel.open = False
        if self.c.speech.active:
            self.c.speech.end_visit()
        self.app.services.demo_server.set_fault("none")
        self.set_paper("ok")
        self.set_a4(True)
        self.c.go_start(reset=True)
        self.pump(frames=3)


@pytest.fixture(scope="session")
def kiosk(tmp_path_factory) -> Iterator[Harness]:
    from kivy.base import runTouchApp

    from kiosk.core import config
    from kiosk.terminal.window import make_app
    from kiosk.core.clock import FakeClock

    cfg = config.load("demo")
    data = tmp_path_factory.mktemp("kiosk-data")
    cfg = dataclasses.replace(cfg, terminal=dataclasses.replace(cfg.terminal, data_dir=str(data)))
    clock = FakeClock()
    app = make_app(cfg, clock=clock)
    app._run_prepare()
    runTouchApp(embedded=True)
    h = Harness(app, clock)
    h.pump(lambda: h.c.catalog is not None and h.app.services.hub.status("printer").state == "ok")
    yield h
    app.stop()


@pytest.fixture
def ui(kiosk: Harness) -> Iterator[Harness]:
    kiosk.reset()
    yield kiosk


@pytest.fixture
def pad(ui: Harness) -> Iterator[Any]:
    """The physical keypad on the kiosk's window (tests/ui/keypad_pad.py); speech mode ended and
    the headphones unplugged after."""
    from tests.ui.keypad_pad import Pad

    p = Pad(ui)
    yield p
    p.close()
    ui.c.speech.end_visit()
    jack = ui.c.voice.jack
    if hasattr(jack, "plugged_in"):  # the demo's simulated jack
        jack.plugged_in = False
