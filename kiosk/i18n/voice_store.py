"""Where the spoken prompts live and what each one is: `<root>/<lang>/voice/<key>.ogg|.wav` plus
`<root>/<lang>/voice/manifest.json`, one entry per clip:

    {"key": {"text_sha": "...", "status": "generated|recorded|reviewed", "file": "key.ogg",
             "sha256": "...", "at": "2026-...", "by": "..."}}

`text_sha` is the hash of the catalog text the clip was made for: when a translator changes the
text, the clip is *changed*, and it is not played any more (it would say the old words) until it is
recorded again. A clip without a manifest entry (copied in by hand) counts as recorded, unreviewed,
for the text of the day it was found: we cannot know better, and say so in the report.

The root is the source tree's locales/ for the generated Chinese/English clips, or a terminal's
data directory for recorded and imported packs; both have the same layout.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from kiosk.i18n.translator import DOMAIN, LOCALES_DIR

PLACEHOLDER = re.compile(r"\{\w+\}")
CLIP_EXTS = (".ogg", ".wav")
STATUSES = ("generated", "recorded", "reviewed")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)+$")  # catalog key shape; nothing path-like


@dataclass(frozen=True)
class CatalogEntry:
    key: str
    text: str
    context: str       # the translator's "#." comment: what a speaker needs to say it right
    source_text: str   # the Chinese text, shown beside a Tibetan or Yi prompt


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def file_sha(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def _read_po(path: Path) -> Any:
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        return read_po(f)


@lru_cache(maxsize=16)
def _catalog(locales_dir: Path, lang: str, mtime: float) -> dict[str, CatalogEntry]:
    src = {m.id: str(m.string) for m in _read_po(locales_dir / "zh_CN" / "LC_MESSAGES" / f"{DOMAIN}.po") if m.id}
    out = {}
    po = locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    for m in _read_po(po if po.exists() else locales_dir / "zh_CN" / "LC_MESSAGES" / f"{DOMAIN}.po"):
        # A technician text kept in Chinese on purpose (review: staff-zh) is no prompt of this
        # language: staff screens are never spoken, and a Tibetan speaker would be asked to
        # record Chinese words.
        if "review: staff-zh" in m.user_comments:
            continue
        if m.id and m.id in src and not PLACEHOLDER.search(src[m.id]):
            context = " ".join(c for c in m.auto_comments if not c.startswith("zh_CN:"))
            out[m.id] = CatalogEntry(m.id, str(m.string), context, src[m.id])
    return out


def catalog(lang: str, locales_dir: Path = LOCALES_DIR) -> dict[str, CatalogEntry]:
    """The speakable texts of one language (no {placeholder}: its parameter cannot be recorded;
    no staff text kept in Chinese)."""
    po = locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    return _catalog(locales_dir, lang, po.stat().st_mtime if po.exists() else 0.0)


def known_keys(locales_dir: Path = LOCALES_DIR) -> set[str]:
    return set(catalog("zh_CN", locales_dir))


TERMINAL_CLIPS = "clips"  # <data dir>/clips: what this terminal recorded or imported (packs)


def clip_roots(data_dir: Path, locales_dir: Path = LOCALES_DIR) -> list[Path]:
    """Where the kiosk looks for a prompt's clip, first to last: the terminal's own clips (kept
    in its data dir, so an app update, which replaces the install, never loses a hall's
    recordings), then the shipped ones."""
    return [Path(data_dir) / TERMINAL_CLIPS, Path(locales_dir)]


class ClipStore:
    """The clips of one root directory, per language."""

    def __init__(self, root: Path = LOCALES_DIR) -> None:
        self.root = Path(root)
        self._manifests: dict[str, dict[str, dict[str, Any]]] = {}

    def dir(self, lang: str) -> Path:
        return self.root / lang / "voice"

    def manifest(self, lang: str) -> dict[str, dict[str, Any]]:
        if lang not in self._manifests:
            path = self.dir(lang) / "manifest.json"
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            self._manifests[lang] = data if isinstance(data, dict) else {}
        return self._manifests[lang]

    def save_manifest(self, lang: str) -> None:
        d = self.dir(lang)
        d.mkdir(parents=True, exist_ok=True)
        tmp = d / "manifest.json.partial"
        tmp.write_text(json.dumps(self.manifest(lang), ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, d / "manifest.json")

    def file(self, lang: str, key: str) -> Path | None:
        if not KEY_RE.match(key):
            return None
        for ext in CLIP_EXTS:
            p = self.dir(lang) / f"{key}{ext}"
            if p.is_file():
                return p
        return None

    def put(self, lang: str, key: str, src: Path, text: str, status: str, **extra: Any) -> Path:
        """Store a clip file (moved into place atomically) and its manifest entry."""
        if not KEY_RE.match(key) or status not in STATUSES or src.suffix not in CLIP_EXTS:
            raise ValueError(f"bad clip {key!r} {status!r} {src.suffix!r}")
        d = self.dir(lang)
        d.mkdir(parents=True, exist_ok=True)
        dest = d / f"{key}{src.suffix}"
        for ext in CLIP_EXTS:  # one format per key: an old .wav must not shadow a new .ogg
            old = d / f"{key}{ext}"
            if ext != src.suffix and old.exists():
                old.unlink()
        partial = d / f".{key}{src.suffix}.partial"
        partial.write_bytes(src.read_bytes())
        os.replace(partial, dest)
        entry = {"text_sha": text_sha(text), "status": status, "file": dest.name, "sha256": file_sha(dest)}
        entry.update({k: v for k, v in extra.items() if v is not None})
        self.manifest(lang)[key] = entry
        return dest

    def state(self, lang: str, key: str, text: str) -> str:
        """missing | changed | generated | recorded | reviewed, for the current catalog text."""
        if self.file(lang, key) is None:
            return "missing"
        entry = self.manifest(lang).get(key)
        if entry is None:
            return "recorded"  # no manifest entry: a hand-copied clip, not reviewed
        if entry.get("text_sha") != text_sha(text):
            return "changed"
        status = entry.get("status")
        return status if status in STATUSES else "recorded"

    def playable(self, lang: str, key: str, text: str) -> Path | None:
        """The clip to play for this text, or None (missing, or recorded for an older text)."""
        return None if self.state(lang, key, text) in ("missing", "changed") else self.file(lang, key)


def report(languages: Iterable[str], locales_dir: Path = LOCALES_DIR,
           roots: Iterable[Path] | None = None) -> dict[str, dict[str, Any]]:
    """Per language: how many prompts, and each key's state (the best state over the roots)."""
    stores = [ClipStore(r) for r in (roots or [locales_dir])]
    rank = {"missing": 0, "changed": 1, "recorded": 2, "generated": 3, "reviewed": 4}
    out: dict[str, dict[str, Any]] = {}
    for lang in languages:
        entries = catalog(lang, locales_dir)
        by_state: dict[str, list[str]] = {s: [] for s in rank}
        for key, entry in sorted(entries.items()):
            best = max((s.state(lang, key, entry.text) for s in stores), key=rank.__getitem__)
            by_state[best].append(key)
        out[lang] = {"prompts": len(entries),
                     "playable": sum(len(by_state[s]) for s in ("generated", "recorded", "reviewed")),
                     "generated": len(by_state["generated"]), "recorded": len(by_state["recorded"]),
                     "reviewed": len(by_state["reviewed"]),
                     "missing": by_state["missing"], "changed": by_state["changed"]}
    return out
