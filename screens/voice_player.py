"""The loudspeaker side of kiosk.i18n.voice: plays clips one after another through Kivy's SDL2 audio."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class KivyPlayer:
    """Plays clips one after another through Kivy's SDL2 audio."""

    def __init__(self) -> None:
        self._queue: list[Path] = []
        self._sound: Any = None

    def play(self, paths: list[Path]) -> None:
        self.stop()
        self._queue = list(paths)
        self._next()

    def _next(self, *_: Any) -> None:
        from kivy.core.audio import SoundLoader

        if not self._queue:
            self._sound = None
            return
        path = self._queue.pop(0)
        sound = SoundLoader.load(str(path))
        if sound is None:
            log.warning("cannot play %s", path.name)
            self._next()
            return
        self._sound = sound
        sound.bind(on_stop=lambda *_: self._next() if self._sound is sound else None)
        sound.play()

    def stop(self) -> None:
        self._queue = []
        sound, self._sound = self._sound, None
        if sound is not None:
            sound.stop()
