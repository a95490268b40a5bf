"""The loudspeaker side of kiosk.i18n.voice: plays clips one after another through Kivy's SDL2 audio."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable


log = logging.getLogger(__name__)


def _kivy_loader(path: str) -> Any:
    from kivy.core.audio import SoundLoader

    return SoundLoader.load(path)


class KivyPlayer:
    """Plays clips one after another through Kivy's SDL2 audio; calls `on_done` when the last one
    has ended or none could be loaded (a terminal whose sound device is missing), never after stop()."""

    def __init__(self, loader: Callable[[str], Any] = _kivy_loader) -> None:
        """loader: path -> a Kivy Sound (or None), replaceable in tests."""
        self._load = loader
        self._queue: list[Path] = []
        self._sound: Any = None
        self.on_done: Callable[[], None] | None = None

    def play(self, paths: list[Path]) -> None:
        self.stop()
        self._queue = list(paths)
        self._next()

    def _next(self, *_: Any) -> None:
        while self._queue:
            path = self._queue.pop(0)
            sound = self._load(str(path))
            if sound is None:
                log.warning("cannot play %s", path.name)
                continue
            self._sound = sound
            sound.bind(on_stop=lambda *_: self._next() if self._sound is sound else None)
            sound.play()
            if sound.state == "play":
                return
            # Kivy's SDL2 audio returns a Sound even when the device could not be opened; its
            # play() then does nothing and its on_stop never comes (a terminal with no sound card).
            log.warning("cannot play %s: the sound device did not start it", path.name)
            self._sound = None
        self._sound = None
        if self.on_done is not None:
            self.on_done()

    def stop(self) -> None:
        self._queue = []
        sound, self._sound = self._sound, None
        if sound is not None:
            sound.stop()
