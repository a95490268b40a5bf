"""Video help end to end: the help desk under uvicorn on loopback, Debian's headless chromium with a
fake camera as the staff member, the kiosk side running aiortc with its synthetic camera (driven
through the client API with a screen state built from a real View; no Kivy). Both sides decode
frames, the replica shows the kiosk's step, a highlight reaches the kiosk, hang-up ends the call on
both, and the kiosk keeps only time, duration, outcome and staff id. Bounded: every wait has a limit."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from flows.engine import Option, View
from kiosk.i18n.translator import Msg, Plain, Translator
from tests.support.helpdesk import staffed_desk

SHOTS = Path(os.environ.get("KIOSK_VIDEOHELP_SHOTS", "/tmp/videohelp-shots"))


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple] = []

    def __getattr__(self, name: str):  # on_queue, on_accepted, on_connected, on_highlight, on_ended ...
        if not name.startswith("on_"):
            raise AttributeError(name)
        return lambda *args: self.events.append((name, *args))

    def last(self, name: str):
        return next((e for e in reversed(self.events) if e[0] == name), None)


class FakeJournal:
    def __init__(self) -> None:
        self.incidents: list[tuple[str, str]] = []
        self.outbox: list[tuple[str, dict]] = []

    def incident(self, kind: str, detail: str) -> None:
        self.incidents.append((kind, detail))

    def outbox_put(self, kind: str, payload: dict, idempotency_key: str | None = None) -> str:
        self.outbox.append((kind, payload))
        return idempotency_key or "k"


def until(cond, timeout: float, what: str) -> float:
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)
    return time.monotonic() - t0


@pytest.fixture
def desk(tmp_path):
    with staffed_desk(tmp_path) as (server, browser):
        yield server, browser


def kiosk_screen(tr: Translator) -> dict:
    from kiosk.videohelp.state import screen_state

    view = View(kind="choice", title=Msg("start.title"), body=Plain("110101********1234"),
                options=(Option("social", Msg("start.section.featured")), Option("tax", Plain("个税"), enabled=False)),
                data={"id_number": "110101199003071234"})
    return screen_state("social_security", "choose_service", view, "zh_CN", tr, focused="social")


def test_call_from_kiosk_to_staff_browser(desk):
    from kiosk.videohelp.client import IN_CALL, VideoHelpClient

    t_start = time.monotonic()
    server, browser = desk  # ada logged in to the console (tests/support/helpdesk.py)

    tr = Translator()
    events, journal = Recorder(), FakeJournal()
    kiosk = VideoHelpClient(server.url, hall="城关镇便民服务中心", terminal="T-0042", language="zh_CN",
                            listener=events, journal=journal)
    screen = kiosk_screen(tr)
    assert screen["data"]["id_number"] != "110101199003071234"  # masked before it leaves the kiosk
    kiosk.start(device={"printer": "ok", "idcard": "ok", "camera": "synthetic"})
    kiosk.update_screen(screen)
    try:
        until(lambda: events.last("on_queue") is not None, 10, "the kiosk is told its place")
        assert events.last("on_queue")[1] == 1
        browser.wait("return document.querySelector('#waiting tr button.accept') !== null", 10)
        assert "T-0042" in browser.text("#waiting") and "zh_CN" in browser.text("#waiting")
        browser.screenshot(SHOTS / "console-queue.png")
        browser.click("#waiting tr button.accept")

        until(lambda: kiosk.state == IN_CALL, 20, "the call connects")
        browser.wait("return window.HELPDESK.framesDecoded >= 15", 20)
        until(lambda: kiosk.counts.get("received_video", 0) >= 15, 20, "the kiosk decodes the staff camera")
        assert kiosk.counts.get("received_audio", 0) > 0

        browser.wait("return document.querySelector('#r-step').innerText === 'choose_service'", 10)
        assert browser.text("#r-title") == tr.text(Msg("start.title"), "zh_CN")
        assert "1234" in browser.text("#r-body") and "199003" not in browser.text("#replica")
        assert "ok" in browser.text("#device")
        browser.screenshot(SHOTS / "console-call.png")

        browser.click("#r-options li[data-id='social']")
        until(lambda: events.last("on_highlight") == ("on_highlight", "social"), 10, "the highlight reaches the kiosk")
        browser.wait("return document.querySelector(\"#r-options li[data-id='social']\").classList.contains('highlight')", 5)
        # Pointing at a part of the screen: the top bar (where the language and text size are).
        browser.click("#areas button[data-area='topbar']")
        until(lambda: events.last("on_highlight") == ("on_highlight", "area:topbar"), 10, "the area reaches the kiosk")
        assert not browser.js("return document.querySelector(\"#r-options li[data-id='social']\").classList.contains('highlight')")

        # Acting for the citizen needs their tap: the request waits on the kiosk until they agree.
        browser.type("#req-service", "social_card")
        browser.click("#req-start")
        until(lambda: events.last("on_request") is not None, 10, "the request reaches the kiosk")
        _, rid, action, arg = events.last("on_request")
        assert (action, arg) == ("start", "social_card")
        assert kiosk.agree(rid, True) == {"action": "start", "arg": "social_card"}
        browser.wait("return document.querySelector('#req-status').innerText.includes('agreed')", 10)

        browser.click("#hangup")
        until(lambda: events.last("on_ended") is not None, 10, "the kiosk sees the hang-up")
        assert events.last("on_ended") == ("on_ended", "staff_hangup")
        browser.wait("return window.HELPDESK.ended === 'staff_hangup' && document.querySelector('#call-panel').hidden", 10)

        kinds = [k for k, _ in journal.incidents]
        assert kinds == ["videohelp_call"]
        kept = json.loads(journal.incidents[0][1])
        assert set(kept) == {"at", "duration_s", "outcome", "staff"}
        assert kept["outcome"] == "staff_hangup" and kept["staff"] == "ada"

        assert kiosk.evaluate(5)
        assert journal.outbox[0][0] == "evaluation" and journal.outbox[0][1]["staff"] == "ada"
    finally:
        kiosk.close()

    # A second citizen walks away mid-call: the idle rule ends it on both sides.
    events2 = Recorder()
    kiosk2 = VideoHelpClient(server.url, hall="h", terminal="T-0043", language="zh_CN", listener=events2,
                             journal=journal)
    kiosk2.start()
    try:
        browser.wait("return document.querySelector('#waiting tr button.accept') !== null", 10)
        browser.click("#waiting tr button.accept")
        until(lambda: kiosk2.state == IN_CALL, 20, "the second call connects")
        kiosk2.idle("expired")
        until(lambda: events2.last("on_ended") == ("on_ended", "idle"), 10, "the kiosk ends the call")
        browser.wait("return window.HELPDESK.ended === 'idle'", 10)
        assert json.loads(journal.incidents[-1][1])["outcome"] == "idle"
    finally:
        kiosk2.close()
    assert time.monotonic() - t_start < 60
