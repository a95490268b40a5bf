"""The technician page's recording walk (kiosk.i18n.voice_walk) without a window: the same
prompts, takes and store as `kiosk voice record`; silence, a missing microphone and leaving
mid-take keep nothing; every page names its actions in the catalog."""
from __future__ import annotations

from pathlib import Path

from kiosk.i18n import voice_audio as audio
from kiosk.i18n.voice_record import DemoSource, FileSource, RecordError, to_record
from kiosk.i18n.voice_store import ClipStore, catalog
from kiosk.i18n.voice_walk import VoiceWalk
from tests.voice.conftest import speech_like_wav


class QuietMic:
    live = True

    def start(self, key: str) -> None:
        pass

    def stop(self) -> audio.Take:
        return audio.speech_like(level=0.0)


class NoMic:
    live = True

    def start(self, key: str) -> None:
        raise RecordError("no microphone access: install alsa-utils")

    def stop(self) -> audio.Take:
        raise RecordError("not started")


def _walk(source, tmp_path: Path, locales: Path, **kw) -> VoiceWalk:
    return VoiceWalk(source, ClipStore(tmp_path / "clips"), locales, speaker="tech@T1",
                     clock=lambda: "2026-12-06T00:00:00+00:00", **kw)


def _ids(walk: VoiceWalk) -> list[str]:
    return [a for a, _, _ in walk.page().actions]


def test_a_file_take_is_kept_as_recorded_and_the_walk_moves_on(locales, tmp_path, take_wav):
    walk = _walk(FileSource(take_wav), tmp_path, locales, languages=("ii", "bo"))
    assert _ids(walk) == ["lang:ii", "lang:bo", "leave"]
    todo = len(to_record("ii", walk.store, locales))
    walk.choose("ii")
    first = walk.entry
    assert walk.phase == "ready" and _ids(walk) == ["record", "skip", "back"]
    assert walk.page().say == first.text and dict(walk.page().title.params)["total"] == todo
    walk.capture()  # a file has the take ready: no recording phase
    assert walk.phase == "take" and walk.clip is not None and walk.clip.exists()
    assert walk.note.id == "tech.voice.take" and _ids(walk) == ["keep", "listen", "redo"]
    walk.keep()
    assert walk.phase == "ready" and walk.index == 1 and walk.kept == 1
    fresh = ClipStore(tmp_path / "clips")
    assert fresh.state("ii", first.key, first.text) == "recorded"
    assert fresh.manifest("ii")[first.key]["by"] == "tech@T1"
    assert walk.waiting("ii") == todo - 1


def test_redo_and_skip_keep_nothing_and_the_end_says_what_was_done(locales, tmp_path):
    walk = _walk(DemoSource(), tmp_path, locales)
    walk.choose("bo")
    walk.todo = walk.todo[:2]  # a short walk
    walk.start()
    assert walk.phase == "recording" and _ids(walk) == ["stop"]
    walk.stop()
    clip = walk.clip
    walk.redo()
    assert walk.phase == "ready" and walk.index == 0 and not clip.exists()
    walk.skip()
    walk.start()
    walk.stop()
    walk.skip()
    assert walk.phase == "done" and (walk.kept, walk.skipped) == (0, 2)
    assert walk.page().lines[1].id == "tech.voice.done" and _ids(walk) == ["back"]
    assert not (tmp_path / "clips" / "bo" / "voice").exists()
    walk.back()
    assert walk.phase == "languages"


def test_silence_and_a_missing_microphone_are_said_and_nothing_is_kept(locales, tmp_path):
    walk = _walk(QuietMic(), tmp_path, locales)
    walk.choose("bo")
    walk.start()
    walk.stop()
    assert walk.phase == "ready" and walk.note.id == "tech.voice.silence"
    walk = _walk(NoMic(), tmp_path, locales)
    walk.choose("bo")
    walk.start()
    assert walk.phase == "ready" and walk.note.id == "tech.voice.no_take"
    assert "alsa-utils" in dict(walk.note.params)["reason"].text
    assert not (tmp_path / "clips" / "bo" / "voice").exists()


def test_leaving_mid_take_drops_it_and_the_scratch_folder(locales, tmp_path):
    walk = _walk(DemoSource(), tmp_path, locales)
    walk.choose("bo")
    walk.start()
    walk.stop()
    clip = walk.clip
    walk.close()
    assert not clip.exists() and not clip.parent.exists()
    assert not (tmp_path / "clips" / "bo" / "voice").exists()


def test_a_changed_text_is_offered_again(locales, tmp_path, take_wav):
    walk = _walk(FileSource(take_wav), tmp_path, locales)
    walk.choose("bo")
    entry = walk.entry
    walk.capture()
    walk.keep()
    po = locales / "bo" / "LC_MESSAGES" / "kiosk.po"
    po.write_text(po.read_text(encoding="utf-8").replace(f'msgstr "{entry.text}"', 'msgstr "\u0f40\u0f0b"', 1),
                  encoding="utf-8")
    assert catalog("bo", locales)[entry.key].text == "\u0f40\u0f0b"
    walk = _walk(FileSource(take_wav), tmp_path, locales)
    walk.choose("bo")
    states = dict((e.key, s) for e, s in walk.todo)
    assert states[entry.key] == "changed"
    walk.index = [e.key for e, _ in walk.todo].index(entry.key)
    assert walk.page().lines[1].id == "tech.voice.state.changed"


def test_the_demo_source_is_speech_for_the_whole_pipeline(tmp_path):
    take = audio.process(DemoSource().stop())
    assert 0.8 <= take.seconds < 1.1 and abs(audio.dbfs(take.samples) - audio.TARGET_DBFS) < 1.0
    assert speech_like_wav(tmp_path / "x.wav").exists()


def test_the_language_list_counts_nothing_itself_the_desk_counts_off_the_ui_thread(locales, tmp_path):
    """The count reads every prompt and clip (~50-170 ms), and page() runs on the UI thread at each
    showing: the list shows counts only once count_waiting() (run on the worker pool) has them."""
    walk = _walk(DemoSource(), tmp_path, locales, languages=("ii", "bo"))

    def no_counting_here(lang: str) -> int:
        raise AssertionError(f"page() counted {lang}'s prompts")

    counting, walk.waiting = walk.waiting, no_counting_here
    assert [detail for _, _, detail in walk.page().actions] == [None, None, None]
    walk.waiting = counting
    walk.count_waiting()
    walk.waiting = no_counting_here
    details = [detail for _, _, detail in walk.page().actions]
    assert [d.id for d in details[:2]] == ["tech.voice.waiting"] * 2 and details[2] is None
    assert dict(details[0].params)["count"] == len(to_record("ii", walk.store, locales)) > 0
