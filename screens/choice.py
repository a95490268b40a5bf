"""A step that asks the citizen to pick one option, or several (evaluation reasons)."""
from __future__ import annotations

from typing import Any

from screens.base import KioskScreen, load_kv

SEND = "submit"  # the option that sends a multi-select choice (flows/ports.py)


def list_options(view: Any) -> tuple:
    """What scrolls with the content: every option but a multi-select's send button."""
    if view is None:
        return ()
    if not view.data.get("multi"):
        return tuple(view.options)
    return tuple(o for o in view.options if o.id != SEND)


def list_state(view: Any) -> dict[str, Any]:
    """The option list's whole state for a view (OptionList.state: built once per view)."""
    if view is None:
        return {}
    return {"options": list_options(view), "multi": bool(view.data.get("multi")),
            "selected": tuple(view.data.get("selected", ()))}


def pinned_options(view: Any) -> tuple:
    """A multi-select's send button stays on screen below the list, whatever the list's length:
    in Tibetan large text the reasons fill the window and the send button had scrolled out of sight while
    the body told the citizen to tap it (issue 15)."""
    if view is None or not view.data.get("multi"):
        return ()
    return tuple(o for o in view.options if o.id == SEND)


class ChoiceScreen(KioskScreen):
    def on_kv_post(self, *_: Any) -> None:
        self.ids.options.on_choose = self._chosen
        self.ids.send.on_choose = self._chosen

    def _chosen(self, option_id: str) -> None:
        # Multi-select (evaluation reasons): taps toggle, "submit" sends the choice.
        if self.view is not None and self.view.data.get("multi") and option_id != SEND:
            self.emit("event", event="toggle", option=option_id)
        else:
            self.emit("option", option=option_id)


load_kv(__file__)
