"""Speech mode's controls through the physical keypad (issue 16 item 2, EN 301 549 5.1.3): started
without sight, pause / repeat / interrupt, volume and rate changed and reset with the visit, help
and back, Cancel on the start screen, personal details only on request with headphones in, the
honest Chinese stand-in with its visible note, the double-strike guard, the site's key map.
Keys are real Kivy keyboard events on the Window (tests/ui/keypad_pad.py)."""
from __future__ import annotations

import pytest

from kiosk.i18n.voice import DEFAULT_RATE, DEFAULT_VOLUME, NOTE_FALLBACK, NOTE_PRIVATE

pytestmark = pytest.mark.ui




def test_speech_starts_with_any_key_and_reads_the_screen_and_the_focus(pad):
    assert not pad.c.speech.active
    pad.press("k8")  # a person who cannot see the pad finds *a* key: it only starts speech mode
    assert pad.c.speech.active and pad.nav.focus is not None
    assert pad.last[:3] == ["speech.on", "speech.keys", "start.subtitle"]
    assert pad.nav.ring.shown  # the focus is drawn for a helper beside them
    first = pad.nav.focus
    pad.press("k8")
    assert pad.nav.focus is not first and pad.last == pad.nav.item_keys(pad.nav.focus)
    pad.press("k2")
    assert pad.nav.focus is first


def test_pause_repeat_interrupt_volume_and_rate_reset_after_the_visit(pad):
    c = pad.c
    pad.start_speech()
    played = len(pad.player.played)
    pad.press("k5")  # say it again: the screen and the focused item
    assert pad.last == c.speech.screen_keys + pad.nav.item_keys(pad.nav.focus)
    assert len(pad.player.played) == played + 1
    stops = pad.player.stopped
    pad.press("k0")  # pause
    assert c.voice.paused and pad.player.stopped > stops
    pad.press("k0")  # and on again (every key interrupts first, then acts)
    assert not c.voice.paused
    pad.press("k9")
    pad.press("k9")
    pad.press("k3")
    assert c.voice.volume > DEFAULT_VOLUME and pad.player.volume == c.voice.volume
    assert c.voice.rate > DEFAULT_RATE and pad.last == ["speech.faster"]
    for _ in range(8):
        pad.press("k9")
    assert pad.last == ["speech.limit"] and c.voice.volume == c.voice.volume_cap  # capped (65 dBA)
    # nobody answers: the visit ends, and with it speech mode, volume and rate
    c.clock.advance(c.cfg.speech.idle_s + c.cfg.speech.grace_s + 1)
    c.tick()
    assert not c.speech.active
    assert (c.voice.volume, c.voice.rate) == (DEFAULT_VOLUME, DEFAULT_RATE)
    assert (pad.player.volume, pad.player.rate) == (DEFAULT_VOLUME, DEFAULT_RATE)


def test_help_and_back_and_cancel_on_the_start_screen(pad):
    c = pad.c
    pad.start_speech()
    pad.press("help")
    pad.ui.pump(lambda: c.root.current == "help")
    pad.settle()
    assert "help.how" in pad.last  # the help screen is read
    pad.press("clear")  # back
    pad.ui.pump(lambda: c.root.current == "start")
    pad.press("cancel")  # on the start screen: speech mode off, said
    assert not c.speech.active and pad.last == ["speech.off"]
    pad.ui.pump(frames=3)
    assert not pad.nav.ring.shown


def test_a_key_is_read_once(pad):
    """ADA 707.6: a double strike within 0.5 s and the keyboard's auto-repeat are one press."""
    from kivy.core.window import Keyboard, Window

    pad.start_speech()
    first = pad.nav.focus
    code = Keyboard.keycodes["numpad8"]
    for _ in range(3):  # held down: the keyboard repeats the key-down
        Window.dispatch("on_key_down", code, 0, None, [])
    Window.dispatch("on_key_up", code, 0)
    pad.settle()
    items = pad.nav.focusables()
    assert pad.nav.focus is items[items.index(first) + 1]
    second = pad.nav.focus
    Window.dispatch("on_key_down", code, 0, None, [])  # bounced again at once, no time passed
    Window.dispatch("on_key_up", code, 0)
    pad.settle()
    assert pad.nav.focus is second


