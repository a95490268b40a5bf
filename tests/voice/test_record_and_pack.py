"""The recording walk end to end on a file source, its pack imported by another terminal."""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from kiosk.i18n import voice_audio as audio
from kiosk.i18n.voice import NOTE_FALLBACK, NullPlayer, Voice
from kiosk.i18n.voice_record import FileSource, record, review, to_record
from kiosk.i18n.voice_store import ClipStore, catalog
from kiosk.terminal.cli import main

KEYS = ["start.subtitle", "voice.digit.1", "done.title"]


def run_cli(monkeypatch, capsys, argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def test_record_export_import_on_another_terminal(tmp_path, take_wav, monkeypatch, capsys):
    hall_a, hall_b = tmp_path / "terminal_a", tmp_path / "terminal_b"
    # key 1: record, listen, redo, keep; key 2: record, keep (Enter); key 3: skip
    script = "\nl\nr\nk\n\n\ns\n"
    argv = ["voice", "record", "--lang", "bo", "--source", str(take_wav), "--clips", str(hall_a), "--speaker", "Tsering"]
    for key in KEYS:
        argv += ["--key", key]
    rc, out, _ = run_cli(monkeypatch, capsys, argv, script)
    assert rc == 0 and "3 prompts to record" in out and "kept 2, skipped 1" in out
    assert "context: " in out and "Chinese: 请选择要办理的业务" in out  # what a speaker needs to see
    manifest = json.loads((hall_a / "bo" / "voice" / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest) == {"done.title", "start.subtitle"}  # sorted walk: done.title, start.subtitle, voice.digit.1 skipped
    assert manifest["start.subtitle"]["status"] == "recorded" and manifest["start.subtitle"]["by"] == "Tsering"

    rc, out, _ = run_cli(monkeypatch, capsys, ["voice", "report", "--json", "--clips", str(hall_a)])
    bo = json.loads(out)["bo"]
    assert bo["recorded"] == 2 and "start.subtitle" not in bo["missing"] and "voice.digit.1" in bo["missing"]

    pack = tmp_path / "bo-pack.tar.gz"
    rc, out, _ = run_cli(monkeypatch, capsys, ["voice", "export", "--lang", "bo", "--out", str(pack), "--clips", str(hall_a)])
    assert rc == 0 and "2 clips" in out
    rc, out, _ = run_cli(monkeypatch, capsys, ["voice", "import", str(pack), "--clips", str(hall_b)])
    assert rc == 0 and "imported 2" in out
    rc, out, _ = run_cli(monkeypatch, capsys, ["voice", "report", "--json", "--clips", str(hall_b)])
    assert json.loads(out)["bo"]["recorded"] == 2

    # terminal B now speaks those two prompts in Tibetan, the rest honestly in Chinese
    (hall_b / "zh_CN" / "voice").mkdir(parents=True)
    (hall_b / "zh_CN" / "voice" / "voice.digit.1.ogg").write_bytes(b"OggS")
    player = NullPlayer()
    voice = Voice(player, roots=[hall_b])
    played = voice.say("bo", ["start.subtitle", "voice.digit.1"])
    assert [p.parent.parent.name for p in played] == ["bo", "zh_CN"]
    assert voice.last_spoken.fallback == ["voice.digit.1"] and voice.last_spoken.note == NOTE_FALLBACK
    assert voice.last_spoken.spoken_in == "zh_CN"


def test_processed_take_is_trimmed_and_at_target_loudness(take_wav):
    raw = audio.read_wav(take_wav)
    done = audio.process(raw)
    assert abs(audio.dbfs(done.samples) - audio.TARGET_DBFS) < 1.0
    assert 0.8 <= done.seconds <= 0.8 + 2 * audio.PAD_S + 0.05 < raw.seconds  # 0.7 s of silence gone each side
    assert float(abs(done.samples).max()) <= 10 ** (audio.PEAK_DBFS / 20) + 1e-6


def test_changed_text_is_not_played_and_is_offered_again(locales, take_wav, tmp_path):
    clips = ClipStore(tmp_path / "clips")
    out = io.StringIO()
    record("ii", FileSource(take_wav), clips, locales, io.StringIO("\nk\n"), out, keys=["done.title"],
           play=lambda p: True, clock=lambda: "2026-01-01T00:00:00+00:00")
    assert clips.state("ii", "done.title", catalog("ii", locales)["done.title"].text) == "recorded"
    voice = Voice(NullPlayer(), locales, roots=[tmp_path / "clips"])
    assert voice.say("ii", ["done.title"]) and not voice.last_spoken.fallback

    po = locales / "ii" / "LC_MESSAGES" / "kiosk.po"
    old = catalog("ii", locales)["done.title"].text
    po.write_text(po.read_text(encoding="utf-8").replace(f'msgstr "{old}"', 'msgstr "ꀉꄿ"', 1), encoding="utf-8")
    text = catalog("ii", locales)["done.title"].text
    assert text == "ꀉꄿ" and ClipStore(tmp_path / "clips").state("ii", "done.title", text) == "changed"
    voice = Voice(NullPlayer(), locales, roots=[tmp_path / "clips"])
    assert voice.say("ii", ["done.title"]) == [] and voice.last_spoken.silent == ["done.title"]  # never the old words
    todo = [e.key for e, state in to_record("ii", ClipStore(tmp_path / "clips"), locales, keys=["done.title"])]
    assert todo == ["done.title"]
    assert to_record("ii", ClipStore(tmp_path / "clips"), locales, only_missing=True, keys=["done.title"]) == []


def test_review_accepts_and_rejects(locales, take_wav, tmp_path):
    clips = ClipStore(tmp_path / "clips")
    record("bo", FileSource(take_wav), clips, locales, io.StringIO("\nk\n\nk\n"), io.StringIO(),
           keys=["done.title", "start.subtitle"], play=lambda p: True)
    done = review("bo", ClipStore(tmp_path / "clips"), locales, io.StringIO("a\nx\n"), io.StringIO(), reviewer="Dolma")
    assert done == {"reviewed": ["done.title"], "rejected": ["start.subtitle"], "skipped": []}
    fresh = ClipStore(tmp_path / "clips")
    texts = catalog("bo", locales)
    assert fresh.state("bo", "done.title", texts["done.title"].text) == "reviewed"
    assert fresh.state("bo", "start.subtitle", texts["start.subtitle"].text) == "missing"


def test_end_of_stdin_keeps_what_was_recorded(locales, take_wav, tmp_path):
    clips = ClipStore(tmp_path / "clips")
    result = record("bo", FileSource(take_wav), clips, locales, io.StringIO("\nk\n"), io.StringIO(), play=lambda p: True)
    assert result.quit and len(result.kept) == 1
    assert json.loads((tmp_path / "clips" / "bo" / "voice" / "manifest.json").read_text())


def test_silence_is_not_kept(locales, tmp_path):
    from tests.voice.conftest import speech_like_wav

    quiet = speech_like_wav(tmp_path / "quiet.wav", level=0.0)
    clips = ClipStore(tmp_path / "clips")
    out = io.StringIO()
    result = record("bo", FileSource(quiet), clips, locales, io.StringIO("\ns\n"), out, keys=["done.title"])
    assert "heard only silence" in out.getvalue() and result.kept == [] and result.skipped == ["done.title"]
    assert not Path(tmp_path / "clips" / "bo" / "voice" / "done.title.ogg").exists()
