"""The recording walk: a native speaker records every missing or changed prompt of a language.

For each prompt the tool shows the key, the text to say, the translator's context comment and the
Chinese source, records a take (microphone, or a WAV file in the demo and the tests), trims the
silence and normalises the loudness, and lets the speaker listen, redo, keep or skip. A kept clip
goes into the clip store with status `recorded` and the hash of the text it says; a second person
(or the same speaker on another day) then reviews it: `review()` marks it `reviewed` or removes it.

Answers come from a line stream (stdin in the CLI), so a scripted stdin drives it in tests; the
end of the stream ends the walk with everything kept so far saved. The technician screen walks the
same prompts with the same take helpers (kiosk.i18n.voice_walk), driven by taps instead of lines.
"""
from __future__ import annotations

import datetime as _dt
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol, TextIO

from kiosk.i18n import voice_audio as audio
from kiosk.i18n.voice_store import CatalogEntry, ClipStore, catalog, text_sha


class RecordError(Exception):
    """A plain-language reason the walk cannot go on (no microphone, bad file)."""


class Source(Protocol):
    """Where a take comes from. `live` sources record between start() and stop() (the speaker
    says when they are done); the others have the take ready at once."""

    live: bool

    def start(self, key: str) -> None: ...

    def stop(self) -> audio.Take: ...


class FileSource:
    """A WAV per prompt (`DIR/<key>.wav`) or one WAV for every prompt (a stand-in voice)."""

    live = False

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise RecordError(f"no such file or folder: {self.path}")
        self._key = ""

    def start(self, key: str) -> None:
        self._key = key

    def stop(self) -> audio.Take:
        path = self.path / f"{self._key}.wav" if self.path.is_dir() else self.path
        if not path.is_file():
            raise RecordError(f"no recording {path.name} in {self.path}")
        return audio.read_wav(path)


class DemoSource:
    """The demo's microphone: a speech-like take (a voiced tone with a syllable rhythm between
    quiet stretches), so the whole walk (trim, normalise, listen, keep) runs with no microphone."""

    live = True

    def start(self, key: str) -> None:
        pass  # the same stand-in for every prompt

    def stop(self) -> audio.Take:
        return audio.speech_like()


class MicSource:
    """The microphone: sounddevice when installed, else ALSA's arecord."""

    live = True

    def __init__(self) -> None:
        try:
            import sounddevice  # noqa: F401
            self.backend = "sounddevice"
        except (ImportError, OSError):
            self.backend = "arecord" if shutil.which("arecord") else ""
        if not self.backend:
            raise RecordError("no microphone access: install python sounddevice or alsa-utils (arecord), "
                              "or record with --source FILE.wav")
        self._stream: Any = None
        self._chunks: list = []
        self._proc: subprocess.Popen | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None

    def start(self, key: str) -> None:
        self.stop_quietly()
        if self.backend == "sounddevice":
            import sounddevice as sd

            self._chunks = []
            self._stream = sd.InputStream(samplerate=audio.RATE, channels=1, dtype="float32",
                                          callback=lambda data, *_: self._chunks.append(data.copy()))
            self._stream.start()
            return
        self._tmp = tempfile.TemporaryDirectory()
        wav = Path(self._tmp.name) / "take.wav"
        # -d bounds the take: a recorder nobody stops ends by itself
        self._proc = subprocess.Popen(["arecord", "-q", "-f", "S16_LE", "-r", str(audio.RATE), "-c", "1",
                                       "-d", str(int(audio.MAX_SECONDS)), str(wav)])

    def stop(self) -> audio.Take:
        if self.backend == "sounddevice":
            import numpy as np

            if self._stream is None:
                raise RecordError("the recording was not started")
            self._stream.stop()
            self._stream.close()
            self._stream = None
            data = np.concatenate(self._chunks)[:, 0] if self._chunks else np.zeros(0, np.float32)
            return audio.Take(data[: int(audio.MAX_SECONDS * audio.RATE)], audio.RATE)
        if self._proc is None or self._tmp is None:
            raise RecordError("the recording was not started")
        self._proc.terminate()
        self._proc.wait(timeout=5)
        self._proc = None
        try:
            return audio.read_wav(Path(self._tmp.name) / "take.wav")
        finally:
            self._tmp.cleanup()
            self._tmp = None

    def stop_quietly(self) -> None:
        """Drop a take in progress (the technician left the page)."""
        try:
            if self._stream is not None or self._proc is not None:
                self.stop()
        except Exception:  # noqa: BLE001 - nothing to keep; the device may be gone
            pass


class Silence(RecordError):
    """The take held no speech (muted microphone, nobody spoke)."""


def capture(source: Source, key: str, lines: TextIO, out: TextIO) -> audio.Take:
    """One take for the line-driven walk: a live source records until Enter."""
    source.start(key)
    if source.live:
        out.write("  recording... press Enter to stop\n")
        out.flush()
        lines.readline()
    return source.stop()


def make_clip(raw: audio.Take, tmp: Path) -> tuple[audio.Take, Path]:
    """Trim and normalise a take and encode it as `<tmp>/take.*`; Silence when nothing was said."""
    take = audio.process(raw)
    if take.seconds < 0.15:
        raise Silence("heard only silence")
    return take, audio.encode(take, tmp / "take")


def keep_clip(store: ClipStore, lang: str, entry: CatalogEntry, clip: Path, take: audio.Take,
              speaker: str | None, at: str) -> None:
    """Store a kept take as `recorded` for today's text; the manifest is saved at once, so the
    progress survives a power cut or a tired speaker."""
    store.put(lang, entry.key, clip, entry.text, "recorded", at=at, by=speaker, seconds=round(take.seconds, 2))
    clip.unlink(missing_ok=True)
    store.save_manifest(lang)


