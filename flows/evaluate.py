"""Evaluation (the national good/bad rating of public services): five levels, then reasons (several allowed), then an optional comment.
Offered at the end of every flow and run on its own by the `evaluation` flow.

Stored in the journal and queued in the outbox (kiosk/platform/outbox.py delivers it when the platform
is reachable; the idempotency key makes a resend harmless). The payload names the terminal, the
service and what the citizen chose: never who they are. A comment is free text, so numbers of six
digits or more and the citizen's own name (when a card was read) are removed before it is stored
(kiosk.core.privacy.scrub_comment).
"""
from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from typing import Any

from flows.base import INPUT
from flows.common import refresh_view
from flows.engine import COMPLETED, TIMED_OUT, Option, View
from kiosk.core.privacy import MAX_COMMENT, scrub_comment
from kiosk.i18n.translator import Msg, Text

log = logging.getLogger(__name__)

LEVELS = ("5", "4", "3", "2", "1")  # very satisfied .. very dissatisfied, best first as on paper forms
GOOD_REASONS = ("fast", "easy", "clear_guidance", "my_language", "receipt_ok")
BAD_REASONS = ("slow", "hard_to_use", "unclear", "no_language", "device_fault", "wrong_info", "not_solved")
REASONS_REQUIRED_BELOW = 3  # a bad evaluation (1-2) names at least one reason, as the national rules ask
# The comment step (issue 15 #7 switched it off while the only keypad had digits): on since the
# on-screen keyboard (screens/keyboard.py, view kind "text") writes any script (issue 17). `submit`
# leads to it; "skip" stores the evaluation without a comment. False stores at `submit`.
COMMENT_STEP = True


