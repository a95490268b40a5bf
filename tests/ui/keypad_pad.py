"""A physical keypad for the UI tests: each press is a real Kivy keyboard event on the Window
(on_key_down, then on_key_up), with the keys the demo's [keypad] map says the keypad sends; what
the kiosk says is recorded through a fake player (the clips it plays) and the Voice's listeners
(every prompt's catalog keys, with or without a clip)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.i18n.voice import NullPlayer


class RecordingPlayer(NullPlayer):
    """Stands in for the loudspeaker: the message ids (file stems) of the clips it was asked to play."""

    def play(self, paths: list[Path]) -> None:
        self.played.append([Path(p).stem for p in paths])


class Pad:
    def __init__(self, ui: Any) -> None:
        self.ui = ui
        self.c = ui.c
        self.nav = ui.app.keypad
        self._was_player = self.c.voice.player  # the kiosk is shared by every UI test: put it back
        self.player = RecordingPlayer()
        self.c.voice.player = self.player
        self.said: list[list[str]] = []  # every utterance's catalog keys, in order
        self._listener = lambda spoken: self.said.append(list(spoken.keys))
        self.c.voice.on_spoken.append(self._listener)

    def close(self) -> None:
        self.c.voice.on_spoken.remove(self._listener)
        self.c.voice.player = self._was_player

    def press(self, physical: str, which: int = 0, settle: bool = True) -> None:
        """Press a keypad key ("k5", "enter", "star"...) as the keyboard it is sends it."""
        from kivy.core.window import Keyboard, Window

        name = self.ui.app.cfg.keypad.physical_keys()[physical][which]
        code = Keyboard.keycodes.get(name, ord(name) if len(name) == 1 else 0)
        codepoint = name if len(name) == 1 else None
        self.ui.clock.advance(0.6)  # a person's pace: past the 0.5 s double-strike guard
        Window.dispatch("on_key_down", code, 0, codepoint, [])
        Window.dispatch("on_key_up", code, 0)
        if settle:
            self.settle()

    def settle(self) -> None:
        """Frames until the keypad has placed its focus and spoken (or nothing is pending)."""
        self.ui.pump(lambda: not self.nav._pending, frames=200)
        self.ui.pump(frames=2)

    # -- what a person who cannot see does: move until the wanted item is said, then Enter --------
    def focus_to(self, option_id: str, limit: int = 60) -> None:
        """Move with 8 (# on a typing screen, where digits type) until the focus is on the option,
        checking that each move says the item now focused."""
        from kiosk.i18n.translator import Msg
        from kiosk.terminal.speech_mode import ENTRY_SCREENS

        for _ in range(limit):
            focus = self.nav.focus
            if focus is not None and getattr(focus, "option_id", None) == option_id:
                return
            self.press("hash" if self.c.root.current in ENTRY_SCREENS else "k8")
            focus = self.nav.focus
            item = self.nav.item_keys(focus)
            assert self.last[-len(item):] == item, (self.c.root.current, self.last)
            label = getattr(focus, "label", None)
            if isinstance(label, Msg) and not label.params:
                assert label.id in self.last  # the item is said by its own catalog text
        raise AssertionError(f"option {option_id} never reached with the keypad on {self.c.root.current}")

    def choose(self, option_id: str) -> None:
        self.focus_to(option_id)
        self.press("enter")

    def type_number(self, view: Any, number: str) -> None:
        prefix = str(view.data.get("prefix", ""))
        digits = number[len(prefix):] if prefix and number.startswith(prefix) else number
        for d in digits:
            self.press(f"k{d}")
            assert self.last == [f"voice.digit.{d}"]  # each typed digit is said back
        assert self.c.root.screens["keypad"].typed == digits
        assert self.nav.item_keys(self.nav.focus) == ["keypad.ok"]  # the focus waits on OK
        self.press("enter")

    def start_speech(self) -> None:
        self.press("k5")  # the key with the raised dot
        assert self.c.speech.active
        first = self.last
        assert first[:2] == ["speech.on", "speech.keys"], first
        assert first[-len(self.nav.item_keys(self.nav.focus)):] == self.nav.item_keys(self.nav.focus)

    @property
    def last(self) -> list[str]:
        return self.said[-1] if self.said else []

    def heard(self) -> list[str]:
        return [k for utterance in self.said for k in utterance]