def test_personal_details_only_on_request_and_with_headphones(ui, pad):
    from tests.ui.test_every_flow_ui import demo_inputs

    c = ui.c
    _citizen, inputs = demo_inputs(c)
    pad.start_speech()
    pad.choose("flow:application_progress")
    ui.pump(lambda: c.runner is not None and c.runner.view.kind == "scan")
    pad.settle()
    pad.choose("keypad")
    ui.pump(lambda: c.root.current == "keypad")
    pad.settle()
    pad.type_number(c.runner.view, inputs.application_number)
    ui.pump(lambda: c.runner.view.kind == "result", frames=600)
    pad.settle()
    played = len(pad.player.played)
    pad.press("hash")  # read my details: no headphones, so the loudspeaker says why not
    assert pad.last == [NOTE_PRIVATE] and not c.voice.last_spoken.private
    assert len(pad.player.played) == played + 1
    c.intent("sim", action="headphones.in")  # the demo's jack (simulator panel)
    pad.press("hash")
    spoken = c.voice.last_spoken
    assert spoken.private and spoken.paths and len(pad.player.played) == played + 2
    assert spoken.keys[:2] == ["progress.row.number", "voice.letter.S"]  # the number, letter by letter
    assert spoken.keys[-1] == "speech.not_recorded"  # the platform's texts: no clip, and said so
    assert pad.c.speech.log[-1] == ["<private>"]  # not kept, not repeatable
    pad.press("k5")
    assert not c.voice.last_spoken.private


def test_tibetan_without_recordings_speaks_chinese_and_says_so(ui, pad):
    c = ui.c
    c.intent("language", lang="bo")
    pad.start_speech()
    spoken = c.voice.last_spoken
    assert spoken.lang == "bo" and spoken.fallback  # no Tibetan clip: the Chinese one plays
    assert pad.nav.caption.note == NOTE_FALLBACK and pad.nav.caption.opacity == 1
    label = pad.nav.caption.ids.label
    assert label.primary_text and label.secondary_text  # the note on screen, Tibetan line and Chinese
    pad.player.finish()  # the Chinese stand-in has been spoken: the note must not stay over the screen
    ui.pump(frames=2)
    assert pad.nav.caption.note is None and pad.nav.caption.opacity == 0 and pad.nav.caption.height == 0
    pad.press("k5")  # the next prompt is a stand-in again: the note comes back while it plays
    assert pad.nav.caption.note == NOTE_FALLBACK
    c.intent("language", lang="zh_CN")
    pad.press("k5")
    assert pad.nav.caption.note is None


def test_the_site_key_map_is_typed_and_read(tmp_path):
    from kiosk.core import config
    from kiosk.core.errors import ConfigError
    from kiosk.terminal.keypad_keys import KeyMap

    site = tmp_path / "site.toml"
    site.write_text('profile = "demo"\n[keypad]\nk8 = ["j"]\nhelp = ["f2", "?"]\n', encoding="utf-8")
    keys = KeyMap(config.load(None, site).keypad)
    from kivy.core.window import Keyboard

    assert keys.physical(Keyboard.keycodes["j"]) == "k8" and keys.physical(0, "?") == "help"
    assert keys.physical(Keyboard.keycodes["numpad8"]) is None  # replaced, not added
    site.write_text('profile = "demo"\n[keypad]\nk8 = ["numpad5"]\n[speech]\ngrace_s = 10\n', encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        config.load(None, site)
    assert "keypad.k8" in str(e.value) and "speech.grace_s" in str(e.value)


def test_a_flow_step_waits_for_the_spoken_warning(ui, pad):
    """The step's own deadline (timeouts.result_s) must not end a speech-mode flow before the
    longer idle warning has been spoken and has run out; a key during the warning keeps it."""
    c = ui.c
    pad.start_speech()
    pad.choose("flow:queue_ticket")
    ui.pump(lambda: c.runner is not None and c.runner.view.kind != "waiting", frames=600)
    pad.settle()
    runner, step = c.runner, c.runner.step
    assert runner.interactive and c.cfg.timeouts.result_s < c.cfg.speech.idle_s
    c.clock.advance(c.cfg.timeouts.result_s + 1)
    c.tick()
    assert not runner.ended and runner.step == step and not c.root.idle_shown
    c.clock.advance(c.cfg.speech.idle_s - c.cfg.timeouts.result_s)
    c.tick()
    assert c.root.idle_shown and pad.last[0] == "idle.title" and not runner.ended
    before = pad.nav.focus
    ui.pump(lambda: getattr(pad.nav.focus, "option_id", None) == "continue")  # the focus on its button
    pad.press("k5")  # still here
    c.tick()
    assert not c.root.idle_shown and not runner.ended and c.runner is runner
    assert pad.nav.identity(pad.nav.focus) == pad.nav.identity(before)  # back where it was
    c.clock.advance(c.cfg.speech.idle_s + c.cfg.speech.grace_s + 1)
    c.tick()
    assert runner.ended and c.runner is None and not c.speech.active
