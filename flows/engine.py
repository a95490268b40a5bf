"""A small state-machine engine for citizen flows: steps, per-step timeouts, cancel, failsafe.

Why not python-statemachine (evaluated, 3.2): its declarative states and transitions fit, but
what a kiosk flow needs most lies outside it — a deadline per step read from an injected clock,
results of background work that must be dropped when they arrive after the citizen has moved
on, and one failsafe for an exception anywhere (enter, handler, worker). Built around it, those
three would be more code than this engine; so the engine is plain Python with the same idea:
a flow declares its steps, each step renders one `View`, events move it on.

Threading: the runner is used from one thread (the UI thread in the app, the test thread in
tests). Background work goes through `FlowContext.submit`, whose callback must be delivered on
that same thread (the app does this through `kiosk.core.bus`).
"""
from __future__ import annotations

import itertools
import logging
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Mapping

from kiosk.i18n.translator import Msg, Text

log = logging.getLogger(__name__)

COMPLETED, CANCELLED, FAILED, TIMED_OUT = "completed", "cancelled", "failed", "timeout"


@dataclass(frozen=True)
class Option:
    id: str
    label: Text
    detail: Text | None = None
    enabled: bool = True
    reason: Text | None = None  # why it is disabled, shown next to it


@dataclass(frozen=True)
class View:
    """What the screen layer shows for a step. No personal data unless already masked."""

    kind: str  # instruction | choice | waiting | result | error | ticket | done
    title: Text
    body: Text | None = None
    options: tuple[Option, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)
    cancelable: bool = True
    illustration: str | None = None


@dataclass(frozen=True)
class Step:
    name: str
    timeout_s: float | None = None  # waiting steps: the longest the citizen waits here
    interactive: bool = True  # the idle warning applies to interactive steps only


@dataclass
class WorkResult:
    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


Submit = Callable[[Callable[[], Any], Callable[[WorkResult], None]], None]


def run_inline(fn: Callable[[], Any], done: Callable[[WorkResult], None]) -> None:
    """A `Submit` for tests and headless runs: do the work now, on this thread."""
    try:
        result = WorkResult(value=fn())
    except Exception as e:  # noqa: BLE001 - handed to the flow as a typed result
        result = WorkResult(error=e)
    done(result)


class FlowError(Exception):
    pass


class Flow:
    """Base class. Subclasses set `id`, `title`, `steps`, `initial` and write, per step,
    `enter_<step>(self) -> View` and optionally `on_<step>(self, event, data)`."""

    id: ClassVar[str]
    title: ClassVar[Msg]
    steps: ClassVar[tuple[Step, ...]]
    initial: ClassVar[str]
    needs: ClassVar[tuple[str, ...]] = ()  # device names, for availability on the start screen

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "id" in cls.__dict__:  # a concrete flow (mixins and bases declare no id)
            check_declaration(cls)

    @classmethod
    def step_names(cls) -> tuple[str, ...]:
        """The steps, known from the class alone: a class-level `steps` tuple, or `plan()` (service
        flows: (step, role) pairs that depend on nothing but the class)."""
        steps = cls.__dict__.get("steps") or getattr(cls, "steps", None)
        if isinstance(steps, tuple):
            return tuple(s.name for s in steps)
        plan = getattr(cls, "plan", None)
        if plan is None:
            raise FlowError(f"{cls.__name__}: declares neither `steps` nor `plan()`")
        return tuple(name for name, _role in plan(object.__new__(cls)))

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.runner: FlowRunner | None = None

    # helpers for subclasses
    def goto(self, step: str, **data: Any) -> None:
        assert self.runner is not None
        self.runner.goto(step, **data)

    def finish(self, outcome: str = COMPLETED) -> None:
        assert self.runner is not None
        self.runner.finish(outcome)

    def work(self, fn: Callable[[], Any], done: str = "done", failed: str = "failed") -> None:
        """Run `fn` in the background; its result comes back as event `done` (data `value`) or
        `failed` (data `error`) to the step that started it, and is dropped if the citizen has
        left that step by then."""
        assert self.runner is not None
        self.runner.work(fn, done, failed)

    # default behaviour, overridable
    def on_timeout(self, step: str) -> None:
        self.fail_view(Msg("error.timeout.title"), Msg("error.timeout.body"), reason="timeout")

    def on_cancel(self, step: str) -> bool:
        """Return False to refuse (e.g. while paper is moving)."""
        return True

    def fail_view(self, title: Text, body: Text, reason: str) -> None:
        assert self.runner is not None
        self.runner.failsafe(reason, title=title, body=body)


