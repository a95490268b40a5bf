"""A help desk client that records what the kiosk asked of it (no network): the fake behind the
video help session's tests, headless (tests/videohelp/test_session.py) and in the window
(tests/ui/test_video_help_button.py). `made` lists the clients made, per subclass."""
from __future__ import annotations

from typing import Any


class FakeHelpDeskClient:
    made: list["FakeHelpDeskClient"] = []

    def __init__(self, url: str, **kw: Any) -> None:
        self.kw, self.listener = kw, kw.get("listener")
        self.screens: list[Any] = []
        self.calls: list[Any] = []
        self.requests: dict[str, Any] = {}
        type(self).made.append(self)

    def start(self, device: Any) -> None:
        self.calls.append(("start", device))

    def update_screen(self, state: Any) -> None:
        self.screens.append(state)

    def frames(self) -> dict:
        return {}

    def agree(self, rid: str, yes: bool) -> Any:
        req = self.requests.pop(rid, None)
        return req if yes else None

    def hang_up(self) -> None:
        self.calls.append("hang_up")

    def idle(self, state: Any) -> None:
        self.calls.append(("idle", state))

    def evaluate(self, level: int) -> str:
        self.calls.append(("evaluate", level))
        return "key"

    def close(self, timeout: float = 10.0) -> None:
        self.calls.append("close")
