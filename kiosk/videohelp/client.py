"""The kiosk's video help client: joins the help desk's queue over a WebSocket, and when a staff
member accepts, offers a WebRTC call (aiortc) with the camera, the microphone and a data channel
("screen") that carries the screen's state out and the staff member's pointing back in.

Threading: the client runs its own asyncio loop on a thread; its public methods may be called from
any thread (the UI thread in the app). Listener callbacks go through `deliver` (the app passes the
bus's post-to-UI-thread; tests run them inline).

Kept of a call on the kiosk: one journal incident with its time, duration, outcome and staff id,
nothing else; no recording. The evaluation goes out through the outbox like every evaluation.
"""
from __future__ import annotations

import asyncio
import json
import logging
import secrets
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from kiosk.videohelp.media import SyntheticCamera, ToneTrack, count_frames

log = logging.getLogger(__name__)
IDLE, QUEUED, CONNECTING, IN_CALL, ENDED = "idle", "queued", "connecting", "in_call", "ended"
REQUEST_ACTIONS = ("start", "goto")


class VideoHelpClient:
    def __init__(self, url: str, *, hall: str, terminal: str, language: str, listener: Any = None,
                 deliver: Callable[[Callable[[], None]], None] | None = None, journal: Any = None,
                 wall: Callable[[], float] = time.time, token: str | None = None,
                 ice_servers: tuple[dict[str, Any], ...] = (), camera: Any = None, microphone: Any = None,
                 media: Any = None,
                 connect_timeout_s: float = 10.0,
                 reconnect_delays_s: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 15.0)) -> None:
        self.ws_url = url.replace("http://", "ws://").replace("https://", "wss://").rstrip("/") + "/ws/kiosk"
        self.hall, self.terminal, self.language = hall, terminal, language
        self.listener, self.journal, self.wall, self.token = listener, journal, wall, token
        self.deliver = deliver or (lambda fn: fn())
        self.ice_servers, self.connect_timeout_s = ice_servers, connect_timeout_s
        self.reconnect_delays_s = reconnect_delays_s
        # media (kiosk/videohelp/hardware.CallMedia): the terminal's devices, opened when the
        # call starts; camera/microphone: tracks given as they are (tests, the bench)
        self.media = media
        self.camera, self.microphone = camera, microphone
        self.speaker: Any = None
        self.state, self.staff, self.call_id, self.outcome = IDLE, None, None, None
        self.place, self.wait_s = 0, 0.0
        self.counts: dict[str, int] = {}
        self.latest: dict[str, Any] = {}      # the newest decoded staff frame, for the call screen
        self.times: dict[str, float] = {}     # monotonic: accepted, connected, first_frame
        self.screen: dict[str, Any] = {}
        self.device: dict[str, str] = {}
        self.highlight: str | None = None
        self.requests: dict[str, dict[str, Any]] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="videohelp", daemon=True)
        self._ws: Any = None
        self._pc: RTCPeerConnection | None = None
        self._dc: Any = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._started_wall: float | None = None
        self._pending: list[Any] = []
        self._converted: tuple[Any, Any] = (None, None)

    # -- public API (any thread) ---------------------------------------------------------------
    def start(self, device: dict[str, str] | None = None) -> "VideoHelpClient":
        self.device = dict(device or {})
        self._thread.start()
        self._submit(self._run())
        return self

    def update_screen(self, state: dict[str, Any]) -> None:
        self.screen = state
        self._soon(self._dc_send, {"t": "screen", "state": state})

    def update_device(self, status: dict[str, str]) -> None:
        self.device = dict(status)
        self._soon(self._dc_send, {"t": "device", "status": self.device})

    def agree(self, request_id: str, yes: bool) -> dict[str, Any] | None:
        """The citizen's tap on a staff request. Returns the request to carry out when agreed."""
        req = self.requests.pop(request_id, None)
        if req is not None:
            self._soon(self._dc_send, {"t": "answer_request", "agreed": yes, "action": req["action"]})
        return req if yes else None

    def frames(self) -> dict[str, Any]:
        """For the call screen (UI thread): the newest decoded staff frame and the newest own
        camera frame, as rgb arrays; a staff frame is converted once, not on every redraw."""
        out: dict[str, Any] = {}
        remote = self.latest.get("received_video")
        if remote is not None:
            if self._converted[0] is not remote:
                self._converted = (remote, remote.to_ndarray(format="rgb24"))
            out["remote"] = self._converted[1]
        own = getattr(self.camera, "last", None)
        if own is not None and self.state == IN_CALL:
            out["self"] = own
        return out

    def hang_up(self) -> None:
        self._submit(self._local_end("citizen_hangup" if self.state in (CONNECTING, IN_CALL) else "left_queue"))

    def idle(self, idle_state: str) -> None:
        """The app's idle rule (kiosk.core.idle): the citizen walked away, the call ends by itself."""
        if idle_state == "expired" and self.state in (QUEUED, CONNECTING, IN_CALL):
            self._submit(self._local_end("idle"))

    def evaluate(self, level: int) -> str | None:
        """The citizen's rating of the staff member (the haochaping scheme), through the outbox like every evaluation."""
        if self.staff is None or not 1 <= level <= 5:
            return None
        key = None
        if self.journal is not None:
            key = self.journal.outbox_put("evaluation", {
                "kind": "videohelp", "terminal": self.terminal, "hall": self.hall, "staff": self.staff,
                "call": self.call_id, "level": level, "language": self.language,
                "at": datetime.fromtimestamp(self.wall(), timezone.utc).isoformat(timespec="seconds")},
                idempotency_key=f"eval-vh-{self.terminal}-{self.call_id}-{secrets.token_hex(4)}")
        self._submit(self._send({"t": "evaluation", "level": level}))
        return key

    def close(self, timeout: float = 10.0) -> None:
        if not self._thread.is_alive():
            return
        for f in self._pending[1:]:  # [0] is _run, which ends when the socket closes
            try:
                f.result(timeout)
            except Exception:  # noqa: BLE001 - closing goes on whatever a step raised
                log.debug("video help: pending step failed", exc_info=True)
        fut = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
        try:
            fut.result(timeout)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)

    # -- internals (loop thread) ---------------------------------------------------------------
    def _submit(self, coro: Any) -> None:
        # Kept so close() lets a hang-up in flight finish (closing the peer connection) first.
        self._pending.append(asyncio.run_coroutine_threadsafe(coro, self._loop))

    def _soon(self, fn: Callable[..., Any], *args: Any) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(fn, *args)

    def _emit(self, name: str, *args: Any) -> None:
        fn = getattr(self.listener, name, None)
        if fn is not None:
            self.deliver(lambda: fn(*args))

    def _dc_send(self, msg: dict[str, Any]) -> None:
        if self._dc is not None and self._dc.readyState == "open":
            self._dc.send(json.dumps(msg, ensure_ascii=False))

    async def _send(self, msg: dict[str, Any]) -> None:
        if self._ws is not None:
            try:
                await self._ws.send(json.dumps(msg, ensure_ascii=False))
            except WebSocketException:
                pass

    async def _run(self) -> None:
        # While only waiting in the queue, a lost help desk (restart, network blink) is retried
        # with a fresh join: the citizen keeps waiting instead of being thrown out. In a call, or
        # after the retries, the kiosk says so and returns the citizen to their step.
        retries = list(self.reconnect_delays_s)
        while True:
            try:
                async with asyncio.timeout(self.connect_timeout_s):
                    self._ws = await connect(self.ws_url, max_size=256 * 1024)
                await self._send({"t": "join", "hall": self.hall, "terminal": self.terminal,
                                  "language": self.language, "device": self.device, "token": self.token})
                if self.state == ENDED:
                    return
                self.state, retries = QUEUED, list(self.reconnect_delays_s)
                async for raw in self._ws:
                    msg = json.loads(raw)
                    if isinstance(msg, dict):
                        await self._on_server(msg)
            except (OSError, TimeoutError, WebSocketException, ValueError) as e:
                log.info("video help: connection lost (%s)", e)
            if self.state not in (IDLE, QUEUED) or not retries:
                break
            self._emit("on_reconnecting")
            await asyncio.sleep(retries.pop(0))
        if self.state != ENDED:
            await self._finish("network")

    async def _on_server(self, msg: dict[str, Any]) -> None:
        kind = msg.get("t")
        if kind == "queued" and self.state == QUEUED:
            self.call_id, self.place, self.wait_s = msg.get("call"), int(msg.get("place", 0)), float(msg.get("wait_s", 0))
            self._emit("on_queue", self.place, self.wait_s)
        elif kind == "accepted" and self.state == QUEUED:
            self.state, self.staff = CONNECTING, str(msg.get("staff", ""))[:64]
            self.times["accepted"] = time.monotonic()
            self._started_wall = self.wall()
            self._emit("on_accepted", self.staff)
            await self._offer()
        elif kind == "answer" and self._pc is not None:
            await self._pc.setRemoteDescription(RTCSessionDescription(str(msg.get("sdp", "")), "answer"))
        elif kind == "ended" and self.state != ENDED:
            await self._finish(str(msg.get("reason", "ended"))[:32])

    async def _offer(self) -> None:
        servers = [RTCIceServer(**s) for s in self.ice_servers]
        pc = self._pc = RTCPeerConnection(RTCConfiguration(iceServers=servers or None))
        self._dc = pc.createDataChannel("screen")
        self._dc.on("open", lambda: (self._dc_send({"t": "screen", "state": self.screen}),
                                     self._dc_send({"t": "device", "status": self.device})))
        self._dc.on("message", self._on_data)
        if self.media is not None and self.camera is None:
            self.camera, self.microphone = self.media.sources()
            self.speaker = self.media.speaker_sink()
        self.camera = self.camera or SyntheticCamera()
        self.microphone = self.microphone or ToneTrack()
        pc.addTrack(self.camera)
        pc.addTrack(self.microphone)
        relay = MediaRelay()

        @pc.on("track")
        def on_track(track: Any) -> None:
            if track.kind == "audio" and self.speaker is not None:  # the staff member is heard
                self.speaker.addTrack(relay.subscribe(track))
                self._tasks.append(asyncio.ensure_future(self.speaker.start()))
                track = relay.subscribe(track)
            self._tasks.append(asyncio.ensure_future(count_frames(track, self.counts, f"received_{track.kind}", self.latest)))

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if pc.connectionState == "connected" and self.state == CONNECTING:
                self.state = IN_CALL
                self.times["connected"] = time.monotonic()
                self._emit("on_connected", self.staff)
            elif pc.connectionState == "failed" and self.state != ENDED:
                await self._local_end("network")

        await pc.setLocalDescription(await pc.createOffer())  # aiortc gathers all candidates here
        await self._send({"t": "offer", "sdp": pc.localDescription.sdp})

    def _on_data(self, raw: Any) -> None:
        try:
            msg = json.loads(raw)
        except (TypeError, ValueError):
            return
        if not isinstance(msg, dict):
            return
        if msg.get("t") == "highlight":
            # an option's id, or "area:<name>" for a part of the screen (screens/root.py AREAS);
            # only ever compared with ids on the screen, never evaluated
            self.highlight = str(msg.get("item", ""))[:64]
            self._emit("on_highlight", self.highlight)
        elif msg.get("t") == "request" and msg.get("action") in REQUEST_ACTIONS:
            # Nothing happens until the citizen taps to agree (agree()).
            rid = secrets.token_hex(4)
            arg = str(msg.get("service") if msg["action"] == "start" else msg.get("step") or "")[:64]
            self.requests[rid] = {"action": msg["action"], "arg": arg}
            self._emit("on_request", rid, msg["action"], arg)

    async def _local_end(self, outcome: str) -> None:
        if self.state == ENDED:
            return
        await self._send({"t": "hangup" if self.state != QUEUED else "leave", "reason": outcome})
        await self._finish(outcome)

    async def _finish(self, outcome: str) -> None:
        if self.state == ENDED:
            return
        was_call = self.state in (CONNECTING, IN_CALL)
        self.state, self.outcome = ENDED, outcome
        for t in self._tasks:
            t.cancel()
        if self._pc is not None:
            await self._pc.close()
        await self._release_devices()
        if self.journal is not None and was_call and self._started_wall is not None:
            # All that the kiosk keeps of a call.
            self.journal.incident("videohelp_call", json.dumps({
                "at": datetime.fromtimestamp(self._started_wall, timezone.utc).isoformat(timespec="seconds"),
                "duration_s": round(self.wall() - self._started_wall, 1), "outcome": outcome, "staff": self.staff}))
        self.screen, self.requests, self.latest = {}, {}, {}
        self._emit("on_ended", outcome)

    async def _release_devices(self) -> None:
        """The camera and microphone off, the loudspeaker closed: nothing of the call stays open."""
        for track in (self.camera, self.microphone):
            if track is not None:
                track.stop()
        if self.speaker is not None:
            speaker, self.speaker = self.speaker, None
            try:
                await speaker.stop()
            except Exception:  # noqa: BLE001 - a sink that failed mid-call is closed either way
                log.debug("video help speaker stop", exc_info=True)

    async def _shutdown(self) -> None:
        if self.state != ENDED:
            await self._local_end("closed")
        if self._ws is not None:
            await self._ws.close()