# Methods named like a step's handler but meaning something else.
NOT_STEPS = frozenset({"on_timeout", "on_cancel"})


def check_declaration(cls: type) -> None:
    """At class creation: every step has `enter_<step>`, the initial step exists, and every
    `on_<x>`/`enter_<x>`/`timeout_<x>` names a declared step, so a misspelled handler fails at
    import instead of leaving a citizen on a screen that ignores every tap."""
    names = set(cls.step_names())
    problems = []
    if getattr(cls, "initial", None) not in names:
        problems.append(f"initial step {getattr(cls, 'initial', None)!r} is not declared")
    for n in sorted(names):
        problems += [f"step {n!r} has no {p}{n}()" for p in ("enter_", "on_") if not callable(getattr(cls, f"{p}{n}", None))]
    # Handlers the class itself writes must name its steps (bases and mixins may offer handlers
    # for steps a flow does not use, like the service flows' shared error step).
    for attr in sorted(cls.__dict__):
        for prefix in ("on_", "enter_", "timeout_"):
            if attr.startswith(prefix) and attr not in NOT_STEPS and attr[len(prefix):] not in names:
                if callable(cls.__dict__[attr]):
                    problems.append(f"{attr}() names no declared step (steps: {', '.join(sorted(names))})")
    if problems:
        raise FlowError(f"{cls.__name__}: " + "; ".join(problems))


