"""The soak's faults (kiosk/demo/soak.py lists them): the hooks a fault happens through (the
flow's submit, the printer, the device statuses) and the demo citizen who meets them."""
from __future__ import annotations

import random
from typing import Any, Callable

from devices.status import FAULT, DeviceStatus
from flows.engine import WorkResult, run_inline
from kiosk.demo.headless import Driver
from kiosk.core.clock import FakeClock
from kiosk.demo.rig import Rig

NO_FAULT_SHARE = 0.3  # sessions that go as planned
MAX_STEPS = 120


class Faults:
    """The current session's fault and the hooks it happens through: the flow's `submit` (to hold
    a call), its `device_status`, the printer (wrapped), the platform server's fault switch."""

    def __init__(self, rig: Rig, clock: FakeClock, rnd: random.Random) -> None:
        self.rig, self.clock, self.rnd = rig, clock, rnd
        self.kind = "none"
        self.happened = False
        self.statuses: dict[str, DeviceStatus] = {}
        self.held: list[tuple[Callable[[], Any], Callable[[WorkResult], None]]] = []
        self._requests_before = 0
        self._print_variant = ""

    def begin(self, kind: str) -> None:
        self.kind, self.happened = kind, False
        self._print_variant = self.rnd.choice(("before", "mid")) if kind == "printer_unplugged" else ""
        self._rows = self.rnd.randint(20, 300)
        server = self.rig.services.demo_server
        self._requests_before = server.requests_total
        server.set_fault("down" if kind == "platform_down" else "none")

    def end(self) -> None:
        """The technician's morning: the platform back, the printer plugged in with paper."""
        self.release()
        server = self.rig.services.demo_server
        if self.kind == "platform_down":
            self.happened = server.requests_total > self._requests_before
        server.set_fault("none")
        self.rig.emulator.replug()
        self.rig.emulator.set_state("ok")
        self.statuses.clear()

    # the flow's hooks
    def device_status(self, name: str) -> DeviceStatus | None:
        return self.statuses.get(name)

    def submit(self, fn: Callable[[], Any], done: Callable[[WorkResult], None]) -> None:
        if self.kind == "timeout" and not self.happened and not self.held:
            self.held.append((fn, done))  # no answer yet: the step waits, its deadline runs
            return
        run_inline(fn, done)

    def release(self) -> None:
        """Held calls answer now (late: the runner drops results for a step that was left)."""
        held, self.held = self.held, []
        for fn, done in held:
            run_inline(fn, done)

    def before_print(self) -> None:
        if self.happened:
            return
        emulator = self.rig.emulator
        if self.kind == "paper_out":
            emulator.run_out_after_rows(self._rows)
            self.happened = True
        elif self.kind == "printer_unplugged":
            emulator.unplug(after_rows=self._rows if self._print_variant == "mid" else None)
            self.happened = True

    def unplug_idcard(self) -> None:
        self.statuses["idcard"] = DeviceStatus(FAULT, "disconnected", "the reader went away", self.clock.monotonic())
        self.happened = True


class FaultyPrinter:
    """The rig's printer, with the session's printer fault applied when a job starts."""

    def __init__(self, printer: Any, faults: Faults) -> None:
        self._printer, self._faults = printer, faults

    def status(self) -> DeviceStatus:
        self._faults.before_print()  # the print queue asks first: a pulled cable shows here
        return self._printer.status()

    def print_document(self, doc: Any) -> None:
        self._printer.print_document(doc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._printer, name)


class FaultyDriver(Driver):
    """The demo citizen (kiosk/demo/headless.Driver), with the session's fault; a patient one taps
    "retry" (once) where an error offers it, as many do, which walks the flows' retry paths."""

    faults: Faults
    walk_at: int = 0
    patient: bool = False
    retried: int = 0
    gone: bool = False  # walked away: does nothing any more, whatever the screen shows

    def act(self) -> bool:
        view = self.runner.view
        f = self.faults
        if self.gone:
            return False
        if view is None or f.happened:
            return super().act()
        if f.kind == "card_pulled" and view.kind == "identify":
            f.happened = True
            return self.send("card_removed", source="idcard")
        if f.kind == "walked_away" and self.actions >= self.walk_at and self.runner.deadline is not None:
            f.happened = True
            return self.walk_away()
        return super().act()

    def _on_identify(self, view: Any) -> bool:
        f = self.faults
        if f.kind != "idcard_unplugged":
            return super()._on_identify(view)
        if not f.happened:
            f.unplug_idcard()  # what the device hub reports, delivered to the running flow
            return self.send("device_status", name="idcard", state=FAULT, reason="disconnected")
        accept = tuple(view.data.get("accept", ()))
        if "qrcode" in accept and self.inputs.identity_token:
            return self.send("code_scanned", symbology="QRCODE", text=self.inputs.identity_token)
        return self.walk_away()  # the card cannot be read and the flow takes nothing else

    def _on_error(self, view: Any) -> bool:
        if self.patient and self.retried < 1 and "retry" in self._option_ids(view):
            self.retried += 1
            return self._choose("retry")
        return super()._on_error(view)

    def _on_waiting(self, view: Any) -> bool:
        f = self.faults
        if not f.held or self.runner.deadline is None:
            return False
        f.happened = True
        where = (self.runner.step, len(self.runner.history), self.runner.ended)
        f.clock.advance(self.runner.deadline - f.clock.monotonic() + 1)
        self.runner.tick()
        if (self.runner.step, len(self.runner.history), self.runner.ended) == where:
            return False  # the deadline passed and nothing happened: a spinner forever
        f.release()  # the answer comes after all, to a step the citizen has left
        return True

    def walk_away(self) -> bool:
        """Nobody touches the screen any more: only the steps' timeouts move the flow on."""
        self.gone = True
        clock = self.faults.clock
        for _ in range(20):
            if self.runner.ended or self.runner.deadline is None:
                break
            clock.advance(max(0.0, self.runner.deadline - clock.monotonic()) + 1)
            self.runner.tick()
        return True


# -- the run ---------------------------------------------------------------------------------------

