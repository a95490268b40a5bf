"""A prompt pack is hostile input: anything off and nothing at all is imported."""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from kiosk.i18n import voice_pack
from kiosk.i18n.voice_pack import PackError, import_pack
from kiosk.i18n.voice_store import ClipStore

OGG = b"OggS" + b"\0" * 200


def entry(data: bytes, key: str = "done.title", ext: str = "ogg", **over) -> dict:
    meta = {"file": f"{key}.{ext}", "sha256": hashlib.sha256(data).hexdigest(), "text_sha": "0123456789abcdef",
            "status": "recorded"}
    meta.update(over)
    return meta


def make_pack(path: Path, members: list[tuple[str, bytes, str]], manifest: dict | None = None) -> Path:
    """members: (name, data, kind) with kind reg|sym|hard|dir."""
    with tarfile.open(path, "w:gz") as tar:
        if manifest is not None:
            raw = json.dumps(manifest).encode()
            info = tarfile.TarInfo("pack.json")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
        for name, data, kind in members:
            info = tarfile.TarInfo(name)
            if kind == "reg":
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
                continue
            info.type = {"sym": tarfile.SYMTYPE, "hard": tarfile.LNKTYPE, "dir": tarfile.DIRTYPE}[kind]
            info.linkname = "/etc/passwd"
            tar.addfile(info)
    return path


def good_manifest(data: bytes = OGG, key: str = "done.title") -> dict:
    return {"format": 1, "lang": "bo", "clips": {key: entry(data, key)}}


def test_a_good_pack_imports(tmp_path):
    pack = make_pack(tmp_path / "p.tar.gz", [("clips/done.title.ogg", OGG, "reg")], good_manifest())
    assert import_pack(pack, ClipStore(tmp_path / "clips"))["imported"] == 1
    assert (tmp_path / "clips" / "bo" / "voice" / "done.title.ogg").read_bytes() == OGG


BAD = {
    "path traversal": ("not a clip of a known prompt", [("clips/../../../../tmp/evil.ogg", OGG, "reg")], good_manifest()),
    "absolute path": ("not a clip of a known prompt", [("/tmp/done.title.ogg", OGG, "reg")], good_manifest()),
    "symlink": ("not a regular file", [("clips/done.title.ogg", b"", "sym")], good_manifest()),
    "hard link": ("not a regular file", [("clips/done.title.ogg", b"", "hard")], good_manifest()),
    "directory": ("not a regular file", [("clips/", b"", "dir"), ("clips/done.title.ogg", OGG, "reg")], good_manifest()),
    "unknown key": ("not a clip of a known prompt", [("clips/not.a.key.ogg", OGG, "reg")], good_manifest(key="not.a.key")),
    "other file": ("not a clip of a known prompt", [("clips/done.title.ogg", OGG, "reg"), ("run.sh", b"#!/bin/sh", "reg")], good_manifest()),
    "hash mismatch": ("does not match its hash", [("clips/done.title.ogg", OGG + b"x", "reg")], good_manifest()),
    "not audio": ("clip is not audio", [("clips/done.title.ogg", b"MZ" * 50, "reg")], good_manifest(b"MZ" * 50)),
    "clip without entry": ("clips without an entry", [("clips/done.title.ogg", OGG, "reg"), ("clips/help.how.ogg", OGG, "reg")], good_manifest()),
    "entry without clip": ("clip missing", [], good_manifest()),
    "no manifest": ("pack.json missing", [("clips/done.title.ogg", OGG, "reg")], None),
    "unknown language": ("unknown language", [("clips/done.title.ogg", OGG, "reg")], {**good_manifest(), "lang": "../x"}),
    "bad status": ("bad text hash or status", [("clips/done.title.ogg", OGG, "reg")],
                   {"format": 1, "lang": "bo", "clips": {"done.title": entry(OGG, status="approved-by-me")}}),
    "file name not the key": ("does not match$", [("clips/help.how.ogg", OGG, "reg")],
                              {"format": 1, "lang": "bo", "clips": {"done.title": entry(OGG, file="help.how.ogg")}}),
    "twice": ("twice", [("clips/done.title.ogg", OGG, "reg"), ("clips/done.title.ogg", OGG, "reg")], good_manifest()),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_hostile_pack_is_refused_whole(tmp_path, case):
    reason, members, manifest = BAD[case]
    pack = make_pack(tmp_path / "p.tar.gz", members, manifest)
    with pytest.raises(PackError, match=reason):  # refused by the check meant for it
        import_pack(pack, ClipStore(tmp_path / "clips"))
    assert not (tmp_path / "clips").exists()  # nothing written, not even a manifest
    assert not (tmp_path / "tmp").exists() and not Path("/tmp/evil.ogg").exists()


def test_oversized_clip_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(voice_pack, "MAX_CLIP", 100)
    pack = make_pack(tmp_path / "p.tar.gz", [("clips/done.title.ogg", OGG, "reg")], good_manifest())
    with pytest.raises(PackError, match="larger than"):
        import_pack(pack, ClipStore(tmp_path / "clips"))


def test_decompression_bomb_stops_at_the_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(voice_pack, "MAX_UNPACKED", 64 << 10)
    big = b"OggS" + b"\0" * (1 << 20)  # 1 MB of zeros: a few KB compressed
    pack = make_pack(tmp_path / "p.tar.gz", [("clips/done.title.ogg", big, "reg")], good_manifest(big))
    assert pack.stat().st_size < 20_000
    with pytest.raises(PackError, match="unpacks to more"):
        import_pack(pack, ClipStore(tmp_path / "clips"))


def test_not_a_gzip_and_truncated(tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"\x1f\x8b" + b"garbage" * 10)
    with pytest.raises(PackError):
        import_pack(junk, ClipStore(tmp_path / "clips"))
    pack = make_pack(tmp_path / "p.tar.gz", [("clips/done.title.ogg", OGG * 100, "reg")], good_manifest(OGG * 100))
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(gzip.compress(gzip.decompress(pack.read_bytes())[:1500]))
    with pytest.raises(PackError):
        import_pack(cut, ClipStore(tmp_path / "clips"))


def test_local_reviewed_clip_is_not_replaced_by_an_unreviewed_one(tmp_path):
    store = ClipStore(tmp_path / "clips")
    pack = make_pack(tmp_path / "p.tar.gz", [("clips/done.title.ogg", OGG, "reg")],
                     {"format": 1, "lang": "bo", "clips": {"done.title": entry(OGG, status="reviewed")}})
    import_pack(pack, store)
    newer = OGG + b"new"
    pack2 = make_pack(tmp_path / "p2.tar.gz", [("clips/done.title.ogg", newer, "reg")], good_manifest(newer))
    assert import_pack(pack2, ClipStore(tmp_path / "clips"))["kept_local"] == 1
    assert (tmp_path / "clips" / "bo" / "voice" / "done.title.ogg").read_bytes() == OGG
