"""The base of the 24-hour catalog flows: steps declared with a role, which sets their timeout
(from `ctx.config.timeouts`) and what their timeout means; one error step for failed platform
calls, with a retry that goes back to the step that failed.

Roles:
  input     the citizen is to do something (tap, card, code, entry): timeout `result_s`, and
            when it passes the citizen has walked away: the flow ends "timeout".
  face      the camera is looking for a face: timeout `idle_s`, then "face not found".
  platform  waiting for the platform: timeout `platform_s`, then the error step with a retry.
  print     paper is moving: timeout `print_s`, then the printed step says it failed; cannot
            be cancelled.
  result    the outcome is on screen: timeout `result_s`, then the flow ends "completed".
A flow may override a step's timeout with a `timeout_<step>` method.
"""
from __future__ import annotations

import logging
from typing import Any, Sequence

from flows.common import platform_error_texts
from flows.engine import COMPLETED, FAILED, TIMED_OUT, Flow, Option, Step, View
from kiosk.platform.api import PlatformRejected, PlatformTimeout
from kiosk.i18n.translator import Msg, Text

log = logging.getLogger(__name__)

INPUT, FACE, PLATFORM, PRINT, RESULT = "input", "face", "platform", "print", "result"
ROLES = (INPUT, FACE, PLATFORM, PRINT, RESULT)


# Refusals worth asking again: the face verification expired (retry goes back to the face step).
RETRYABLE_REFUSALS = ("verification_required",)


class ServiceFlow(Flow):
    # Platform steps that cannot simply be entered again (their input is gone: a scanned token,
    # a photo) and the step to go back to instead.
    retry_to: dict[str, str] = {}

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.roles: dict[str, str] = {}
        # A service flow offers the evaluation of itself, and counts as done only once its own
        # step says the service was delivered (Evaluate reads both).
        self.evaluated: str | None = self.id
        self.service_done = False
        self.steps = tuple(self._declare(name, role) for name, role in self.plan())
        self._retry_step: str | None = None

    def plan(self) -> Sequence[tuple[str, str]]:
        """(step, role) pairs, in the order a citizen meets them."""
        raise NotImplementedError

    def _declare(self, name: str, role: str) -> Step:
        if role not in ROLES:
            raise ValueError(f"{self.id}: step {name}: unknown role {role!r}")
        to = self.ctx.config.timeouts
        timeout = {INPUT: to.result_s, FACE: to.idle_s, PLATFORM: to.platform_s, PRINT: to.print_s,
                   RESULT: to.result_s}[role]
        self.roles[name] = role
        # The idle warning ("are you still there?") is for steps where the citizen is to act.
        return Step(name, timeout, interactive=role in (INPUT, RESULT))

    # -- timeouts ----------------------------------------------------------------------------
    def on_timeout(self, step: str) -> None:
        custom = getattr(self, f"timeout_{step}", None)
        if custom is not None:
            custom()
            return
        role = self.roles.get(step)
        if role == INPUT:
            log.info("%s: nobody answered at %s", self.id, step)
            self.finish(TIMED_OUT)
        elif role == RESULT:
            self.finish(COMPLETED)
        elif role == PLATFORM:
            self.platform_failed(PlatformTimeout(f"step {step}: no answer in time"), step)
        else:
            super().on_timeout(step)

    # -- platform failures -------------------------------------------------------------------
    def platform_failed(self, error: BaseException, step: str | None = None) -> None:
        """Say what failed and what to do; offer a retry of the step that failed."""
        failed = step or (self.runner.step if self.runner else None) or ""
        self._retry_step = self.retry_to.get(failed, failed) or None
        if isinstance(error, PlatformRejected) and error.code not in RETRYABLE_REFUSALS:
            self._retry_step = None  # a definite answer ("not found"): asking again gives the same
        title, body, reason = platform_error_texts(error, self.ctx.config.terminal.staffed_hours)
        log.info("%s: platform call at %s failed: %s", self.id, failed, reason)
        self.goto("error", title=title, body=body, reason=reason)

    def enter_error(self, title: Text, body: Text, reason: str) -> View:
        options = [Option("home", Msg("action.back_to_start"))]
        if self._retry_step is not None:
            options.insert(0, Option("retry", Msg("action.retry")))
        return View("error", title, body, options=tuple(options), data={"reason": reason})

    def on_error(self, event: str, data: dict[str, Any]) -> None:
        if event != "choose":
            return
        if data.get("option") == "retry" and self._retry_step is not None:
            self.goto(self._retry_step)
        elif data.get("option") in ("home", "ok", "done"):
            self.finish(FAILED)

    def timeout_error(self) -> None:
        self.finish(FAILED)
