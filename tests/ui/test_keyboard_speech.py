"""The on-screen keyboard in speech mode (issue 17 item 1): a person who cannot see moves over the
keys with the keypad and hears each one named from a clip, by what it types in the keyboard's
mode: Latin letters in pinyin, Tibetan letters on the Tibetan keyboard (whose keys are named by
their QWERTY position: its "k" is ག, never the Latin K). Only the candidates, words no recording
can say, are named by their place. Real keyboard events on the window (tests/ui/keypad_pad.py)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.ui


def walk_keys(pad, limit: int = 120) -> dict[str, list[str]]:
    """Move over every key once with # (digits type on a typing screen); what each key said."""
    said: dict[str, list[str]] = {}
    # The widgets themselves, not their id(): a key rebuilt on a mode switch may reuse a freed id.
    seen: list = []
    for _ in range(limit):
        pad.press("hash")
        if any(w is pad.nav.focus for w in seen):  # round the screen once (the bars' buttons have no key name)
            break
        seen.append(pad.nav.focus)
        name = getattr(pad.nav.focus, "key_name", None)
        if name:
            said[name] = list(pad.last)
    return said


def rows_in_place(board, keys: tuple[str, ...]) -> bool:
    """These keys (one from each row, top to bottom) are on the window, each row below the last."""
    found = {getattr(w, "key_name", None): w for w in board.walk() if getattr(w, "key_name", None) in keys}
    if len(found) != len(keys) or any(w.get_root_window() is None for w in found.values()):
        return False
    tops = [found[k].to_window(found[k].x, found[k].top)[1] for k in keys]
    return all(a > b for a, b in zip(tops, tops[1:]))


def focus_key(pad, key: str, limit: int = 120) -> None:
    for _ in range(limit):
        if getattr(pad.nav.focus, "key_name", None) == key:
            return
        pad.press("hash")
    raise AssertionError(f"key {key} never reached")


def test_every_key_is_named_in_pinyin_and_on_the_tibetan_keyboard(ui, pad):
    c = ui.c
    pad.start_speech()
    pad.choose("flow:service_guide")  # the guide's search: the keyboard, in pinyin for Chinese
    ui.pump(lambda: c.root.current == "keyboard", frames=300)
    pad.settle()
    board = c.root.screens["keyboard"].ids.keyboard
    assert board.mode == "pinyin"

    said = walk_keys(pad)
    letters = [k for k in said if k and len(k) == 1 and k.isalpha()]
    assert len(letters) == 26
    for key in letters:
        assert said[key][-1] == f"voice.letter.{key.upper()}", (key, said[key])
    for key, clip in (("space", "keyboard.key.space"), ("clear", "keyboard.key.clear"), ("ok", "keypad.ok"),
                      ("del", "keypad.del"), ("mode:tibetan", "keyboard.mode.tibetan")):
        assert clip in said[key], (key, said[key])
    assert not [k for k, keys in said.items() if "speech.item" in keys]  # no key said by its place
    assert pad.player.played[-1]  # and the last one was heard: its clip was played

    focus_key(pad, "mode:tibetan")
    pad.press("enter")
    # The keypad reads the keys in the order they stand on the screen: walk once the new rows are
    # in place (the walk failed twice under load when it began before the rows' layout pass).
    ui.pump(lambda: board.mode == "tibetan" and rows_in_place(board, ("1", "q", "k", "c")), frames=100)
    pad.settle()
    said = walk_keys(pad)
    assert "k" in said and "c" in said, sorted(said)
    assert said["k"][-1] == "keyboard.tibetan.ga" and said["c"][-1] == "keyboard.tibetan.ka"
    assert said["j"][-1] == "keyboard.tibetan.tsheg" and said["m"][-1] == "keyboard.tibetan.subjoin"
    typed = [k for k in said if k and not k.startswith(("mode:", "candidate:")) and k not in ("ok", "del", "space", "clear")]
    assert len(typed) >= 40  # the four rows (46 keys; the unit test names every one of them)
    for key in typed:
        assert said[key][-1].startswith(("keyboard.tibetan.", "voice.digit.")), (key, said[key])
    board.press("clear")
    board.set_mode("pinyin")  # as the next test expects the Chinese keyboard
