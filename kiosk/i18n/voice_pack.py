"""Prompt packs: a language's recorded clips in one .tar.gz, so a prefecture records once and every
terminal imports the same voice.

    pack.json          {"format": 1, "lang": "bo", "clips": {"<key>": {"file", "sha256", "text_sha",
                        "status", "at", "by", ...}}}
    clips/<key>.ogg    (or .wav), one per entry

A pack comes over a USB stick or the fleet's content channel (kiosk/update/content.py fetches a
`voice-<lang>` content target through TUF, then the terminal calls `import_pack` on the file it
downloaded), so import treats it as hostile input: the pack is read as a stream with the bytes
decompressed bounded; every member must be exactly `pack.json` or `clips/<known key>.<ogg|wav>`, a
regular file, within size; every clip must match its hash and look like audio; anything else and
nothing at all is imported. Only the clip store is written, through ClipStore.put (atomic renames).
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from kiosk.i18n.languages import LANGUAGES
from kiosk.i18n.translator import LOCALES_DIR
from kiosk.i18n.voice_store import STATUSES, ClipStore, catalog, known_keys

FORMAT = 1
MAX_PACK_BYTES = 64 << 20      # compressed file size
MAX_UNPACKED = 96 << 20        # bytes decompressed, headers included: a gzip bomb stops here
MAX_CLIP = 2 << 20             # a 30 s prompt at ogg q3 is ~0.3 MB; a WAV ~1.3 MB
MAX_MANIFEST = 1 << 20
CLIP_NAME = re.compile(r"^clips/([A-Za-z0-9_.]{3,80})\.(ogg|wav)$")
SHA_HEX = re.compile(r"^[0-9a-f]{16,64}$")


class PackError(Exception):
    """The pack was refused; nothing was imported."""


class _Bounded(io.RawIOBase):
    """Reads at most `limit` bytes from a stream, then fails (a decompression bomb stops early)."""

    def __init__(self, raw: Any, limit: int) -> None:
        self.raw, self.left = raw, limit

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self.raw.read(min(len(b), self.left + 1))
        if len(data) > self.left:
            raise PackError(f"pack unpacks to more than {MAX_UNPACKED >> 20} MB")
        self.left -= len(data)
        b[: len(data)] = data
        return len(data)


def export_pack(lang: str, out: Path, store: ClipStore, locales_dir: Path = LOCALES_DIR,
                include_unreviewed: bool = True) -> dict[str, int]:
    """Write the language's playable recorded clips (not generated ones: every terminal makes those
    itself, and not stale ones: they say an old text) into `out`."""
    wanted = ("recorded", "reviewed") if include_unreviewed else ("reviewed",)
    clips: dict[str, dict[str, Any]] = {}
    files: dict[str, Path] = {}
    for key, entry in sorted(catalog(lang, locales_dir).items()):
        path = store.file(lang, key)
        if path is None or store.state(lang, key, entry.text) not in wanted:
            continue
        meta = dict(store.manifest(lang).get(key) or {"text_sha": "", "status": "recorded"})
        if not meta.get("text_sha"):
            from kiosk.i18n.voice_store import text_sha
            meta["text_sha"] = text_sha(entry.text)
        meta.update(file=path.name, sha256=hashlib.sha256(path.read_bytes()).hexdigest())
        clips[key], files[key] = meta, path
    manifest = json.dumps({"format": FORMAT, "lang": lang, "clips": clips}, ensure_ascii=False, indent=1).encode()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with tarfile.open(partial, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        _add(tar, "pack.json", manifest)
        for key, path in files.items():
            _add(tar, f"clips/{path.name}", path.read_bytes())
    partial.replace(out)
    return {"clips": len(clips)}


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o644, 0  # mtime 0: the same clips, the same pack
    tar.addfile(info, io.BytesIO(data))


def _looks_like_audio(data: bytes, ext: str) -> bool:
    return data.startswith(b"OggS") if ext == "ogg" else (data[:4] == b"RIFF" and data[8:12] == b"WAVE")


def read_pack(path: Path, locales_dir: Path = LOCALES_DIR) -> tuple[str, dict[str, dict[str, Any]], dict[str, bytes]]:
    """Parse and check a pack fully in memory (bounded); raises PackError on anything off."""
    path = Path(path)
    if not path.is_file() or path.stat().st_size > MAX_PACK_BYTES:
        raise PackError(f"not a file or larger than {MAX_PACK_BYTES >> 20} MB: {path.name}")
    keys = known_keys(locales_dir)
    manifest_raw: bytes | None = None
    blobs: dict[str, bytes] = {}  # "clips/<file>" -> bytes
    try:
        with gzip.open(path, "rb") as gz, tarfile.open(fileobj=io.BufferedReader(_Bounded(gz, MAX_UNPACKED)),
                                                       mode="r|") as tar:
            for n, member in enumerate(tar):
                if n > 2 * len(keys) + 2:
                    raise PackError("too many files in the pack")
                name = member.name
                if not member.isreg():
                    raise PackError(f"{name!r}: not a regular file (links and devices are refused)")
                if name in blobs or (name == "pack.json" and manifest_raw is not None):
                    raise PackError(f"{name!r}: twice in the pack")
                limit = MAX_MANIFEST if name == "pack.json" else MAX_CLIP
                if member.size > limit:
                    raise PackError(f"{name!r}: larger than {limit} bytes")
                if name != "pack.json":
                    m = CLIP_NAME.match(name)
                    if not m or m.group(1) not in keys:
                        raise PackError(f"{name!r}: not a clip of a known prompt")
                f = tar.extractfile(member)
                data = f.read(limit + 1) if f else b""
                if len(data) != member.size:
                    raise PackError(f"{name!r}: truncated")
                if name == "pack.json":
                    manifest_raw = data
                else:
                    blobs[name] = data
    except (tarfile.TarError, OSError, EOFError, gzip.BadGzipFile) as e:
        raise PackError(f"not a readable pack ({e})") from None
    if manifest_raw is None:
        raise PackError("pack.json missing")
    try:
        manifest = json.loads(manifest_raw)
    except ValueError:
        raise PackError("pack.json is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PackError("unknown pack format")
    lang, clips = manifest.get("lang"), manifest.get("clips")
    if lang not in LANGUAGES or not isinstance(clips, dict):
        raise PackError(f"unknown language {lang!r}")
    data_by_key: dict[str, bytes] = {}
    for key, meta in clips.items():
        if key not in keys or not isinstance(meta, dict):
            raise PackError(f"{key!r}: not a known prompt")
        file = meta.get("file")
        m = CLIP_NAME.match(f"clips/{file}") if isinstance(file, str) else None
        if not m or m.group(1) != key:
            raise PackError(f"{key!r}: clip file name {file!r} does not match")
        data = blobs.pop(f"clips/{file}", None)
        if data is None:
            raise PackError(f"{key!r}: clip missing")
        if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
            raise PackError(f"{key!r}: clip does not match its hash")
        if not _looks_like_audio(data, m.group(2)):
            raise PackError(f"{key!r}: clip is not audio")
        if not SHA_HEX.match(str(meta.get("text_sha", ""))) or meta.get("status") not in STATUSES:
            raise PackError(f"{key!r}: bad text hash or status")
        data_by_key[key] = data
    if blobs:
        raise PackError(f"clips without an entry: {sorted(blobs)[:3]}")
    return lang, clips, data_by_key


def import_pack(path: Path, store: ClipStore, locales_dir: Path = LOCALES_DIR,
                clock: Any = time.time) -> dict[str, Any]:
    """Check the whole pack, then install its clips. A clip already reviewed here for the same text
    is not replaced by an unreviewed one. Clips recorded for a text that differs from this
    terminal's catalog are installed but show as `changed` (and are not played) until re-recorded."""
    lang, clips, data_by_key = read_pack(path, locales_dir)
    texts = {k: e.text for k, e in catalog(lang, locales_dir).items()}
    summary: dict[str, Any] = {"lang": lang, "imported": 0, "kept_local": 0, "changed": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for key, meta in sorted(clips.items()):
            local = store.manifest(lang).get(key) or {}
            if (local.get("status") == "reviewed" and meta["status"] != "reviewed"
                    and local.get("text_sha") == meta["text_sha"] and store.file(lang, key)):
                summary["kept_local"] += 1
                continue
            src = Path(tmp) / meta["file"]
            src.write_bytes(data_by_key[key])
            extra = {k: v for k, v in meta.items()
                     if k in ("at", "by", "seconds", "reviewed_at", "reviewed_by") and isinstance(v, (str, int, float))}
            store.put(lang, key, src, texts.get(key, ""), meta["status"], imported_at=int(clock()), **extra)
            store.manifest(lang)[key]["text_sha"] = meta["text_sha"]  # what it was recorded for
            if store.state(lang, key, texts.get(key, "")) == "changed":
                summary["changed"] += 1
            summary["imported"] += 1
    store.save_manifest(lang)
    return summary