class Evaluate:
    """Mixin for a flow. `evaluation_done()` finishes: completed when the service before it was
    done (the evaluation is optional), or for the standalone flow once it is stored."""

    ctx: Any
    evaluated: str | None = None  # the flow being evaluated (None: standalone)
    subject: Text | None = None
    level: int | None = None
    reasons: tuple[str, ...] = ()
    service_done: bool = True
    _eval_key: str | None = None

    def evaluate_plan(self) -> Sequence[tuple[str, str]]:
        return (("evaluate", INPUT), ("evaluate_reasons", INPUT), ("evaluate_comment", INPUT))

    def evaluate_option(self) -> Option:
        return Option("evaluate", Msg("action.evaluate"))

    def final_options(self, *extra: Option) -> tuple[Option, ...]:
        """The options of a flow's last screen: what it adds, then evaluate, then done."""
        return (*extra, self.evaluate_option(), Option("done", Msg("action.done")))

    def handle_final(self, event: str, data: dict[str, Any]) -> bool:
        """Handles "evaluate" and "done" on a last screen; False when it was something else."""
        option = data.get("option", "done") if event in ("choose", "done") else None
        if option == "evaluate":
            self.goto("evaluate")
            return True
        if option == "done":
            self.finish(COMPLETED)
            return True
        return False

    def _subject(self) -> Text:
        return self.subject if self.subject is not None else self.title

    # level -----------------------------------------------------------------------------------
    def enter_evaluate(self) -> View:
        options = tuple(Option(level, Msg(f"evaluation.level.{level}")) for level in LEVELS)
        return View("evaluation", Msg("evaluation.level.title"), Msg("evaluation.level.body"), options=options,
                    data={"stage": "level", "subject": self._subject()})

    def on_evaluate(self, event: str, data: dict[str, Any]) -> None:
        if event == "choose" and data.get("option") in LEVELS:
            self.level = int(data["option"])
            self.reasons = ()
            self.goto("evaluate_reasons")

    # reasons ---------------------------------------------------------------------------------
    def reason_ids(self) -> tuple[str, ...]:
        return GOOD_REASONS if (self.level or 0) >= 4 else BAD_REASONS

    def reasons_view(self) -> View:
        required = (self.level or 0) < REASONS_REQUIRED_BELOW
        options = [Option(r, Msg(f"evaluation.reason.{r}")) for r in self.reason_ids()]
        blocked = required and not self.reasons
        options.append(Option("submit", Msg("action.submit"), enabled=not blocked,
                              reason=Msg("evaluation.reasons.required") if blocked else None))
        return View("evaluation", Msg("evaluation.reasons.title"), Msg("evaluation.reasons.body"),
                    options=tuple(options), data={"stage": "reasons", "multi": True, "selected": self.reasons,
                                                  "required": required, "subject": self._subject()})

    def enter_evaluate_reasons(self) -> View:
        return self.reasons_view()

    def on_evaluate_reasons(self, event: str, data: dict[str, Any]) -> None:
        option = data.get("option")
        if event == "toggle" and option in self.reason_ids():
            chosen = set(self.reasons) ^ {option}
            self.reasons = tuple(r for r in self.reason_ids() if r in chosen)
            refresh_view(self, self.reasons_view(), touch=True)
        elif event == "choose" and option == "submit":
            if (self.level or 0) < REASONS_REQUIRED_BELOW and not self.reasons:
                return  # the option is disabled; a stray tap changes nothing
            if COMMENT_STEP:
                self.goto("evaluate_comment")
            else:
                self._store_evaluation("")
        elif event == "choose" and option in self.reason_ids():
            # A screen without multi-select support sends taps as "choose": treat as a toggle.
            self.on_evaluate_reasons("toggle", data)

    # comment ---------------------------------------------------------------------------------
    def enter_evaluate_comment(self) -> View:
        # The keyboard (kind "text", any mode; the language's first) sends "comment" {text}; an
        # empty OK is the same as "skip". Scrubbed of numbers and names when stored.
        return View("text", Msg("evaluation.comment.title"), Msg("evaluation.comment.body"),
                    options=(Option("skip", Msg("action.skip")),),
                    data={"event": "comment", "max_len": MAX_COMMENT, "text": "", "optional": True})

    def on_evaluate_comment(self, event: str, data: dict[str, Any]) -> None:
        if event in ("comment", "keypad"):
            self._store_evaluation(str(data.get("text", "")))
        elif event == "choose" and data.get("option") in ("skip", "submit"):
            self._store_evaluation("")

    # storing ---------------------------------------------------------------------------------
    def _store_evaluation(self, comment: str) -> None:
        ctx = self.ctx
        assert self.level is not None
        comment = scrub_comment(comment, (ctx.session.personal("name"), ctx.session.personal("name_en")))
        flow = self.evaluated
        ctx.journal.evaluation(ctx.session.id, flow, self.level, list(self.reasons), comment)
        # One key per evaluation, made once: a resend after an outage or a crash is stored once.
        if self._eval_key is None:
            self._eval_key = f"eval-{ctx.config.terminal.id}-{ctx.session.id}-{secrets.token_hex(4)}"
        payload = {
            "terminal": ctx.config.terminal.id, "hall": ctx.config.terminal.hall, "flow": flow,
            "subject": getattr(self, "subject_id", None), "level": self.level, "reasons": list(self.reasons),
            "comment": comment, "language": ctx.lang, "session": ctx.session.id,
            "at": ctx.clock.now().isoformat(timespec="seconds"),
        }
        ctx.journal.outbox_put("evaluation", payload, idempotency_key=self._eval_key)
        log.info("%s: evaluation stored (level %d)", self.id, self.level)
        self.evaluation_done()

    def evaluation_done(self) -> None:
        self.finish(COMPLETED)

    def _evaluation_timed_out(self) -> None:
        # After a completed service the evaluation was optional: walking away is not a failure.
        self.finish(COMPLETED if self.service_done else TIMED_OUT)

    def timeout_evaluate(self) -> None:
        self._evaluation_timed_out()

    def timeout_evaluate_reasons(self) -> None:
        self._evaluation_timed_out()

    def timeout_evaluate_comment(self) -> None:
        self._evaluation_timed_out()
