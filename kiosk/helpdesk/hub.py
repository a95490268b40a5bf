"""The live part of the help desk: who is connected, the queue, and the relay of signalling
messages between a kiosk and the staff member who took its call.

The server relays SDP only; media and the screen-state data channel go peer to peer (or through
TURN), so the server never sees the citizen's picture or screen. Both sides gather their ICE
candidates before sending (aiortc does not trickle), so one offer and one answer set up a call.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict
from typing import Any, Callable, Protocol

from kiosk.helpdesk.queue import ACTIVE, Call, Queue, Staff

log = logging.getLogger(__name__)
MAX_SDP = 64 * 1024


class Socket(Protocol):
    async def send_json(self, data: Any) -> None: ...


class Hub:
    def __init__(self, queue: Queue, wall: Callable[[], float] = time.time) -> None:
        self.queue, self.wall = queue, wall
        self.kiosks: dict[str, Socket] = {}                    # call id -> kiosk socket
        self.staff: dict[Socket, Staff] = {}                   # console socket -> who
        self.evaluations: list[dict[str, Any]] = []            # shown to supervisors (the platform gets them via the kiosk's outbox)

    # -- sending -----------------------------------------------------------------------------
    async def _send(self, ws: Socket | None, msg: dict[str, Any]) -> None:
        if ws is None:
            return
        try:
            await ws.send_json(msg)
        except Exception:  # noqa: BLE001 - a socket closing under us is handled by its own reader
            log.debug("send failed", exc_info=True)

    def _staff_sockets(self, user: str) -> list[Socket]:
        return [ws for ws, s in self.staff.items() if s.user == user]

    def _row(self, c: Call) -> dict[str, Any]:
        now = self.queue.clock()
        d = asdict(c)
        d["waiting_s"] = round(now - c.joined_at)
        d["in_call_s"] = round(now - c.accepted_at) if c.accepted_at else None
        return d

    async def broadcast(self) -> None:
        """Everyone's view after any change: each console its own queue, each kiosk its place."""
        online = len({s.user for s in self.staff.values()})
        for ws, s in list(self.staff.items()):
            active = [self._row(c) for c in self.queue.active() if s.role == "supervisor" or c.staff == s.user]
            await self._send(ws, {"t": "queue", "waiting": [self._row(c) for c in self.queue.for_staff(s)],
                                  "active": active, "online": online,
                                  "evaluations": self.evaluations[-20:] if s.role == "supervisor" else []})
        for call in self.queue.waiting():
            await self._send(self.kiosks.get(call.id), {
                "t": "queued", "call": call.id, "place": self.queue.place(call.id),
                "wait_s": self.queue.expected_wait_s(call.id, online)})

    # -- kiosk side --------------------------------------------------------------------------
    async def kiosk_join(self, ws: Socket, msg: dict[str, Any]) -> Call:
        dev = msg.get("device") if isinstance(msg.get("device"), dict) else {}
        call = self.queue.join(str(msg.get("hall", "")), str(msg.get("terminal", "")),
                               str(msg.get("language", "zh_CN")), {str(k)[:32]: str(v)[:64] for k, v in dev.items()})
        self.kiosks[call.id] = ws
        await self.broadcast()
        return call

    async def kiosk_message(self, call_id: str, msg: dict[str, Any]) -> None:
        call = self.queue.calls.get(call_id)
        if call is None:
            return
        kind = msg.get("t")
        if kind == "offer" and call.state == ACTIVE and call.staff:
            for ws in self._staff_sockets(call.staff):
                await self._send(ws, {"t": "offer", "call": call_id, "sdp": str(msg.get("sdp", ""))[:MAX_SDP]})
        elif kind == "evaluation" and isinstance(msg.get("level"), int):
            # A copy for the supervisors' page; the record of it goes to the platform via the kiosk's outbox.
            self.evaluations.append({"call": call_id, "staff": call.staff, "level": int(msg["level"]), "at": self.wall()})
            await self.broadcast()
        elif kind in ("hangup", "leave"):
            default = "citizen_hangup" if kind == "hangup" else "citizen_left_queue"
            await self.end(call_id, str(msg.get("reason") or default)[:32], by_kiosk=True)

    async def kiosk_gone(self, call_id: str) -> None:
        self.kiosks.pop(call_id, None)
        await self.end(call_id, "kiosk_lost", by_kiosk=True)

    # -- staff side --------------------------------------------------------------------------
    async def staff_join(self, ws: Socket, staff: Staff) -> None:
        self.staff[ws] = staff
        await self.broadcast()

    async def staff_message(self, ws: Socket, msg: dict[str, Any]) -> None:
        staff = self.staff.get(ws)
        if staff is None:
            return
        kind, call_id = msg.get("t"), str(msg.get("call", ""))
        call = self.queue.calls.get(call_id)
        if kind == "accept":
            try:
                call = self.queue.accept(call_id, staff)
            except (LookupError, PermissionError) as e:
                await self._send(ws, {"t": "error", "text": str(e)})
                return
            await self._send(ws, {"t": "accepted", "call": self._row(call)})
            await self._send(self.kiosks.get(call_id), {"t": "accepted", "staff": staff.user})
            await self.broadcast()
        elif call is None or call.staff != staff.user:
            return  # only the staff member in the call may answer or end it
        elif kind == "answer":
            await self._send(self.kiosks.get(call_id), {"t": "answer", "sdp": str(msg.get("sdp", ""))[:MAX_SDP]})
        elif kind == "hangup":
            await self.end(call_id, "staff_hangup", by_kiosk=False)

    async def staff_gone(self, ws: Socket) -> None:
        staff = self.staff.pop(ws, None)
        if staff is not None and not self._staff_sockets(staff.user):
            # Closing the browser ends that person's calls cleanly on the kiosk.
            for call in self.queue.active():
                if call.staff == staff.user:
                    await self.end(call.id, "staff_left", by_kiosk=False)
        await self.broadcast()

    async def end(self, call_id: str, outcome: str, *, by_kiosk: bool) -> None:
        call = self.queue.end(call_id, outcome)
        if call is None:
            return
        if not by_kiosk:
            await self._send(self.kiosks.get(call_id), {"t": "ended", "reason": outcome})
        if call.staff:
            for ws in self._staff_sockets(call.staff):
                await self._send(ws, {"t": "ended", "call": call_id, "reason": outcome})
        await self.broadcast()

    async def tick_forever(self, period_s: float = 5.0) -> None:
        """Waiting times grow and specialist calls fall back to everyone: re-send now and then."""
        while True:
            await asyncio.sleep(period_s)
            self.queue.forget_ended()
            await self.broadcast()
