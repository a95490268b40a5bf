"""Video help in the app (issue 18): the top bar's button, the call screen's taps, the flow's views
fed to the staff member's replica, the staff member's pointing shown on the citizen's screen, and
the idle rule. A mixin of the Controller (kiosk/terminal/controller.py); the call itself is
kiosk/videohelp (session.VideoHelp over client.VideoHelpClient).

How the citizen's flow and the call live together: the call never owns the flow. Tapping video
help opens the call screen over the step the citizen was at; the flow's runner keeps running
(its ticks, its timeouts, a reply from the platform). A new view of the flow (the citizen went
back to it, or the staff member opened a service with their agreement) is shown as always, and
the bar's video help button then says the call goes on (red, "in a call, camera on": the camera
indicator on every screen) and leads back to it. When the call ends the citizen is returned to
the step they were at (`_back`), after rating the staff member or at once."""
from __future__ import annotations

import logging
from typing import Any, Callable

from flows.registry import FLOWS
from kiosk.core.events import WorkDone

log = logging.getLogger(__name__)

ENDED_SCREEN_S = 20.0  # the end-of-call screen goes back to the step by itself after this long
QUIET_ENDS = frozenset({"left_queue", "idle"})  # ends that need no screen of their own


def client_options(cfg: Any) -> dict[str, Any]:
    """[videohelp] -> the help desk client's keyword arguments (kiosk/videohelp/client.py)."""
    options: dict[str, Any] = {"token": cfg.token} if cfg.token else {}
    if cfg.ice_servers:
        options["ice_servers"] = tuple(s.as_dict() for s in cfg.ice_servers)
    if (cfg.camera, cfg.microphone, cfg.speaker) != ("synthetic", "tone", ""):
        from kiosk.videohelp.hardware import CallMedia

        options["media"] = CallMedia(cfg.camera, cfg.microphone, cfg.speaker)
    return options


