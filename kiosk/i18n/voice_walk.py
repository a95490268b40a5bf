"""The recording walk driven by taps: the technician screen's model (no Kivy, no threads).

The same walk as `kiosk voice record` (kiosk.i18n.voice_record: same prompts in the same order,
same trimming, loudness and store), as a small state machine a screen can show and a test can
drive:

    languages --choose--> ready --record--> recording --stop--> take --keep/skip--> ready ... done
                           |  ^                                  |  |
                           |  +--------------- redo ------------+  |
                           +-- skip --> next prompt   listen: plays the take, stays on `take`

`stop()`/`capture()` and `keep()` do file work (read, encode, store) and are called off the UI
thread by the caller; every other step only changes state. `page()` says what to show, as
catalog messages and verbatim texts (the prompt in its own script, the Chinese source, the
translator's context), so the screen needs no knowledge of clips.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from kiosk.i18n import voice_audio as audio
from kiosk.i18n.languages import LANGUAGES, SOURCE
from kiosk.i18n.translator import Msg, Plain, Text
from kiosk.i18n.voice_record import (RecordError, Silence, Source, keep_clip, make_clip, now_iso,
                                     to_record)
from kiosk.i18n.voice_store import CatalogEntry, ClipStore

@dataclass(frozen=True)
class Page:
    title: Text
    lines: tuple[Text, ...]
    say: str                  # the prompt to say, in its own script ("" when none)
    actions: tuple[tuple[str, Text, Text | None], ...]  # (action, label, detail)


@dataclass
class VoiceWalk:
    source: Source
    store: ClipStore
    locales_dir: Path
    speaker: str | None = None
    clock: Callable[[], str] = now_iso
    languages: tuple[str, ...] = ()  # offered; default every registered one but the source
    phase: str = "languages"
    lang: str = ""
    todo: list[tuple[CatalogEntry, str]] = field(default_factory=list)
    index: int = 0
    kept: int = 0
    skipped: int = 0
    note: Text | None = None
    # prompts waiting per language, shown on the language list; counted by count_waiting(), which
    # reads every catalog entry and clip (~50-170 ms): the desk runs it on the worker pool
    counts: dict[str, int] = field(default_factory=dict)
    _take: audio.Take | None = None
    _clip: Path | None = None
    _tmp: tempfile.TemporaryDirectory | None = None

    def __post_init__(self) -> None:
        if not self.languages:
            self.languages = tuple(code for code in LANGUAGES if code != SOURCE)

    # -- where we are -------------------------------------------------------------------------------
    @property
    def entry(self) -> CatalogEntry | None:
        return self.todo[self.index][0] if self.phase in ("ready", "recording", "take") else None

    @property
    def clip(self) -> Path | None:
        """The take waiting to be kept (what `listen` plays)."""
        return self._clip if self.phase == "take" else None

    def waiting(self, lang: str) -> int:
        """How many prompts of `lang` still need a recording (missing, or changed since)."""
        return len(to_record(lang, self.store, self.locales_dir))

    def count_waiting(self) -> None:
        self.counts = {code: self.waiting(code) for code in self.languages}

    # -- steps ----------------------------------------------------------------------------------------
    def choose(self, lang: str) -> None:
        if self.phase != "languages" or lang not in self.languages:
            return
        self.lang, self.index, self.kept, self.skipped, self.note = lang, 0, 0, 0, None
        self.todo = to_record(lang, self.store, self.locales_dir)
        self.phase = "ready" if self.todo else "done"

    def start(self) -> None:
        """Start a live take (the microphone); `stop()` ends it."""
        if self.phase != "ready":
            return
        self.note = None
        try:
            self.source.start(self.entry.key)
        except (RecordError, OSError) as e:
            self.note = Msg("tech.voice.no_take", reason=Plain(str(e)[:120]))
            return
        self.phase = "recording"

    def stop(self) -> None:
        """End the take, trim and normalise it: `take` to listen and keep, or `ready` with why not."""
        if self.phase != "recording":
            return
        self._drop_take()
        try:
            raw = self.source.stop()
            if self._tmp is None:
                self._tmp = tempfile.TemporaryDirectory(prefix="kiosk-voice-")
            self._take, self._clip = make_clip(raw, Path(self._tmp.name))
        except Silence:
            self.phase, self.note = "ready", Msg("tech.voice.silence")
            return
        except (RecordError, ValueError, OSError) as e:
            self.phase, self.note = "ready", Msg("tech.voice.no_take", reason=Plain(str(e)[:120]))
            return
        self.phase = "take"
        self.note = Msg("tech.voice.take", seconds=Plain(f"{self._take.seconds:.1f}"),
                        level=Plain(f"{audio.dbfs(self._take.samples):.0f}"))

    def capture(self) -> None:
        """A take from a source that has it ready (a file): start and stop at once."""
        self.start()
        self.stop()

    def keep(self) -> None:
        if self.phase != "take" or self._clip is None or self._take is None:
            return
        keep_clip(self.store, self.lang, self.entry, self._clip, self._take, self.speaker, self.clock())
        self._clip = self._take = None
        self.kept += 1
        self._next()

    def redo(self) -> None:
        if self.phase == "take":
            self._drop_take()
            self.phase, self.note = "ready", None

    def skip(self) -> None:
        if self.phase in ("ready", "take"):
            self._drop_take()
            self.skipped += 1
            self._next()

    def back(self) -> None:
        """To the language list (what was kept stays kept)."""
        self.close()
        self.phase, self.lang, self.todo, self.note = "languages", "", [], None

    def close(self) -> None:
        """Leaving the page: a take in progress is dropped, the scratch folder removed."""
        if self.phase == "recording":
            try:
                self.source.stop()
            except Exception:  # noqa: BLE001 - nothing of it is kept either way
                pass
            self.phase = "ready"
        self._drop_take()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def _drop_take(self) -> None:
        if self._clip is not None:
            self._clip.unlink(missing_ok=True)
        self._clip = self._take = None

    def _next(self) -> None:
        self.index += 1
        self.note = None
        self.phase = "done" if self.index >= len(self.todo) else "ready"

    # -- what to show ---------------------------------------------------------------------------------
    def page(self) -> Page:
        if self.phase == "languages":
            actions = tuple((f"lang:{code}", Msg(f"language.choice.{code}"),
                             Msg("tech.voice.waiting", count=self.counts[code]) if code in self.counts else None)
                            for code in self.languages)
            return Page(Msg("tech.voice.title"), (Msg("tech.voice.intro"),), "",
                        actions + (("leave", Msg("tech.back"), None),))
        name = Msg(f"language.choice.{self.lang}")
        if self.phase == "done":
            return Page(Msg("tech.voice.title"), (name, Msg("tech.voice.done", kept=self.kept, skipped=self.skipped)), "",
                        (("back", Msg("tech.back"), None),))
        entry, state = self.todo[self.index]
        lines: list[Text] = [name, Msg(f"tech.voice.state.{state}"), Plain(entry.key)]
        if entry.context:
            lines.append(Plain(entry.context[:300]))
        lines.append(Msg("tech.voice.chinese", text=Plain(entry.source_text)))
        if self.phase == "recording":
            lines.append(Msg("tech.voice.recording"))
        if self.note is not None:
            lines.append(self.note)
        actions = {
            "ready": (("record", Msg("tech.voice.record"), None), ("skip", Msg("tech.voice.skip"), None),
                      ("back", Msg("tech.back"), None)),
            "recording": (("stop", Msg("tech.voice.stop"), None),),
            # three, so keeping is the one primary action (to skip after a take: redo, then skip)
            "take": (("keep", Msg("tech.voice.keep"), None), ("listen", Msg("tech.voice.listen"), None),
                     ("redo", Msg("tech.voice.redo"), None)),
        }[self.phase]
        title = Msg("tech.voice.prompt", n=self.index + 1, total=len(self.todo))
        return Page(title, tuple(lines), entry.text, actions)
