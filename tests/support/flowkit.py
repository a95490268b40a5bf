"""Shared by the flow tests (a plain module: conftest names collide across test folders)."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

from devices.printer.memory import MemoryPrinter
from flows.engine import FlowRunner, View, WorkResult, run_inline
from flows.ports import FlowContext, Identity
from flows.registry import FLOWS
from kiosk.core import config as config_mod
from kiosk.core.journal import Journal
from kiosk.core.session import Session
from kiosk.demo.headless import DemoInputs, Driver
from kiosk.demo_platform.server import SEED_PATH
from kiosk.i18n.translator import Msg, Plain, Translator

SEED: dict[str, Any] = json.loads(SEED_PATH.read_text(encoding="utf-8"))
DEMO_ID = "513327196208050282"  # 泽仁卓玛, whose records these tests know (pension, real estate, Tibetan name)
DEMO_APPLICATION = SEED["demo"]["application"]
JPEG = b"\xff\xd8\xff\xe0" + bytes(64) + b"\xff\xd9"  # a JPEG as far as the demo platform cares
NOT_JPEG = b"\x89PNG\r\n\x1a\n" + bytes(32)
CONFIG = config_mod.load("demo")
TRANSLATOR = Translator()


def citizen(id_number: str = DEMO_ID) -> dict[str, Any]:
    return next(c for c in SEED["citizens"] if c["id_number"] == id_number)


def identity(id_number: str = DEMO_ID, source: str = "idcard") -> Identity:
    c = citizen(id_number)
    return Identity(source=source, name=c["name"]["zh_CN"], id_number=c["id_number"], card_type="resident")


def secrets_of(id_number: str = DEMO_ID) -> list[str]:
    """What must never appear outside the session: name, ID number, and what masking hides."""
    c = citizen(id_number)
    name = c["name"]["zh_CN"]
    found = [name, name[1:], c["id_number"], c["id_number"][6:14], c["address"]]
    found += [v for k, v in c["name"].items() if k != "zh_CN"]
    return [s for s in found if len(s) >= 2]


class Switch:
    """A Submit that runs work at once, except while the flow is at one of `hold` steps: then the
    work waits (like a platform that does not answer) until `release()`."""

    def __init__(self) -> None:
        self.hold: set[str] = set()
        self.jobs: list[tuple[Callable[[], Any], Callable[[WorkResult], None]]] = []
        self.runner: FlowRunner | None = None

    def __call__(self, fn: Callable[[], Any], done: Callable[[WorkResult], None]) -> None:
        if self.runner is not None and self.runner.step in self.hold:
            self.jobs.append((fn, done))
        else:
            run_inline(fn, done)

    def release(self) -> None:
        jobs, self.jobs = self.jobs, []
        for fn, done in jobs:
            run_inline(fn, done)


class FlowHarness:
    """One flow on the engine with the real platform client, a journal file and a fake clock."""

    def __init__(self, flow_id: str, *, platform: Any, server: Any, data_dir: Path, clock: Any, lang: str = "zh_CN",
                 printer: Any = None, device_status: Callable[[str], Any] | None = None,
                 id_number: str = DEMO_ID) -> None:
        self.server, self.clock, self.lang = server, clock, lang
        self.journal = Journal(Path(data_dir) / "journal.sqlite3", clock)
        self.printer = printer if printer is not None else MemoryPrinter()
        self.session = Session(language=lang)
        self.session.flow_id = flow_id
        self.switch = Switch()
        self.ctx = FlowContext(config=CONFIG, platform=platform, printer=self.printer, journal=self.journal,
                               session=self.session, clock=clock, translator=TRANSLATOR, submit=self.switch,
                               device_status=device_status or (lambda name: None))
        self.flow = FLOWS[flow_id](self.ctx)
        self.views: list[tuple[str, View]] = []
        self.ends: list[str] = []
        self.runner = FlowRunner(self.flow, clock, on_view=lambda s, v: self.views.append((s, v)),
                                 on_end=self.ends.append, submit=self.switch)
        self.switch.runner = self.runner
        c = citizen(id_number)
        self.inputs = DemoInputs(identity=lambda: identity(id_number), identity_token=c["identity_token"], jpeg=JPEG,
                                 receipt_code=f"{server.url}/a/{DEMO_APPLICATION}",
                                 application_number=DEMO_APPLICATION, search_query="SB")
        self.driver = Driver(self.runner, self.inputs)

    # -- driving ---------------------------------------------------------------------------------
    def start(self) -> None:
        self.runner.start()

    @property
    def step(self) -> str | None:
        return self.runner.step

    @property
    def view(self) -> View:
        assert self.runner.view is not None
        return self.runner.view

    @property
    def outcome(self) -> str | None:
        return self.runner.outcome

    def send(self, event: str, **data: Any) -> None:
        self.runner.send(event, **data)

    def choose(self, option: str) -> None:
        self.runner.send("choose", option=option)

    def option_ids(self, enabled_only: bool = True) -> list[str]:
        return [o.id for o in self.view.options if o.enabled or not enabled_only]

    def drive(self, until: str | None = None, max_actions: int = 60) -> None:
        """Act as the demo citizen until the flow is at `until` (or ended). Work started at
        `until` is held, so a platform or print step stays there."""
        if until is not None:
            self.switch.hold.add(until)
        for _ in range(max_actions):
            if self.runner.ended or (until is not None and self.runner.step == until):
                return
            self.driver.act()
        raise AssertionError(f"did not reach {until!r}; at {self.runner.step} after {max_actions} actions")

    def finish(self) -> str:
        self.switch.hold.clear()
        self.switch.release()
        return self.driver.run()

    def timeout_of(self, step: str) -> float:
        return next(s.timeout_s for s in self.flow.steps if s.name == step)

    def expire(self) -> None:
        """Let the current step's deadline pass."""
        assert self.runner.deadline is not None, f"{self.runner.step} has no deadline"
        self.clock.advance(self.runner.deadline - self.clock.monotonic() + 0.01)
        self.runner.tick()

    # -- reading views ---------------------------------------------------------------------------
    def text(self, t: Any) -> str:
        return TRANSLATOR.text(t, self.lang) if t is not None else ""

    def texts(self, view: View | None = None) -> str:
        """Everything a screen would show for a view, translated, on one string."""
        v = view or self.view
        parts = [self.text(v.title), self.text(v.body)]
        for o in v.options:
            parts += [self.text(o.label), self.text(o.detail), self.text(o.reason)]
        for key, value in v.data.get("rows", ()):
            parts += [self.text(key), self.text(value)]
        for key in ("notice", "hint", "staff", "subject"):
            if isinstance(v.data.get(key), (Msg, Plain)) or hasattr(v.data.get(key), "get"):
                parts.append(self.text(v.data[key]))
        return "\n".join(p for p in parts if p)

    def all_texts(self) -> str:
        return "\n".join(self.texts(v) for _, v in self.views)

    def close(self) -> None:
        self.journal.close()


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", text)