def speaker_play(path: Path) -> bool:
    """Listen to a take on this machine; False when nothing here can play it."""
    for cmd in (["paplay"], ["aplay", "-q"], ["ogg123", "-q"]):
        if shutil.which(cmd[0]) and (path.suffix == ".wav" or cmd[0] != "aplay"):
            return subprocess.run([*cmd, str(path)], capture_output=True, timeout=60).returncode == 0
    return False


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


@dataclass
class WalkResult:
    kept: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    quit: bool = False


def to_record(lang: str, store: ClipStore, locales_dir: Path, only_missing: bool = False,
              keys: Iterable[str] | None = None) -> list[tuple[CatalogEntry, str]]:
    """The prompts still to record, with their state (missing / changed), in catalog key order."""
    wanted = set(keys) if keys else None
    todo = []
    for key, entry in sorted(catalog(lang, locales_dir).items()):
        if wanted is not None and key not in wanted:
            continue
        state = store.state(lang, key, entry.text)
        if state == "missing" or (state == "changed" and not only_missing):
            todo.append((entry, state))
    return todo


def _ask(lines: TextIO, out: TextIO, prompt: str) -> str | None:
    out.write(prompt)
    out.flush()
    line = lines.readline()
    return None if line == "" else line.strip().lower()


def record(lang: str, source: Source, store: ClipStore, locales_dir: Path, lines: TextIO, out: TextIO,
           only_missing: bool = False, keys: Iterable[str] | None = None, speaker: str | None = None,
           play: Callable[[Path], bool] = speaker_play, clock: Callable[[], str] = now_iso) -> WalkResult:
    result = WalkResult()
    todo = to_record(lang, store, locales_dir, only_missing, keys)
    out.write(f"{lang}: {len(todo)} prompts to record\n")
    with tempfile.TemporaryDirectory() as tmp:
        for n, (entry, state) in enumerate(todo, 1):
            out.write(f"\n[{n}/{len(todo)}] {entry.key} ({state})\n  context: {entry.context}\n"
                      f"  Chinese: {entry.source_text}\n  say:     {entry.text}\n")
            answer = _ask(lines, out, "Enter = record, s = skip, q = quit > ")
            if answer is None or answer == "q":
                result.quit = True
                break
            if answer == "s":
                result.skipped.append(entry.key)
                continue
            outcome = _take_until_kept(entry, source, store, lang, Path(tmp), lines, out, speaker, play, clock)
            if outcome == "kept":
                result.kept.append(entry.key)
            elif outcome == "skip":
                result.skipped.append(entry.key)
            else:
                result.quit = True
                break
    out.write(f"\nkept {len(result.kept)}, skipped {len(result.skipped)}\n")
    return result


def _take_until_kept(entry: CatalogEntry, source: Source, store: ClipStore, lang: str, tmp: Path,
                     lines: TextIO, out: TextIO, speaker: str | None, play: Callable[[Path], bool],
                     clock: Callable[[], str]) -> str:
    for _attempt in range(20):  # bounded: a broken microphone must not loop forever
        try:
            take, clip = make_clip(capture(source, entry.key, lines, out), tmp)
        except Silence:
            out.write("  heard only silence: again\n")
            if _ask(lines, out, "Enter = record again, s = skip > ") in (None, "s"):
                return "skip"
            continue
        except (RecordError, ValueError) as e:
            out.write(f"  cannot use this take: {e}\n")
            return "skip"
        out.write(f"  take: {take.seconds:.1f} s at {audio.dbfs(take.samples):.1f} dBFS\n")
        while True:
            answer = _ask(lines, out, "l = listen, r = redo, k/Enter = keep, s = skip, q = quit > ")
            if answer == "l":
                if not play(clip):
                    out.write("  (nothing on this machine can play it)\n")
                continue
            break
        if answer in ("", "k"):
            keep_clip(store, lang, entry, clip, take, speaker, clock())
            return "kept"
        if answer == "r":
            continue
        return "skip" if answer == "s" else "quit"
    return "skip"


def review(lang: str, store: ClipStore, locales_dir: Path, lines: TextIO, out: TextIO,
           reviewer: str | None = None, play: Callable[[Path], bool] = speaker_play,
           clock: Callable[[], str] = now_iso) -> dict[str, list[str]]:
    """Walk the recorded, unreviewed clips: a = accept (reviewed), x = reject (removed: missing
    again), s = skip, l = listen, q = quit."""
    done: dict[str, list[str]] = {"reviewed": [], "rejected": [], "skipped": []}
    for key, entry in sorted(catalog(lang, locales_dir).items()):
        if store.state(lang, key, entry.text) != "recorded":
            continue
        path = store.file(lang, key)
        out.write(f"\n{key}\n  context: {entry.context}\n  Chinese: {entry.source_text}\n  says:    {entry.text}\n")
        while True:
            answer = _ask(lines, out, "l = listen, a = accept, x = reject, s = skip, q = quit > ")
            if answer == "l" and path is not None:
                play(path)
                continue
            break
        if answer is None or answer == "q":
            break
        if answer == "a":
            # a hand-copied clip has no entry: the reviewer has just heard it say today's text
            store.manifest(lang).setdefault(key, {"text_sha": text_sha(entry.text), "file": path.name if path else ""})
            store.manifest(lang)[key].update(status="reviewed", reviewed_at=clock(), reviewed_by=reviewer)
            done["reviewed"].append(key)
        elif answer == "x":
            if path is not None:
                path.unlink()
            store.manifest(lang).pop(key, None)
            done["rejected"].append(key)
        else:
            done["skipped"].append(key)
        store.save_manifest(lang)
    return done
