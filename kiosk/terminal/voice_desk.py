"""Recording voice prompts at the terminal, in technician mode: a native speaker (with the
technician) walks through every missing or changed prompt of Tibetan, Yi or another language
(kiosk.i18n.voice_walk), records each from the terminal's microphone, listens, keeps or redoes.

Kept clips go to the terminal's own clip root (`<data dir>/clips`, the one the kiosk plays
first), through the same store the voice reads, so a kept prompt is heard at once. The demo
records from a stand-in voice (kiosk.i18n.voice_record.DemoSource); a terminal without a
microphone shows why on the page and what to install, and records nothing.

File work (reading the take, trimming, encoding, storing) runs on the worker pool; the page is
redrawn when it is done. No Kivy here: the screen is reached through the controller's `root`.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the walk brings numpy: imported when the page is opened, not at start-up
    from kiosk.i18n.voice_walk import VoiceWalk

log = logging.getLogger(__name__)

SCREEN = "technician_voice"


class UnavailableSource:
    """No microphone on this terminal: every take fails with the reason (shown on the page)."""

    live = True

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def start(self, key: str) -> None:
        from kiosk.i18n.voice_record import RecordError

        raise RecordError(self.reason)

    def stop(self) -> Any:
        from kiosk.i18n.voice_record import RecordError

        raise RecordError(self.reason)


class VoiceDesk:
    def __init__(self, controller: Any) -> None:
        self.c = controller
        self.walk: VoiceWalk | None = None
        self.busy = False  # a take or a keep is being written: taps wait for it

    def _source(self) -> Any:
        from kiosk.i18n.voice_record import DemoSource, MicSource, RecordError

        if self.c.cfg.profile == "demo":
            return DemoSource()
        try:
            return MicSource()
        except RecordError as e:
            return UnavailableSource(str(e))

    def _store(self) -> Any:
        from pathlib import Path

        from kiosk.i18n.voice_store import TERMINAL_CLIPS, ClipStore

        root = Path(self.c.cfg.data_path) / TERMINAL_CLIPS
        for store in getattr(self.c.voice, "stores", []):
            if store.root == root:
                return store  # the voice's own: what is kept here is played at once
        return ClipStore(root)

    def open(self) -> None:
        from kiosk.i18n.translator import LOCALES_DIR
        from kiosk.i18n.voice_walk import VoiceWalk

        self.close()
        from kiosk.i18n import languages as table

        # The languages no synthesiser speaks (Tibetan, Yi): only a recording gives them a voice.
        # Chinese and English have generated clips; a terminal offering neither of the others
        # may still re-record those.
        offered = [code for code in self.c.ui.translator.languages if code != table.SOURCE]
        languages = tuple(c for c in offered if not table.LANGUAGES[c].espeak_voice) or tuple(offered)
        self.walk = VoiceWalk(self._source(), self._store(), getattr(self.c.voice, "locales_dir", LOCALES_DIR),
                              speaker=f"technician@{self.c.cfg.terminal.id}", languages=languages)
        self.show()  # at once; the counts of prompts waiting follow from the pool
        self._count()

    def close(self) -> None:
        """Leaving technician mode or this page: a take in progress is dropped."""
        if self.walk is not None:
            self.walk.close()
        self.walk = None
        self.busy = False

    def show(self) -> None:
        if self.walk is None:
            return
        screen = self.c.root.screens[SCREEN]
        screen.say_lang = self.walk.lang or "zh_CN"  # first: the page is laid out in its script
        screen.page = self.walk.page()
        if self.c.root.current != SCREEN:
            self.c.root.show_screen(SCREEN)

    def action(self, action: str) -> None:
        walk = self.walk
        if walk is None or self.c.root.current != SCREEN or self.busy:
            return
        self.c.voice.stop()  # a tap silences the take being listened to
        if action == "leave":
            self.close()
            self.c.tech.show_dashboard()
            return
        if action.startswith("lang:"):
            self._work(lambda: walk.choose(action[5:]))  # reads the catalog and the store
            return
        if action == "record":  # the desk's sources are all live (a microphone or the demo's)
            walk.start()
            self.show()
        elif action == "stop":
            self._work(walk.stop)
        elif action == "keep":
            self._work(walk.keep)
        elif action == "listen" and walk.clip is not None:
            self.c.voice.player.play([walk.clip])
        elif action == "redo":
            walk.redo()
            self.show()
        elif action == "skip":
            walk.skip()
            self.show()
        elif action == "back":
            walk.back()
            self.show()
            self._count()  # what was kept since is no longer waiting

    def _count(self) -> None:
        """Count the prompts waiting per language on the pool; taps are not held for it (it only
        reads), and the list shows the counts when they come."""
        walk = self.walk

        def done(result: Any) -> None:
            if not result.ok:
                log.error("counting the prompts to record failed: %r", result.error)
            elif walk is self.walk and walk.phase == "languages" and self.c.root.current == SCREEN:
                self.show()

        if walk is not None:
            self.c.submit(walk.count_waiting, done)

    def _work(self, fn: Any) -> None:
        self.busy = True

        def done(result: Any) -> None:
            self.busy = False
            if not result.ok:  # a bug or a full disk: say so on the page, keep the technician here
                log.error("voice recording step failed: %r", result.error)
                if self.walk is not None:
                    from kiosk.i18n.translator import Msg, Plain

                    self.walk.note = Msg("tech.voice.no_take", reason=Plain(type(result.error).__name__))
            if self.walk is not None and self.c.root.current == SCREEN:
                self.show()

        self.c.submit(fn, done)
