"""The screen's state for the staff member's replica, built from the flow's View exactly as the
screen renders it: Msg texts through the translator in the citizen's language, options with their
enabled flag, the focused item. The View carries personal data only masked (flows/engine.py); its
values still go through the privacy masker here, so a flow that forgot cannot leak an ID number to
a remote person (masking masked text changes nothing)."""
from __future__ import annotations

from typing import Any

from kiosk.core.privacy import mask_text, mask_value

MAX_OPTIONS = 40


def screen_state(flow: str | None, step: str | None, view: Any, language: str, translator: Any,
                 focused: str | None = None) -> dict[str, Any]:
    """`view` is a flows.engine.View (duck-typed: this unit does not import flows)."""

    def text(t: Any) -> str:
        return mask_text(translator.text(t, language), scripts=False) if t is not None else ""

    options = [{"id": str(o.id), "label": text(o.label), "detail": text(o.detail), "enabled": bool(o.enabled),
                "reason": text(o.reason)} for o in tuple(getattr(view, "options", ()))[:MAX_OPTIONS]]
    data = {}
    for k, v in dict(getattr(view, "data", {}) or {}).items():
        if isinstance(v, (str, int, float)) and not isinstance(v, bool):
            data[str(k)] = mask_value(str(v), scripts=False)
        elif hasattr(v, "get") or type(v).__name__ in ("Msg", "Plain"):
            data[str(k)] = text(v)  # a Text: rendered as on screen
    return {"flow": flow or "", "step": step or "", "kind": getattr(view, "kind", ""), "language": language,
            "title": text(getattr(view, "title", None)), "body": text(getattr(view, "body", None)),
            "options": options, "focused": focused, "data": data}
