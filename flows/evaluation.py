"""Evaluation on its own (the good/bad rating of public services): what to evaluate, then the same levels, reasons and optional
comment every flow offers at its end (flows/evaluate.py)."""
from __future__ import annotations

from typing import Any, Sequence

from flows.base import INPUT, ServiceFlow
from flows.engine import Option, View
from flows.evaluate import Evaluate
from kiosk.i18n.translator import Msg

SUBJECTS = ("self_service", "counter", "hall")


class EvaluationFlow(Evaluate, ServiceFlow):
    id = "evaluation"
    title = Msg("flow.evaluation.title")
    needs = ()
    initial = "subject"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.evaluated = None
        self.service_done = False  # nothing is done until the evaluation is stored
        self.subject_id: str | None = None

    def plan(self) -> Sequence[tuple[str, str]]:
        return (("subject", INPUT), *self.evaluate_plan())

    def enter_subject(self) -> View:
        options = tuple(Option(s, Msg(f"evaluation.subject.{s}")) for s in SUBJECTS)
        return View("choice", Msg("evaluation.subject.title"), Msg("evaluation.subject.body"), options=options)

    def on_subject(self, event: str, data: dict[str, Any]) -> None:
        if event == "choose" and data.get("option") in SUBJECTS:
            self.subject_id = data["option"]
            self.subject = Msg(f"evaluation.subject.{self.subject_id}")
            self.goto("evaluate")
