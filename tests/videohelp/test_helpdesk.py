"""The help desk without a browser: routing of Tibetan/Yi calls, staff sessions, the WebSocket
guards, a staff member closing the browser, masking of the replica state, and a kiosk losing the
network mid-queue. Clocks injected; every wait bounded."""
from __future__ import annotations

import json
import time

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from flows.engine import Option, View
from kiosk.helpdesk.app import COOKIE, build_app
from kiosk.helpdesk.hub import Hub
from kiosk.helpdesk.queue import Queue, Staff
from kiosk.helpdesk.staff import Directory
from kiosk.i18n.translator import Plain, Translator
from kiosk.videohelp.state import screen_state

PW = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_a_tibetan_call_goes_first_to_staff_who_list_tibetan_first():
    clock = Clock()
    q = Queue(clock, fallback_s=60)
    tibetan, mandarin = Staff("dorje", "agent", ("bo", "zh_CN")), Staff("li", "agent", ("zh_CN", "bo"))
    boss = Staff("wang", "supervisor", ("zh_CN",))
    q.join("hall", "T1", "zh_CN")
    clock.t += 1
    bo = q.join("hall", "T2", "bo")
    assert [c.terminal for c in q.for_staff(tibetan)] == ["T2", "T1"]  # their language first
    assert [c.terminal for c in q.for_staff(mandarin)] == ["T1"]       # listing bo second is not enough
    assert [c.terminal for c in q.for_staff(boss)] == ["T1", "T2"]
    with pytest.raises(PermissionError):
        q.accept(bo.id, mandarin)
    clock.t += 60  # nobody who speaks it came: everyone may take it now
    assert [c.terminal for c in q.for_staff(mandarin)] == ["T1", "T2"]
    assert q.accept(bo.id, mandarin).staff == "li"


def test_place_and_wait_and_one_place_per_terminal():
    clock = Clock()
    q = Queue(clock, mean_handle_s=120)
    a, b = q.join("h", "T1", "zh_CN"), q.join("h", "T2", "zh_CN")
    assert (q.place(a.id), q.place(b.id)) == (1, 2)
    assert q.expected_wait_s(b.id, staff_online=2) == 60
    again = q.join("h", "T1", "zh_CN")  # T1 reconnected after a drop
    assert q.calls[a.id].outcome == "replaced" and q.place(again.id) == 2


def test_sessions_expire_and_passwords_are_hashed(tmp_path):
    clock = Clock()
    d = Directory(tmp_path / "staff.json", clock=clock, idle_s=600, absolute_s=3600)
    d.add("ada", PW, "agent", ("ii", "zh_CN"))
    assert PW not in (tmp_path / "staff.json").read_text()
    assert Directory(tmp_path / "staff.json").accounts["ada"].staff.languages == ("ii", "zh_CN")
    assert d.login("ada", "wrong password") is None and d.login("nobody", PW) is None
    token = d.login("ada", PW)
    assert d.check(token)[0].user == "ada"
    clock.t += 601
    assert d.check(token) is None
    with pytest.raises(ValueError):
        d.add("bob", "short", "agent", ())


def test_websocket_guards_and_staff_leaving_ends_the_call():
    staff = Directory()
    staff.add("ada", PW, "agent", ("zh_CN",))
    hub = Hub(Queue())
    turn = [{"urls": ["turns:turn.example:443?transport=tcp"], "username": "u", "credential": "c"}]
    app = build_app(hub, staff, kiosk_token="site-token", ice_servers=turn)
    with TestClient(app) as http:
        with pytest.raises(WebSocketDisconnect), http.websocket_connect("/ws/staff"):
            pass  # no session: refused
        with http.websocket_connect("/ws/kiosk") as k:
            k.send_json({"t": "join", "hall": "h", "terminal": "T1", "language": "zh_CN", "token": "wrong"})
            with pytest.raises(WebSocketDisconnect):
                k.receive_json()  # wrong site token: closed
        assert http.post("/login", data={"user": "ada", "password": PW}, follow_redirects=False).status_code == 303
        cookie = {"cookie": f"{COOKIE}={http.cookies[COOKIE]}"}
        assert "turns:turn.example:443?transport=tcp" in http.get("/").text  # the console's ICE servers
        with pytest.raises(WebSocketDisconnect), \
                http.websocket_connect("/ws/staff", headers={**cookie, "origin": "http://evil.example"}):
            pass  # another site's page cannot use the staff member's session
        with http.websocket_connect("/ws/kiosk") as k:
            k.send_json({"t": "join", "hall": "h", "terminal": "T1", "language": "zh_CN", "token": "site-token"})
            assert k.receive_json()["t"] == "queued"
            with http.websocket_connect("/ws/staff", headers={**cookie, "origin": "http://testserver"}) as ws:
                assert ws.receive_json()["t"] == "hello"
                queue = ws.receive_json()
                call = queue["waiting"][0]["id"]
                ws.send_json({"t": "accept", "call": call})
                assert ws.receive_json()["t"] == "accepted"
                while (m := k.receive_json())["t"] != "accepted":
                    pass
            # The staff member closed the browser: the call ends, and the kiosk hears so.
            assert hub.queue.calls[call].outcome == "staff_left"  # checked first: a miss fails, not hangs
            while (m := k.receive_json())["t"] != "ended":
                pass
            assert m["reason"] == "staff_left"


