"""The app-facing video help session, headless with a fake client: what the call screen is told
in each phase, the screen state fed from views, the citizen's agreement gate, and the texts in
every language."""
from __future__ import annotations

from flows.engine import Option, View
from kiosk.i18n.translator import Msg, Plain, Translator
from kiosk.videohelp.session import CALL, ENDED, OFF, QUEUE, VideoHelp
from tests.support.videohelp_fake import FakeHelpDeskClient


class FakeClient(FakeHelpDeskClient):
    made: list[FakeHelpDeskClient] = []

    def __init__(self, url, **kw):
        super().__init__(url, **kw)
        self.requests = {"r1": {"action": "start", "arg": "social_card"}}


def make(panels):
    tr = Translator()
    return VideoHelp("http://127.0.0.1:1", "hall", "T1", tr, on_change=panels.append, make_client=FakeClient,
                      run_aside=lambda fn: fn()), tr


def test_phases_texts_and_the_agreement_gate():
    panels = []
    vh, tr = make(panels)
    view = View(kind="choice", title=Plain("选择"), options=(Option("a", Plain("身份证 110101199003071234")),))
    vh.on_view("f", "s1", view, "bo")
    vh.request_help("bo", {"printer": "ok"})
    client = FakeClient.made[-1]
    assert vh.panel.phase == QUEUE and client.kw["language"] == "bo"
    assert client.screens and "110101199003071234" not in str(client.screens[0])  # the current step goes at once
    vh.on_queue(3, 130)
    assert vh.panel.status == Msg("videohelp.queue.place", ahead=2, minutes=3)
    vh.on_accepted("ada")
    vh.on_connected("ada")
    assert vh.panel.phase == CALL and vh.panel.camera_on
    vh.on_view("f", "s2", view, "bo")
    assert client.screens[-1]["step"] == "s2"
    assert vh.agree(True) is None  # nothing asked: nothing happens
    vh.on_request("r1", "start", "social_card")
    assert vh.panel.request == Msg("videohelp.request.start", service="social_card")
    assert vh.agree(True) == {"action": "start", "arg": "social_card"} and vh.panel.request is None
    vh.on_highlight("a")
    assert vh.panel.highlight == "a"
    vh.on_ended("staff_hangup")
    assert vh.panel.phase == ENDED and vh.panel.status == Msg("videohelp.ended") and not vh.panel.camera_on
    assert vh.panel.can_evaluate and not vh.panel.can_retry
    assert vh.evaluate(5) == "key" and ("evaluate", 5) in client.calls
    assert vh.evaluate(4) is None  # once
    vh.dismiss()
    assert vh.panel.phase == OFF and "close" in client.calls


def test_a_broken_call_offers_to_queue_again_and_asks_no_rating():
    for reason in ("network", "staff_left"):
        vh, _ = make([])
        vh.request_help("zh_CN")
        vh.on_accepted("ada")
        vh.on_connected("ada")
        vh.on_ended(reason)
        said = "videohelp.staff_lost" if reason == "staff_left" else "videohelp.network_lost"
        assert vh.panel.status == Msg(said) and vh.panel.can_retry, reason
        assert not vh.panel.can_evaluate and vh.evaluate(5) is None and vh.panel.reason == reason


def test_a_dismissed_clients_late_reports_are_dropped():
    """Its teardown runs aside: an `ended` it reports afterwards must not bring back a call screen."""
    panels = []
    vh, _ = make(panels)
    vh.request_help("zh_CN")
    old = FakeClient.made[-1].kw["listener"]
    vh.dismiss()
    old.on_ended("citizen_hangup")
    assert vh.panel.phase == OFF
    vh.request_help("bo")
    FakeClient.made[-1].kw["listener"].on_queue(2, 60)
    old.on_queue(1, 0)
    assert vh.panel.status == Msg("videohelp.queue.place", ahead=1, minutes=1)


def test_walking_away_ends_without_an_evaluation():
    panels = []
    vh, _ = make(panels)
    vh.request_help("zh_CN")
    vh.on_accepted("ada")
    vh.idle("expired")
    assert ("idle", "expired") in FakeClient.made[-1].calls
    vh.on_ended("idle")
    assert vh.panel.status == Msg("videohelp.ended") and not vh.panel.can_evaluate


def test_every_video_help_text_exists_in_every_language():
    tr = Translator()
    keys = ["videohelp.button", "videohelp.queue.leave", "videohelp.connecting", "videohelp.camera_on",
            "videohelp.hangup", "videohelp.ended", "videohelp.network_lost", "videohelp.request.goto",
            "videohelp.agree", "videohelp.decline", "videohelp.evaluate", "videohelp.staff_lost", "videohelp.back",
            "videohelp.again", "videohelp.show_step", "videohelp.queue.note", "videohelp.bar.queued",
            "videohelp.bar.in_call"]
    for lang in ("zh_CN", "en", "bo", "ii"):
        for key in keys:
            assert tr.text(Msg(key), lang) != key
        text = tr.text(Msg("videohelp.queue.place", ahead=2, minutes=3), lang)
        assert "2" in text and "3" in text
    assert not tr.missing
