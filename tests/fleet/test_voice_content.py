"""A prefecture records a language's prompts once; the fleet's content channel carries the pack to
every terminal (issue 16 item 4): published as a `voice-<lang>` content target, fetched through
TUF by `kiosk update content`, checked whole as hostile input, imported into the terminal's own
clip store in its data dir (which an app update never replaces), and played by the kiosk."""
from __future__ import annotations

import io
import json
from pathlib import Path

from kiosk.i18n.translator import LOCALES_DIR
from kiosk.i18n.voice import NullPlayer, Voice
from kiosk.i18n.voice_pack import export_pack
from kiosk.i18n.voice_record import FileSource, record
from kiosk.i18n.voice_store import ClipStore, clip_roots
from kiosk.terminal.cli import main
from tests.voice.conftest import speech_like_wav


def pack_of(tmp_path: Path, lang: str, key: str, name: str) -> Path:
    hall = ClipStore(tmp_path / f"hall-{name}")
    record(lang, FileSource(speech_like_wav(tmp_path / f"{name}.wav")), hall, LOCALES_DIR, io.StringIO("\nk\n"),
           io.StringIO(), keys=[key], play=lambda p: True, clock=lambda: "2026-12-06T00:00:00+00:00")
    out = tmp_path / f"{name}.tar.gz"
    export_pack(lang, out, hall)
    return out


def content(monkeypatch, capsys, tmp_path, server, trusted) -> tuple[int, dict]:
    site = tmp_path / "site.toml"
    site.write_text(f'profile = "demo"\n[terminal]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    monkeypatch.setattr("sys.argv", ["kiosk", "update", "content", "--root", str(tmp_path / "terminal"),
                                     "--repo", server.url, "--trusted-root", str(trusted),
                                     "--config", str(site), "--terminal-id", "terminal-0001"])
    rc = main()
    return rc, json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_a_prefectures_tibetan_pack_reaches_a_terminal_and_is_spoken(tmp_path, repo, server, monkeypatch, capsys):
    trusted = tmp_path / "shipped-root.json"
    trusted.write_bytes((repo.metadata_dir / "root.json").read_bytes())
    repo.release_content("voice-bo", pack_of(tmp_path, "bo", "start.subtitle", "bo1"), "1")

    rc, out = content(monkeypatch, capsys, tmp_path, server, trusted)
    assert rc == 0 and out["voice-bo"]["version"] == "1" and out["voice-bo"]["imported"] == 1
    voice = Voice(NullPlayer(), roots=clip_roots(tmp_path / "data"))
    assert voice.say("bo", ["start.subtitle"]) and not voice.last_spoken.fallback  # Tibetan, not the stand-in

    rc, out = content(monkeypatch, capsys, tmp_path, server, trusted)
    assert rc == 0 and out["voice-bo"] == {"version": "1", "imported": "already"}


def test_a_pack_of_another_language_is_refused_whole(tmp_path, repo, server, monkeypatch, capsys):
    trusted = tmp_path / "shipped-root.json"
    trusted.write_bytes((repo.metadata_dir / "root.json").read_bytes())
    repo.release_content("voice-bo", pack_of(tmp_path, "ii", "start.subtitle", "ii1"), "2")  # Yi, labelled Tibetan

    rc, out = content(monkeypatch, capsys, tmp_path, server, trusted)
    assert rc == 1 and out["voice-bo"]["error"] == "pack_refused" and "not a bo pack" in out["voice-bo"]["reason"]
    assert not (tmp_path / "data" / "clips" / "ii").exists() and not (tmp_path / "data" / "clips" / "bo").exists()