def test_the_replica_state_is_rendered_and_masked():
    view = View(kind="result", title=Plain("结果"), options=(Option("a", Plain("身份证 110101199003071234")),),
                data={"id": "110101199003071234", "phone": "13812345678"})
    s = screen_state("f", "s", view, "zh_CN", Translator())
    text = json.dumps(s, ensure_ascii=False)
    assert "110101199003071234" not in text and "13812345678" not in text
    assert s["title"] == "结果" and s["options"][0]["id"] == "a"


def _until(cond, timeout: float) -> bool:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout:
            return False
        time.sleep(0.02)
    return True


class Events:
    def __init__(self) -> None:
        self.queued: list[int] = []
        self.ended: list[str] = []
        self.reconnecting = 0

    def on_queue(self, place, wait_s):
        self.queued.append(place)

    def on_ended(self, reason):
        self.ended.append(reason)

    def on_reconnecting(self):
        self.reconnecting += 1


def test_a_waiting_kiosk_rejoins_when_the_help_desk_restarts_and_gives_up_after_its_retries():
    from kiosk.helpdesk.server import Embedded
    from kiosk.videohelp.client import QUEUED, VideoHelpClient

    ev = Events()
    server = Embedded().start()
    client = VideoHelpClient(server.url, hall="h", terminal="T9", language="bo", listener=ev,
                             reconnect_delays_s=(0.2, 0.3, 0.3)).start()
    try:
        assert _until(lambda: ev.queued == [1], 10)
        server.close()  # restart: the same address comes back
        again = Embedded(port=server.port).start()
        try:
            assert _until(lambda: len(ev.queued) == 2, 15), ev.__dict__
            assert ev.reconnecting >= 1 and client.state == QUEUED and ev.ended == []
            assert [c.terminal for c in again.hub.queue.waiting()] == ["T9"]
        finally:
            again.close()  # gone for good: after its retries the kiosk says so
        assert _until(lambda: ev.ended == ["network"], 20), ev.__dict__
    finally:
        client.close()


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    async def send_json(self, data) -> None:
        self.sent.append(data)


def test_supervisors_see_every_call_and_the_evaluations_agents_only_their_own():
    import asyncio

    def last(ws):
        return [m for m in ws.sent if m["t"] == "queue"][-1]

    async def scenario():
        hub = Hub(Queue(Clock()))
        agent, other, boss, kiosk = FakeSocket(), FakeSocket(), FakeSocket(), FakeSocket()
        await hub.staff_join(agent, Staff("ada", "agent", ("zh_CN",)))
        await hub.staff_join(other, Staff("li", "agent", ("zh_CN",)))
        await hub.staff_join(boss, Staff("wang", "supervisor", ("zh_CN",)))
        call = await hub.kiosk_join(kiosk, {"t": "join", "hall": "h", "terminal": "T1", "language": "zh_CN"})
        await hub.staff_message(agent, {"t": "accept", "call": call.id})
        assert [c["id"] for c in last(boss)["active"]] == [call.id]
        assert [c["id"] for c in last(agent)["active"]] == [call.id] and last(other)["active"] == []
        await hub.staff_message(other, {"t": "hangup", "call": call.id})  # not theirs: ignored
        assert hub.queue.calls[call.id].state == "active"
        await hub.staff_message(agent, {"t": "hangup", "call": call.id})
        assert {"t": "ended", "reason": "staff_hangup"} in kiosk.sent
        await hub.kiosk_message(call.id, {"t": "evaluation", "level": 5})
        assert [e["level"] for e in last(boss)["evaluations"]] == [5] and last(agent)["evaluations"] == []

    asyncio.run(scenario())
