"""A physical keypad for the UI tests: each press is a real Kivy keyboard event on the Window
(on_key_down, then on_key_up), with the keys the demo's [keypad] map says the keypad sends; what
the kiosk says is recorded through a fake player (the clips it plays) and the Voice's listeners
(every prompt's catalog keys, with or without a clip)."""
from __future__ import annotations

from pathlib import Path
from typing import Any


class RecordingPlayer:
    """Stands in for the loudspeaker: the message ids of the clips it was asked to play."""

    def __init__(self) -> None:
        self.played: list[list[str]] = []
        self.stopped = 0
        self.volume: float | None = None
        self.rate: float | None = None

    def play(self, paths: list[Path]) -> None:
        self.played.append([Path(p).stem for p in paths])

    def stop(self) -> None:
        self.stopped += 1

    def set_volume(self, volume: float) -> None:
        self.volume = volume

    def set_rate(self, rate: float) -> None:
        self.rate = rate


class Pad:
    def __init__(self, ui: Any) -> None:
        self.ui = ui
        self.c = ui.c
        self.nav = ui.app.keypad
        self.player = RecordingPlayer()
        self.c.voice.player = self.player
        self.said: list[list[str]] = []  # every utterance's catalog keys, in order
        self._listener = lambda spoken: self.said.append(list(spoken.keys))
        self.c.voice.on_spoken.append(self._listener)

    def close(self) -> None:
        self.c.voice.on_spoken.remove(self._listener)

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

    @property
    def last(self) -> list[str]:
        return self.said[-1] if self.said else []

    def heard(self) -> list[str]:
        return [k for utterance in self.said for k in utterance]
