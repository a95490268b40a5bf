"""A call that breaks, on the wire (issue 18, robustness): the real kiosk client (aiortc) in a call
with a staff peer (aiortc in Python, over the console's own WebSocket and log-in), then the help
desk goes away mid-call, or the staff member's console closes. The kiosk says so (on_ended with
the reason the app turns into "connection lost, carry on or queue again"), keeps only time,
duration, outcome and staff id, and a help desk that comes back takes a new call from the same
kiosk. Every wait is bounded."""
from __future__ import annotations

import asyncio
import json
import threading
import time

import requests

from kiosk.helpdesk.app import COOKIE

PW = "correct horse battery"


def until(cond, timeout: float, what: str) -> None:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)


class Events:
    def __init__(self) -> None:
        self.ended: list[str] = []
        self.connected = False

    def on_connected(self, staff):
        self.connected = True

    def on_ended(self, reason):
        self.ended.append(reason)


class Journal:
    def __init__(self) -> None:
        self.incidents: list[tuple[str, str]] = []

    def incident(self, kind, detail):
        self.incidents.append((kind, detail))


class StaffPeer:
    """The staff member's side without a browser: log in, accept the first waiting call, answer
    the kiosk's offer (receive only). Runs its own loop on a thread; `close()` is the browser closing."""

    def __init__(self, url: str) -> None:
        self.url, self.pc, self.ws = url, None, None
        r = requests.post(url + "/login", data={"user": "ada", "password": PW}, allow_redirects=False, timeout=5)
        self.cookie = r.cookies[COOKIE]
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.task = asyncio.run_coroutine_threadsafe(self._run(), self.loop)

    async def _run(self) -> None:
        from aiortc import RTCPeerConnection, RTCSessionDescription
        from websockets.asyncio.client import connect

        host = self.url.split("://", 1)[1]
        self.ws = await connect("ws://" + host + "/ws/staff",
                                additional_headers={"Cookie": f"{COOKIE}={self.cookie}", "Origin": self.url})
        accepted = False
        async for raw in self.ws:
            msg = json.loads(raw)
            if msg["t"] == "queue" and msg["waiting"] and not accepted:
                accepted = True
                await self.ws.send(json.dumps({"t": "accept", "call": msg["waiting"][0]["id"]}))
            elif msg["t"] == "offer":
                self.pc = RTCPeerConnection()
                await self.pc.setRemoteDescription(RTCSessionDescription(msg["sdp"], "offer"))
                await self.pc.setLocalDescription(await self.pc.createAnswer())
                await self.ws.send(json.dumps({"t": "answer", "call": msg["call"], "sdp": self.pc.localDescription.sdp}))

    def close(self) -> None:
        async def shut() -> None:
            if self.ws is not None:
                await self.ws.close()
            if self.pc is not None:
                await self.pc.close()
        try:
            asyncio.run_coroutine_threadsafe(shut(), self.loop).result(10)
        finally:
            self.task.cancel()
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)


def desk(port: int = 0):
    from kiosk.helpdesk.server import Embedded
    from kiosk.helpdesk.staff import Directory

    staff = Directory()
    staff.add("ada", PW, "agent", ("zh_CN",))
    return Embedded(staff, port=port).start()


def in_call(url: str, terminal: str):
    from kiosk.videohelp.client import IN_CALL, VideoHelpClient

    ev, journal = Events(), Journal()
    client = VideoHelpClient(url, hall="h", terminal=terminal, language="zh_CN", listener=ev, journal=journal,
                             reconnect_delays_s=(0.2,)).start()
    staff = StaffPeer(url)
    until(lambda: client.state == IN_CALL and ev.connected, 20, "the call connects")
    return client, staff, ev, journal


def kept(journal: Journal) -> dict:
    assert [k for k, _ in journal.incidents] == ["videohelp_call"]
    record = json.loads(journal.incidents[0][1])
    assert set(record) == {"at", "duration_s", "outcome", "staff"}  # nothing else of the call
    return record


def test_the_help_desk_goes_away_mid_call_and_comes_back():
    server = desk()
    client, staff, ev, journal = in_call(server.url, "T-DROP")
    try:
        server.close()  # the line to the help desk is gone mid-call
        until(lambda: ev.ended, 20, "the kiosk notices")
        assert ev.ended == ["network"]
        assert kept(journal) | {"at": None, "duration_s": None} == {
            "at": None, "duration_s": None, "outcome": "network", "staff": "ada"}
        assert client.latest == {} and client.screen == {}
    finally:
        client.close()
        staff.close()
    again = desk(port=server.port)  # the desk restarts at its address: the same kiosk calls again
    try:
        client2, staff2, ev2, _ = in_call(again.url, "T-DROP")
        client2.close()
        staff2.close()
        assert ev2.ended == ["closed"]
    finally:
        again.close()


def test_the_staff_member_closes_the_console_mid_call():
    server = desk()
    try:
        client, staff, ev, journal = in_call(server.url, "T-STAFF")
        try:
            staff.close()  # the browser closes
            until(lambda: ev.ended, 20, "the kiosk hears the call ended")
            assert ev.ended == ["staff_left"] and kept(journal)["outcome"] == "staff_left"
        finally:
            client.close()
    finally:
        server.close()
