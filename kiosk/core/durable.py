"""Writes that survive a power cut: a reader sees the old content or the new one, never half.

The pattern is the classic one: write a temporary file in the same directory, fsync it, rename
it over the target, fsync the directory (the rename is only durable once the directory is)."""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any, Callable


def fsync_dir(path: str | os.PathLike[str]) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, mode: int = 0o644) -> None:
    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp-{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


def atomic_write_json(path: str | os.PathLike[str], obj: Any, mode: int = 0o644) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode(), mode)


def atomic_symlink(link: str | os.PathLike[str], target: str,
                   before_replace: Callable[[], None] | None = None) -> None:
    """Point `link` at `target` in one step: a new symlink under a temporary name, then
    os.replace (rename(2) is atomic, even over an existing symlink), then fsync the directory.
    `before_replace` lets crash tests stop between the two."""
    link_path = Path(link)
    tmp = link_path.with_name(f".{link_path.name}.tmp-{secrets.token_hex(4)}")
    os.symlink(target, tmp)
    try:
        if before_replace is not None:
            before_replace()
        os.replace(tmp, link_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(link_path.parent)


def fsync_tree(root: str | os.PathLike[str]) -> None:
    """fsync every file and directory under `root` (after extracting a release, before the
    rename that makes it visible)."""
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(dirpath)
