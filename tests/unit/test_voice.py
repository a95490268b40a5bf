from __future__ import annotations

import pytest

from flows.engine import View
from kiosk.i18n.translator import Msg, Plain
from kiosk.i18n.voice import NullPlayer, Voice, prompt_keys, report, spell, view_prompt


def test_ticket_numbers_are_spelled_from_digit_clips():
    assert spell("A023") == ["voice.letter.A", "voice.digit.0", "voice.digit.2", "voice.digit.3"]
    assert spell("1-4") == ["voice.digit.1", "voice.dash", "voice.digit.4"]
    with pytest.raises(ValueError):
        spell("513326198001011234X")  # longer than any ticket: an ID number is never spelled


def test_view_prompt_speaks_catalog_texts_and_the_ticket_number_only():
    ticket = View("ticket", Msg("queue.ticket.title"), Msg("queue.ticket.printed"), data={"number": "B007"})
    assert view_prompt(ticket) == ["queue.ticket.title", "voice.letter.B", "voice.digit.0", "voice.digit.0",
                                   "voice.digit.7", "queue.ticket.printed"]
    # personal data arrives as Plain text or platform text: it is shown, never spoken
    result = View("result", Plain("WANG Xiaoming"), Msg("queue.choose.body", x=1), data={"number": "A001"})
    assert view_prompt(result) == []


def test_say_plays_recorded_clips_and_stop_and_repeat(tmp_path):
    (tmp_path / "bo" / "voice").mkdir(parents=True)
    (tmp_path / "bo" / "voice" / "start.subtitle.ogg").write_bytes(b"OggS")
    player = NullPlayer()
    voice = Voice(player, tmp_path)
    found = voice.say("bo", ["start.subtitle", "help.how"])  # help.how has no recording
    assert [p.name for p in found] == ["start.subtitle.ogg"] and len(player.played) == 1
    voice.stop()
    assert player.stopped == 2  # say() stops what played before it, then the touch stopped it
    voice.repeat()
    assert len(player.played) == 2 and player.played[1] == player.played[0]


def test_report_lists_prompts_without_a_recording(tmp_path):
    import shutil

    from kiosk.i18n.translator import LOCALES_DIR

    shutil.copytree(LOCALES_DIR / "zh_CN" / "LC_MESSAGES", tmp_path / "zh_CN" / "LC_MESSAGES")
    keys = prompt_keys(tmp_path)
    assert "start.subtitle" in keys and "voice.digit.7" in keys
    assert "queue.ticket.counters" not in keys  # has a {placeholder}: caption only
    (tmp_path / "bo" / "voice").mkdir(parents=True)
    (tmp_path / "bo" / "voice" / "start.subtitle.ogg").write_bytes(b"OggS")
    r = report(["bo"], tmp_path)["bo"]
    assert r["prompts"] == len(keys) and r["recorded"] == 1 and "start.subtitle" not in r["missing"]