class FlowRunner:
    """Drives one flow instance: the current step, its deadline, its view, and the outcome."""

    FAILSAFE = "failsafe"
    FAILSAFE_TIMEOUT_S = 30.0

    def __init__(self, flow: Flow, clock: Any, on_view: Callable[[str, View], None] | None = None,
                 on_end: Callable[[str], None] | None = None, submit: Submit = run_inline) -> None:
        self.flow = flow
        flow.runner = self
        self.clock = clock
        self.on_view = on_view or (lambda step, view: None)
        self.on_end = on_end or (lambda outcome: None)
        self.submit = submit
        self._steps = {s.name: s for s in flow.steps}
        if flow.initial not in self._steps:
            raise FlowError(f"{flow.id}: initial step {flow.initial!r} not declared")
        self.step: str | None = None
        self.view: View | None = None
        self.deadline: float | None = None
        self.outcome: str | None = None
        self.reason: str | None = None
        self.history: list[str] = []
        self._visit = itertools.count()
        self._token = 0
        self._in_transition = False
        self._pending: list[tuple[str, dict[str, Any]]] = []

    # -- public API ---------------------------------------------------------------------
    @property
    def ended(self) -> bool:
        return self.outcome is not None

    @property
    def interactive(self) -> bool:
        return self.step is not None and self._step_spec().interactive and not self.ended

    def start(self) -> None:
        self._guard(lambda: self.goto(self.flow.initial))

    def send(self, event: str, **data: Any) -> None:
        """An event from the citizen (a tap) or from the world (a card, a result)."""
        if self.ended or self.step is None:
            log.debug("event %s after the flow ended: dropped", event)
            return
        if self.step == self.FAILSAFE:
            if event in ("ok", "cancel", "home"):
                self.finish(FAILED)
            return
        handler = getattr(self.flow, f"on_{self.step}", None)
        if handler is None:
            log.warning("%s: step %s has no handler for %s", self.flow.id, self.step, event)
            return
        self._guard(lambda: handler(event, data))

    def cancel(self) -> bool:
        if self.ended:
            return True
        if self.step == self.FAILSAFE:
            self.finish(FAILED)
            return True
        allowed = True
        if self.view is not None and not self.view.cancelable:
            allowed = False
        if allowed:
            self._guard(lambda: self._cancel())
        return allowed

    def _cancel(self) -> None:
        if self.flow.on_cancel(self.step or ""):
            self.finish(CANCELLED)

    def tick(self) -> None:
        """Called periodically with the clock: fires the step's timeout when its deadline passes."""
        if self.ended or self.deadline is None:
            return
        if self.clock.monotonic() >= self.deadline:
            step = self.step or ""
            self.deadline = None
            if step == self.FAILSAFE:
                self.finish(FAILED)
            else:
                log.info("%s: step %s timed out", self.flow.id, step)
                self._guard(lambda: self.flow.on_timeout(step))

    # -- used by Flow helpers --------------------------------------------------------------
    def goto(self, step: str, **data: Any) -> None:
        if self.ended:
            return
        if step not in self._steps:
            raise FlowError(f"{self.flow.id}: unknown step {step!r}")
        self.step = step
        self._token = next(self._visit)
        self.history.append(step)
        spec = self._steps[step]
        self.deadline = self.clock.monotonic() + spec.timeout_s if spec.timeout_s else None
        enter = getattr(self.flow, f"enter_{step}")
        token = self._token
        view = enter(**data)
        if token == self._token and not self.ended:  # enter did not move on by itself
            self.view = view
            self.on_view(step, view)

    def work(self, fn: Callable[[], Any], done: str, failed: str) -> None:
        token, step = self._token, self.step

        def deliver(result: WorkResult) -> None:
            if self.ended or token != self._token:
                log.info("%s: result for %s arrived after the citizen moved on: dropped", self.flow.id, step)
                return
            if result.ok:
                self.send(done, value=result.value)
            else:
                self.send(failed, error=result.error)

        self.submit(fn, deliver)

    def finish(self, outcome: str) -> None:
        if self.ended:
            return
        self.outcome = outcome
        self.deadline = None
        self._token = next(self._visit)  # late work results now find a stale token
        self.on_end(outcome)

    def failsafe(self, reason: str, title: Text | None = None, body: Text | None = None) -> None:
        """The one place every failure ends: says what happened, offers help, goes home."""
        if self.ended:
            return
        self.reason = reason
        self.step = self.FAILSAFE
        self.history.append(self.FAILSAFE)
        self._token = next(self._visit)
        self.deadline = self.clock.monotonic() + self.FAILSAFE_TIMEOUT_S
        self.view = View(
            kind="error",
            title=title or Msg("error.failsafe.title"),
            body=body or Msg("error.failsafe.body"),
            options=(Option("ok", Msg("action.back_to_start")),),
            data={"reason": reason},
        )
        self.on_view(self.FAILSAFE, self.view)

    # -- internals -----------------------------------------------------------------------
    def _step_spec(self) -> Step:
        if self.step == self.FAILSAFE:
            return Step(self.FAILSAFE, self.FAILSAFE_TIMEOUT_S, interactive=False)
        return self._steps[self.step or self.flow.initial]

    def _guard(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - any bug in a flow ends in the failsafe, never a hang
            if self.ended:
                # The flow had already finished: what failed is the host's end callback (session
                # wipe, journal), not the flow. The failsafe cannot help an ended flow, and
                # swallowing the error here once hid a full disk; the host's own guard handles it.
                raise
            # Where it failed, not what it said: an exception message may carry personal data.
            frames = traceback.extract_tb(e.__traceback__)[-3:]
            log.error("%s: failure in step %s: %s at %s", self.flow.id, self.step, type(e).__name__,
                      " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(frames)))
            self.failsafe(f"bug:{type(e).__name__}")
