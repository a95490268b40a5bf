"""Recording Tibetan prompts at the terminal, by real taps in technician mode (issue 16): the
dashboard's voice page, a language, record / stop / listen / keep, redo, skip; the kept clips
land in the terminal's clip root as `recorded`, trimmed and normalised, and the kiosk's voice
plays them at once. The demo's microphone is the stand-in voice (kiosk.i18n.voice_record.DemoSource)."""
from __future__ import annotations

import json

from kiosk.i18n.voice_store import TERMINAL_CLIPS


def _tap(ui, option_id: str) -> None:
    ui.pump(frames=3)  # a page just drawn is laid out in the next frames
    ui.tap(ui.button(option_id=option_id))


def _count_shown(ui, n: int) -> bool:
    """The language list's Tibetan row says how many prompts wait (the catalog's text for it)."""
    from kiosk.i18n.translator import Msg

    return ui.app.services.translator.text(Msg("tech.voice.waiting", count=n), "zh_CN") in ui.texts()


def _wait_phase(ui, phase: str) -> None:
    ui.pump(lambda: ui.c.tech.voice.walk.phase == phase and not ui.c.tech.voice.busy)


def test_a_speaker_records_two_tibetan_prompts_skips_one_and_the_voice_plays_them(ui):
    c = ui.c
    c.intent("technician")
    c.intent("technician_pin", pin="246810")
    _tap(ui, "voice")
    assert c.root.current == "technician_voice"
    assert "lang:bo" in [o.id for o in c.root.screens["technician_voice"].ids.actions.options]
    ui.pump(lambda: "bo" in c.tech.voice.walk.counts)  # counted on the pool, then shown
    waiting = c.tech.voice.walk.counts["bo"]
    ui.pump(lambda: _count_shown(ui, waiting))
    _tap(ui, "lang:bo")
    _wait_phase(ui, "ready")
    walk = c.tech.voice.walk
    first, second, third = (walk.todo[i][0] for i in range(3))
    say = c.root.screens["technician_voice"].ids.say
    assert say.source_text == first.text and say.lang == "bo"  # the prompt to say, in Tibetan script
    assert first.source_text in ui.texts() and first.key in ui.texts()  # with its Chinese and its key

    _tap(ui, "record")
    _wait_phase(ui, "recording")
    _tap(ui, "stop")
    _wait_phase(ui, "take")
    _tap(ui, "redo")  # not happy with it: again
    _wait_phase(ui, "ready")
    assert walk.index == 0
    _tap(ui, "record")
    _wait_phase(ui, "recording")
    _tap(ui, "stop")
    _wait_phase(ui, "take")
    take = walk.clip
    _tap(ui, "listen")
    assert list(c.voice.player.played)[-1] == [take]  # the take itself, before it is kept
    _tap(ui, "keep")
    _wait_phase(ui, "ready")
    assert walk.entry == second and say.source_text == second.text

    _tap(ui, "skip")
    _wait_phase(ui, "ready")
    _tap(ui, "record")
    _wait_phase(ui, "recording")
    _tap(ui, "stop")
    _wait_phase(ui, "take")
    _tap(ui, "keep")
    _wait_phase(ui, "ready")
    assert (walk.kept, walk.skipped, walk.index) == (2, 1, 3)

    store = walk.store
    assert store.root == ui.app.cfg.data_path / TERMINAL_CLIPS
    manifest = json.loads((store.dir("bo") / "manifest.json").read_text(encoding="utf-8"))
    assert {first.key, third.key} <= set(manifest) and second.key not in manifest
    for entry in (first, third):
        assert store.state("bo", entry.key, entry.text) == "recorded"
        key = entry.key
        assert manifest[key]["by"].startswith("technician@") and 0.5 < manifest[key]["seconds"] < 1.2
    # the kiosk's own voice finds the new clip (the same store): Tibetan speech for this prompt now
    spoken = c.voice.resolve("bo", [first.key])
    assert not spoken.fallback and spoken.paths == [store.file("bo", first.key)]

    _tap(ui, "back")  # to the language list, which counts what is left
    ui.pump(lambda: c.tech.voice.walk.phase == "languages" and c.tech.voice.walk.counts["bo"] == waiting - 2)
    ui.pump(lambda: _count_shown(ui, waiting - 2))
    _tap(ui, "leave")
    ui.pump(lambda: c.root.current == "technician")
    assert c.tech.voice.walk is None


def test_walking_away_mid_take_stops_the_recording_and_keeps_nothing(ui):
    c = ui.c
    c.intent("technician")
    c.intent("technician_pin", pin="246810")
    _tap(ui, "voice")
    _tap(ui, "lang:ii")
    _wait_phase(ui, "ready")
    walk = c.tech.voice.walk
    _tap(ui, "record")
    _wait_phase(ui, "recording")
    c.go_start(reset=True)  # what the idle expiry does (the technician left)
    assert c.tech.voice.walk is None and walk.phase == "ready"
    assert not (walk.store.dir("ii") / "manifest.json").exists()
