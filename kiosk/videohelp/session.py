"""What the app holds for video help: one call at a time, the screen's state fed from the flow's
views, and a `Panel` (plain data, texts as Msg) that the call screen draws. No Kivy here, so the
whole behaviour is tested headless; the app passes `deliver` (post to the UI thread) and
`on_change` (redraw the call screen)."""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from kiosk.i18n.translator import Msg
from kiosk.videohelp.state import screen_state

OFF, QUEUE, CONNECTING, CALL, ENDED = "off", "queue", "connecting", "call", "ended"
# A rating is asked only after a call that was talked to its end; a broken line (network, the staff
# member's browser gone) offers to queue again instead: rating a person for a cable is unfair.
RATED_ENDS = frozenset({"citizen_hangup", "staff_hangup"})
RETRY_ENDS = frozenset({"network", "staff_left", "kiosk_lost", "closed"})


@dataclass(frozen=True)
class Panel:
    phase: str = OFF
    status: Msg | None = None
    staff: str | None = None
    camera_on: bool = False           # the indicator: on whenever the camera's picture leaves the kiosk
    request_id: str | None = None     # a staff request waiting for the citizen's tap
    request: Msg | None = None
    highlight: str | None = None      # the option the staff member points at
    can_evaluate: bool = False
    can_retry: bool = False           # after a broken call: offer to queue again
    reason: str | None = None         # why it ended (ENDED only)


@dataclass
class VideoHelp:
    url: str
    hall: str
    terminal: str
    translator: Any
    journal: Any = None
    deliver: Callable[[Callable[[], None]], None] | None = None
    on_change: Callable[[Panel], None] = lambda panel: None
    make_client: Callable[..., Any] | None = None
    client_options: dict[str, Any] = field(default_factory=dict)
    # How a dropped client is closed: on a thread (the app); tests pass `lambda fn: fn()`.
    run_aside: Callable[[Callable[[], None]], None] = lambda fn: threading.Thread(
        target=fn, name="videohelp-close", daemon=True).start()

    def __post_init__(self) -> None:
        self.panel = Panel()
        self.client: Any = None
        self.language = "zh_CN"
        self._screen: dict[str, Any] = {}
        self._generation = 0

    # -- the citizen ---------------------------------------------------------------------------
    def request_help(self, language: str, device: dict[str, str] | None = None) -> None:
        if self.client is not None and self.panel.phase in (QUEUE, CONNECTING, CALL):
            return
        self.close_client()
        self.language = language
        make = self.make_client
        if make is None:
            from kiosk.videohelp.client import VideoHelpClient as make
        self._generation += 1
        self.client = make(self.url, hall=self.hall, terminal=self.terminal, language=language,
                           listener=_Current(self, self._generation),
                           deliver=self.deliver, journal=self.journal, **self.client_options)
        self._set(Panel(phase=QUEUE, status=Msg("videohelp.connecting")))
        self.client.start(device=device or {})
        if self._screen:
            self.client.update_screen(self._screen)

    def hang_up(self) -> None:
        if self.client is not None:
            self.client.hang_up()

    def agree(self, yes: bool) -> dict[str, Any] | None:
        """The citizen's tap; returns {"action": "start"|"goto", "arg": ...} for the app to carry out."""
        rid = self.panel.request_id
        self._set(replace(self.panel, request_id=None, request=None))
        return self.client.agree(rid, yes) if self.client is not None and rid else None

    def idle(self, idle_state: str) -> None:
        if self.client is not None:
            self.client.idle(idle_state)

    def evaluate(self, level: int) -> str | None:
        key = self.client.evaluate(level) if self.client is not None and self.panel.can_evaluate else None
        self._set(replace(self.panel, can_evaluate=False))
        return key

    def frames(self) -> dict[str, Any]:
        """The call screen's pictures: {"remote": rgb, "self": rgb}, each when there is one."""
        if self.client is None or self.panel.phase not in (CONNECTING, CALL):
            return {}
        return self.client.frames()

    # -- the flow ------------------------------------------------------------------------------
    def on_view(self, flow: str | None, step: str | None, view: Any, language: str, focused: str | None = None) -> None:
        self._screen = screen_state(flow, step, view, language, self.translator, focused)
        if self.client is not None and self.panel.phase in (QUEUE, CONNECTING, CALL):
            self.client.update_screen(self._screen)

    # -- the client's events (delivered on the UI thread) --------------------------------------
    def on_queue(self, place: int, wait_s: float) -> None:
        self._set(replace(self.panel, phase=QUEUE, status=Msg("videohelp.queue.place", ahead=max(0, place - 1),
                                                               minutes=max(1, math.ceil(wait_s / 60)))))

    def on_reconnecting(self) -> None:
        self._set(replace(self.panel, status=Msg("videohelp.connecting")))

    def on_accepted(self, staff: str) -> None:
        self._set(replace(self.panel, phase=CONNECTING, staff=staff, camera_on=True, status=Msg("videohelp.connecting")))

    def on_connected(self, staff: str) -> None:
        self._set(replace(self.panel, phase=CALL, staff=staff, camera_on=True, status=None))  # the indicator says it

    def on_highlight(self, item: str) -> None:
        self._set(replace(self.panel, highlight=item))

    def on_request(self, request_id: str, action: str, arg: str) -> None:
        msg = Msg("videohelp.request.start", service=arg) if action == "start" else Msg("videohelp.request.goto")
        self._set(replace(self.panel, request_id=request_id, request=msg))

    def on_ended(self, reason: str) -> None:
        was_call = self.panel.phase in (CONNECTING, CALL)
        retry = reason in RETRY_ENDS
        status = (Msg("videohelp.staff_lost") if reason == "staff_left" else Msg("videohelp.network_lost") if retry
                  else Msg("videohelp.ended"))
        self._set(Panel(phase=ENDED, status=status, staff=self.panel.staff, reason=reason,
                        can_evaluate=was_call and reason in RATED_ENDS, can_retry=retry))

    # -- housekeeping --------------------------------------------------------------------------
    def dismiss(self) -> None:
        """Back to the flow after the end screen (or the session was wiped)."""
        self.close_client()
        self._set(Panel())

    def close_client(self) -> None:
        """Drop the client at once; its hang-up and teardown finish on a thread (closing a peer
        connection can take a moment, and the UI thread never waits). Whatever it still reports
        is dropped (_Current)."""
        if self.client is not None:
            client, self.client = self.client, None
            self._generation += 1
            self.run_aside(client.close)

    @property
    def active(self) -> bool:
        return self.client is not None and self.panel.phase in (QUEUE, CONNECTING, CALL)

    def _set(self, panel: Panel) -> None:
        self.panel = panel
        self.on_change(panel)


class _Current:
    """The listener a client is given: passes its events on only while it is still the session's
    client, so a late report from a call already dismissed (its teardown runs on a thread) never
    brings back a screen the citizen has left."""

    def __init__(self, session: VideoHelp, generation: int) -> None:
        self._session, self._generation = session, generation

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("on_"):
            raise AttributeError(name)
        handler = getattr(self._session, name)

        def call(*args: Any) -> None:
            if self._session._generation == self._generation:
                handler(*args)
        return call