class VideoDesk:
    videohelp: Any = None
    helpdesk_url: str = ""  # where the embedded desk listens (kiosk/terminal/window.py), demo only
    _videohelp_back_at: float | None = None
    # What the replica shows now: (flow, step, view), kept so a move of speech mode's focus can be
    # sent without a new view. The view holds masked data only and is replaced at the wipe (go_start).
    _videohelp_now: tuple[Any, Any, Any] = (None, "start", None)
    _videohelp_focused: str | None = None

    def setup_videohelp(self, embedded_url: str = "", make_client: Callable[..., Any] | None = None) -> None:
        """From [videohelp]: no url, no button. `embedded://` is the demo's desk on loopback."""
        from kiosk.videohelp.session import VideoHelp

        cfg = self.cfg.videohelp
        self.root.videohelp_on = bool(cfg.url)
        if not cfg.url:
            return
        self.helpdesk_url = embedded_url if cfg.url == "embedded://" else cfg.url
        self.videohelp = VideoHelp(
            self.helpdesk_url or "http://127.0.0.1:9", hall=self.cfg.terminal.hall, terminal=self.cfg.terminal.id,
            translator=self.s.translator, journal=self.s.journal, deliver=self._videohelp_deliver,
            on_change=self._videohelp_changed, make_client=make_client,
            client_options=client_options(cfg))

    def _videohelp_deliver(self, fn: Callable[[], None]) -> None:
        """The client's reports, from its thread to the UI thread, through the bus like work results."""
        self.bus.post(WorkDone(lambda _result: fn(), None))

    # -- the citizen's taps --------------------------------------------------------------------
    def _intent_videohelp(self) -> None:
        """The bar's button: join the queue, or go back to the call already under way."""
        vh = self.videohelp
        if vh is None:
            return
        if self.root.current not in ("language", "help", "video_help"):
            self._return_to = self.root.current
        screen = self.root.screens["video_help"]
        screen.frames = vh.frames
        if not vh.active:
            vh.dismiss()
            vh.request_help(self.ui.lang, self._videohelp_devices())
        screen.show_panel(vh.panel)
        self.root.show_screen("video_help")

    def _intent_videohelp_leave(self) -> None:
        self.videohelp.hang_up()

    def _intent_videohelp_hangup(self) -> None:
        self.videohelp.hang_up()

    def _intent_videohelp_again(self) -> None:
        self.videohelp.dismiss()
        self.videohelp.request_help(self.ui.lang, self._videohelp_devices())

    def _intent_videohelp_back(self) -> None:
        self._videohelp_return()

    def _intent_videohelp_step(self) -> None:
        """The citizen's step, while the call (or the wait) goes on; the bar's button leads back."""
        self._back()

    def _intent_videohelp_rate(self, level: int) -> None:
        self.videohelp.evaluate(level)
        self._videohelp_return()

    def _intent_videohelp_agree(self) -> None:
        self._videohelp_answer(True)

    def _intent_videohelp_decline(self) -> None:
        self._videohelp_answer(False)

    def _videohelp_answer(self, yes: bool) -> None:
        """The staff member acts for the citizen only with this tap; the call goes on meanwhile."""
        req = self.videohelp.agree(yes)
        if req is None:
            return
        arg = req.get("arg", "")
        if req["action"] == "start":
            if self.runner is not None:
                self.runner.cancel()  # the step they were at ends; the service asked for begins
            self._intent_start_service(f"flow:{arg}" if arg in FLOWS else arg)
        elif req["action"] == "goto" and self.runner is not None and self.runner.view is not None:
            # "Move to a step" = choose that option of the current step for them.
            if any(o.id == arg and o.enabled for o in self.runner.view.options):
                self.runner.send("choose", option=arg)
            else:
                self._back()

    def _videohelp_return(self) -> None:
        self._videohelp_back_at = None
        if self.videohelp is not None and not self.videohelp.active:
            self.videohelp.dismiss()
        if self.root.current == "video_help":
            self._back()

    # -- the call's reports (UI thread) ----------------------------------------------------------
    def _videohelp_changed(self, panel: Any) -> None:
        self.root.call_phase = panel.phase
        if panel.phase in ("off", "queue"):
            self.root.marked = ""
        elif panel.highlight != self.root.marked and panel.phase != "ended":
            self.root.marked = panel.highlight or ""
        if "video_help" in self.root.screens.keys():
            self.root.screens["video_help"].show_panel(panel)
        if panel.phase == "ended":
            self.root.marked = ""
            if panel.reason in QUIET_ENDS:
                self._videohelp_return()
                return
            self._videohelp_back_at = self.clock.monotonic() + ENDED_SCREEN_S
        if (panel.phase == "ended" or panel.request_id) and self.root.current != "video_help":
            # The citizen is at their step: the end of the call, or a request that waits for
            # their tap, is said on the call screen; its buttons bring them back.
            if self.root.current not in ("language", "help"):
                self._return_to = self.root.current
            self.root.screens["video_help"].show_panel(panel)
            self.root.show_screen("video_help")

    def _videohelp_tick(self, now: float) -> None:
        if self._videohelp_back_at is not None and now >= self._videohelp_back_at:
            self._videohelp_return()
        if self.videohelp is not None and self.root.marked:
            self.root.place_mark()

    # -- the flow, fed to the replica -------------------------------------------------------------
    def _videohelp_view(self, step: str, view: Any) -> None:
        self.root.marked = ""  # a mark belongs to the step it was made on
        self._videohelp_now, self._videohelp_focused = (self.session.flow_id, step, view), None
        if self.videohelp is not None:
            self.videohelp.on_view(self.session.flow_id, step, view, self.ui.lang)

    def go_start(self, reset: bool = False) -> None:
        if reset:
            # A wipe ends the call, whoever asked for it: the next person must not inherit the
            # last one's call, nor find its end screen ("call ended, rate the staff") popping up
            # over their start screen when the desk's late report arrives (a UI test's stray
            # call from the explorer did exactly that to the next test's keyboard).
            self.videohelp_expire()
        super().go_start(reset)  # type: ignore[misc]
        self.root.marked = ""
        self._videohelp_now, self._videohelp_focused = (None, "start", None), None
        if self.videohelp is not None:
            self.videohelp.on_view(None, "start", None, self.ui.lang)

    def videohelp_focus(self, option_id: str | None) -> None:
        """Speech mode's focus moved (kiosk/terminal/keypad_nav.py): the staff member's replica
        frames the same option, so they can say "press 8 twice, then Enter"."""
        option_id = option_id or None
        if self.videohelp is not None and option_id != self._videohelp_focused:  # the ring is re-placed often
            self._videohelp_focused = option_id
            flow, step, view = self._videohelp_now
            self.videohelp.on_view(flow, step, view, self.ui.lang, focused=option_id)

    def _videohelp_devices(self) -> dict[str, str]:
        try:
            return {name: st.state for name, st in self.s.hub.statuses().items()}
        except Exception:  # noqa: BLE001 - the replica's device list is a nicety, never a reason to fail
            log.debug("device statuses for video help", exc_info=True)
            return {}

    def videohelp_expire(self) -> None:
        """Idle expiry (the citizen walked away): the call ends by itself before the wipe."""
        self._videohelp_back_at = None
        if self.videohelp is not None:
            self.videohelp.idle("expired")
            self.videohelp.dismiss()
            self.root.call_phase = "off"

    def videohelp_stop(self, timeout: float = 3.0) -> None:
        """The app stops: hang up properly (the staff member hears so), bounded."""
        vh = self.videohelp
        if vh is not None and vh.client is not None:
            client, vh.client = vh.client, None
            try:
                client.close(timeout)
            except Exception:  # noqa: BLE001 - stopping goes on
                log.debug("video help close", exc_info=True)
