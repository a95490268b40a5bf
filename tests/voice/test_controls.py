"""The speech controls and the privacy rule of the Voice API."""
from __future__ import annotations

from kiosk.demo.sim_rig import SimHeadphoneJack
from kiosk.i18n.voice import (DEFAULT_RATE, DEFAULT_VOLUME, NOTE_FALLBACK, NOTE_PRIVATE, RATE_MAX, VOLUME_CAP,
                              NullPlayer, Voice)
from kiosk.i18n.voice_store import catalog


def clips(tmp_path, lang: str, *keys: str):
    (tmp_path / lang / "voice").mkdir(parents=True, exist_ok=True)
    for k in keys:
        (tmp_path / lang / "voice" / f"{k}.ogg").write_bytes(b"OggS")


def test_volume_is_capped_and_rate_bounded_and_both_reset_after_the_session(tmp_path):
    player = NullPlayer()
    voice = Voice(player, tmp_path)
    for _ in range(20):
        voice.volume_up()
        voice.faster()
    assert voice.volume == VOLUME_CAP and player.volume == VOLUME_CAP and voice.rate == RATE_MAX
    assert voice.set_volume(5.0) == VOLUME_CAP
    voice.request_private(True)
    voice.end_session()
    assert (voice.volume, voice.rate, player.volume, player.rate) == (DEFAULT_VOLUME, DEFAULT_RATE, DEFAULT_VOLUME, DEFAULT_RATE)
    assert not voice.private_requested and voice.repeat() == []


def test_pause_resume_repeat_interrupt(tmp_path):
    clips(tmp_path, "zh_CN", "done.title")
    player = NullPlayer()
    voice = Voice(player, tmp_path)
    voice.say("zh_CN", ["done.title"])
    stops = player.stopped
    voice.pause()
    assert voice.paused and player.stopped == stops + 1
    assert voice.resume() and len(player.played) == 2 and not voice.paused  # NullPlayer cannot pause: from the start
    assert voice.resume() == []  # not paused: nothing
    voice.interrupt()
    assert player.stopped > stops + 1


def test_personal_details_only_with_headphones_and_a_request(tmp_path):
    clips(tmp_path, "zh_CN", "voice.digit.1", "voice.word.year")
    player = NullPlayer()
    jack = SimHeadphoneJack()
    voice = Voice(player, tmp_path, jack=jack)
    keys = ["voice.digit.1", "voice.word.year"]
    assert voice.say_private("zh_CN", keys) == [] and not player.played  # not asked, no headphones
    voice.request_private(True)
    assert voice.say_private("zh_CN", keys) == []  # asked, but the loudspeaker would tell the hall
    jack.plugged_in = True
    assert len(voice.say_private("zh_CN", keys)) == 2 and voice.last_spoken.private
    assert voice.repeat() == []  # private details are not kept for a later repeat
    jack.plugged_in = False  # headset pulled out: private listening ends with it
    assert not voice.private_listening and voice.say_private("zh_CN", keys) == []


def test_the_notes_are_catalog_texts_in_every_language():
    for lang in ("zh_CN", "bo", "ii", "en"):
        texts = catalog(lang)
        assert NOTE_FALLBACK in texts and NOTE_PRIVATE in texts


def test_demo_panel_plugs_the_headphones(tmp_path):
    from kiosk.demo.sim_rig import act

    class Controller:
        s = type("S", (), {"hub": type("H", (), {"sims": {}})(), "demo_server": None})()
        voice = Voice(NullPlayer(), tmp_path)

    c = Controller()
    act(c, "headphones.in")
    assert c.voice.jack.plugged()
    act(c, "headphones.out")
    assert not c.voice.jack.plugged()
