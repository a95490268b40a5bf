"""Release tarballs: building one from the source tree, and extracting one safely.

A release is `kiosk-<version>.tar.gz` holding the app source tree (kiosk, devices, flows,
screens, locales, pyproject.toml, requirements.lock, README.md), optionally a `wheels/`
directory, optionally `fleet/root.json` (the trusted TUF root the terminal ships), and a
`manifest.json` with the version and the sha256 of every file.

Extraction trusts nothing in the archive even though TUF verified it: a compromised build machine
must not be able to write outside the release directory. Only regular files and directories are
accepted; absolute names, `..`, links and device files are refused outright.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from kiosk.update.errors import InstallError, RepoToolError
from kiosk.update.rings import is_version

SOURCE_DIRS = ("kiosk", "devices", "flows", "screens", "locales")
SOURCE_FILES = ("pyproject.toml", "requirements.lock", "README.md")
SKIP_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache"}
SKIP_SUFFIXES = (".pyc", ".pyo", ".egg-info", ".swp")
MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
MAX_FILES = 50_000
MAX_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class BuiltArtifact:
    path: Path
    version: str
    files: int
    size: int
    sha256: str
    wheels: int


def project_version(source_root: Path) -> str:
    with (source_root / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def _walk(source_root: Path) -> list[tuple[str, Path]]:
    missing = [n for n in SOURCE_DIRS + SOURCE_FILES if not (source_root / n).exists()]
    if missing:
        raise RepoToolError(f"{source_root}: not a kiosk source tree (missing: {', '.join(missing)})")
    out: list[tuple[str, Path]] = []
    for name in SOURCE_FILES:
        out.append((name, source_root / name))
    for top in SOURCE_DIRS:
        for dirpath, dirnames, filenames in os.walk(source_root / top):
            # sorted in place: a deterministic archive for the same tree
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.endswith(SKIP_SUFFIXES))
            for fn in sorted(filenames):
                path = Path(dirpath) / fn
                if fn.endswith(SKIP_SUFFIXES) or path.is_symlink() or not path.is_file():
                    continue
                out.append((path.relative_to(source_root).as_posix(), path))
    return out


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def build_artifact(source_root: Path, out: Path, version: str | None = None, *,
                   trusted_root: Path | None = None, wheels_dir: Path | None = None) -> BuiltArtifact:
    source_root = source_root.resolve()
    version = version or project_version(source_root)
    if not is_version(version):
        raise RepoToolError(f"not a version (expected digits and dots, e.g. 1.4.2): {version!r}")
    entries = _walk(source_root)
    if trusted_root is not None:
        entries.append(("fleet/root.json", trusted_root))
    wheels = 0
    if wheels_dir is not None:
        for whl in sorted(wheels_dir.glob("*.whl")):
            entries.append((f"wheels/{whl.name}", whl))
            wheels += 1
    # SOURCE_DATE_EPOCH makes the archive byte-for-byte reproducible when a build wants it.
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))
    files = {name: _sha256_file(path) for name, path in entries}
    manifest = {"name": "kiosk", "format": MANIFEST_FORMAT, "version": version,
                "built_at": time.strftime("%Y-%m-%d", time.gmtime(mtime)), "wheels": wheels, "files": files}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=mtime) as gz, \
                tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
            data = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
            tar.addfile(_info(MANIFEST, len(data), 0o644, mtime), io.BytesIO(data))
            for name, path in entries:
                mode = 0o755 if path.stat().st_mode & 0o111 else 0o644  # keep the executable bit only
                with path.open("rb") as f:
                    tar.addfile(_info(name, path.stat().st_size, mode, mtime), f)
    os.replace(tmp, out)
    return BuiltArtifact(out, version, len(entries), out.stat().st_size, _sha256_file(out), wheels)


def _info(name: str, size: int, mode: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, mode, mtime
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def _check_member(member: tarfile.TarInfo, seen: set[str]) -> str:
    name = member.name
    if not name or "\x00" in name or "\\" in name:
        raise InstallError(f"unsafe archive: bad member name {name!r}")
    pure = PurePosixPath(name)
    if pure.is_absolute() or name.startswith("/"):
        raise InstallError(f"unsafe archive: absolute path {name!r}")
    if any(part == ".." for part in pure.parts):
        raise InstallError(f"unsafe archive: parent reference in {name!r}")
    if not (member.isreg() or member.isdir()):
        kind = "link" if (member.issym() or member.islnk()) else "special file"
        raise InstallError(f"unsafe archive: {kind} {name!r} (only files and directories are allowed)")
    norm = pure.as_posix().strip("/")
    if norm in seen:
        raise InstallError(f"unsafe archive: duplicate member {name!r}")
    seen.add(norm)
    return norm


def safe_extract(tarball: Path, dest: Path, expected_version: str | None = None) -> dict[str, Any]:
    """Extract into `dest` (which must exist and be empty) and return the checked manifest."""
    files: set[str] = set()
    try:
        with tarfile.open(tarball, "r:gz") as tar:
            members = tar.getmembers()
            if len(members) > MAX_FILES:
                raise InstallError(f"unsafe archive: {len(members)} members (limit {MAX_FILES})")
            seen: set[str] = set()
            total = 0
            for m in members:
                name = _check_member(m, seen)
                if m.isreg():
                    files.add(name)
                total += m.size
                if total > MAX_BYTES:
                    raise InstallError("unsafe archive: larger than the extraction limit")
            if MANIFEST not in files:
                raise InstallError("release has no manifest.json")
            # The "data" filter (PEP 706) is a second line of defence behind the checks above.
            tar.extractall(dest, members=members, filter="data")
    except tarfile.TarError as e:
        raise InstallError(f"corrupt or refused release archive: {e}") from e
    except EOFError as e:
        raise InstallError(f"truncated release archive: {e}") from e
    except OSError as e:
        raise InstallError(f"cannot extract release: {e}") from e
    manifest = check_manifest(dest, expected_version)
    unlisted = sorted(files - set(manifest["files"]) - {MANIFEST})
    if unlisted:
        # The manifest describes the whole release: `kiosk diag` can then verify an install.
        raise InstallError(f"release file {unlisted[0]!r} is not in manifest.json")
    return manifest


def check_manifest(release_dir: Path, expected_version: str | None = None) -> dict[str, Any]:
    try:
        manifest = json.loads((release_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InstallError(f"unreadable manifest.json: {e}") from e
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise InstallError("manifest.json: unknown format")
    version = manifest.get("version")
    if expected_version is not None and version != expected_version:
        raise InstallError(f"manifest.json says version {version!r}, the signed metadata says {expected_version!r}")
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise InstallError("manifest.json: no file list")
    root = release_dir.resolve()
    for name, digest in files.items():
        # A name is a plain relative path inside the release: a manifest naming `../../etc/hostname`
        # or a symlinked path would have the updater hash (and accept) a file it did not ship.
        pure = PurePosixPath(name) if isinstance(name, str) else None
        if (pure is None or not name or "\x00" in name or "\\" in name or pure.is_absolute()
                or any(part in ("..", ".", "") for part in name.split("/"))):
            raise InstallError(f"manifest.json: file name {name!r} is not a path inside the release")
        path = release_dir / name
        try:
            inside = path.resolve().is_relative_to(root) and not path.is_symlink()
        except (OSError, RuntimeError):
            inside = False
        if not inside:
            raise InstallError(f"manifest.json: file name {name!r} leads outside the release")
        if not isinstance(digest, str) or not path.is_file() or _sha256_file(path) != digest:
            raise InstallError(f"release file {name!r} does not match manifest.json")
    return manifest
