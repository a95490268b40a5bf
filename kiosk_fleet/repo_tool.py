"""The operator's TUF repository, built with python-tuf's Metadata API.

Layout of DIR (serve `metadata/` and `targets/` from any static HTTP server or CDN; never
publish `keys/`):

    keys/                  private keys, PEM PKCS#8, mode 0600 (root keys belong offline)
    metadata/N.root.json   every root version (clients walk the chain when keys rotate)
    metadata/root.json     the newest root: the file a terminal ships as its trust anchor
    metadata/N.targets.json, N.snapshot.json   consistent snapshots: immutable, cacheable
    metadata/timestamp.json                    the only mutable file: short cache TTL
    targets/app/<sha256>.kiosk-<v>.tar.gz      releases, named by hash: immutable
    targets/content/<kind>/<sha256>.<file>     catalogs, translations, announcements

Every write goes targets -> targets.json -> snapshot.json -> timestamp.json, so a terminal that
fetches in the middle of a release sees the old repository state or the new one.
"""
from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

from kiosk.core.durable import atomic_write_bytes
from kiosk.update.errors import RepoToolError
from kiosk.update.rings import RINGS, is_version, parse_version

TOP_ROLES = ("root", "targets", "snapshot", "timestamp")
CONTENT_KINDS = ("catalog", "translations", "announcement")
# A language's prompt pack (kiosk/i18n/voice_pack.py): voice-bo, voice-ii... recorded once by a
# prefecture, delivered to all its terminals (`kiosk update content` imports it on each).
VOICE_KIND = re.compile(r"^voice-[a-z]{2,3}(?:_[A-Z]{2})?$")
DEFAULT_EXPIRY = {"root": timedelta(days=365), "targets": timedelta(days=180),
                  "snapshot": timedelta(days=180), "timestamp": timedelta(days=7)}


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


@dataclass(frozen=True)
class Release:
    path: str
    kind: str
    version: str
    ring: str
    length: int
    sha256: str


class Repository:
    """A repository directory on the operator's machine. Methods sign with the keys in keys/."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.keys_dir = self.path / "keys"
        self.metadata_dir = self.path / "metadata"
        self.targets_dir = self.path / "targets"
        if not (self.metadata_dir / "root.json").is_file():
            raise RepoToolError(f"{self.path}: not a repository (run: kiosk-fleet repo init {self.path})")
        self._serializer = JSONSerializer(compact=False)

    # -- creation -------------------------------------------------------------------------------
    @classmethod
    def init(cls, path: str | os.PathLike[str], root_threshold: int = 1,
             expiry: dict[str, timedelta] | None = None) -> Repository:
        base = Path(path)
        if (base / "metadata" / "root.json").exists():
            raise RepoToolError(f"{base}: a repository already exists here")
        if not 1 <= root_threshold <= 9:
            raise RepoToolError("root threshold must be between 1 and 9")
        exp = {**DEFAULT_EXPIRY, **(expiry or {})}
        for sub in ("metadata", "targets"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        keys_dir = base / "keys"
        keys_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(keys_dir, 0o700)

        root = Metadata(Root(expires=_now() + exp["root"], consistent_snapshot=True))
        root_signers = [_new_key(keys_dir / f"root-{i}.pem") for i in range(1, root_threshold + 1)]
        for s in root_signers:
            root.signed.add_key(s.public_key, "root")
        root.signed.roles["root"].threshold = root_threshold
        for role in ("targets", "snapshot", "timestamp"):
            root.signed.add_key(_new_key(keys_dir / f"{role}.pem").public_key, role)
        for s in root_signers:
            root.sign(s, append=True)

        repo_meta = base / "metadata"
        data = root.to_bytes(JSONSerializer(compact=False))
        atomic_write_bytes(repo_meta / "1.root.json", data)
        atomic_write_bytes(repo_meta / "root.json", data)
        repo = cls(base)
        with repo._locked():
            targets = Metadata(Targets(expires=_now() + exp["targets"]))
            repo._publish(targets, exp)
        return repo

    # -- reading --------------------------------------------------------------------------------
    def root(self) -> Metadata[Root]:
        return Metadata[Root].from_file(str(self.metadata_dir / "root.json"))

    def _load(self, role: str) -> Metadata[Any]:
        if role == "timestamp":
            return Metadata.from_file(str(self.metadata_dir / "timestamp.json"))
        ts = Metadata[Timestamp].from_file(str(self.metadata_dir / "timestamp.json"))
        snap_v = ts.signed.snapshot_meta.version
        if role == "snapshot":
            return Metadata.from_file(str(self.metadata_dir / f"{snap_v}.snapshot.json"))
        snap = Metadata[Snapshot].from_file(str(self.metadata_dir / f"{snap_v}.snapshot.json"))
        targets_v = snap.signed.meta["targets.json"].version
        return Metadata.from_file(str(self.metadata_dir / f"{targets_v}.targets.json"))

    def targets(self) -> Metadata[Targets]:
        return self._load("targets")

    def releases(self) -> list[Release]:
        out = []
        for path, tf in self.targets().signed.targets.items():
            custom = tf.custom or {}
            out.append(Release(path, str(custom.get("kind", "")), str(custom.get("version", "")),
                               str(custom.get("ring", "")), tf.length, tf.hashes.get("sha256", "")))
        return sorted(out, key=lambda r: (r.kind, parse_version(r.version) if is_version(r.version) else (0,)))

    def status(self) -> dict[str, Any]:
        roles = {}
        for role in TOP_ROLES:
            md = self.root() if role == "root" else self._load(role)
            roles[role] = {"version": md.signed.version, "expires": md.signed.expires.strftime("%Y-%m-%d"),
                           "expired": md.signed.is_expired()}
        return {"roles": roles, "releases": [r.__dict__ for r in self.releases()]}

    # -- signing --------------------------------------------------------------------------------
    def _signers(self, role: str) -> list[CryptoSigner]:
        root = self.root().signed
        allowed = set(root.roles[role].keyids)
        names = sorted(self.keys_dir.glob("root-*.pem")) if role == "root" else [self.keys_dir / f"{role}.pem"]
        signers = []
        for keyfile in names:
            if not keyfile.exists():
                continue
            signer = _load_key(keyfile)
            if signer.public_key.keyid in allowed:
                signers.append(signer)
        if len(signers) < root.roles[role].threshold:
            raise RepoToolError(f"{self.keys_dir}: not enough {role} keys to meet the threshold "
                                f"({len(signers)} of {root.roles[role].threshold}); root keys may be offline")
        return signers

    def _sign(self, md: Metadata[Any], role: str) -> None:
        md.signatures.clear()
        for signer in self._signers(role):
            md.sign(signer, append=True)

    def _publish(self, targets: Metadata[Targets], exp: dict[str, timedelta] | None = None) -> None:
        """Sign and write targets, then a snapshot naming it, then a timestamp naming that."""
        exp = {**DEFAULT_EXPIRY, **(exp or {})}
        targets.signed.expires = _now() + exp["targets"]
        self._sign(targets, "targets")
        self._write(f"{targets.signed.version}.targets.json", targets)
        self._snapshot_and_timestamp({"targets.json": MetaFile(version=targets.signed.version)}, exp)

    def _snapshot_and_timestamp(self, changed: dict[str, MetaFile], exp: dict[str, timedelta] | None = None) -> None:
        """A new snapshot: the previous one's entries (delegated roles such as `rollout` stay
        listed when a release re-signs targets) with `changed` on top; then a timestamp naming it.
        Needs only the online snapshot and timestamp keys."""
        exp = {**DEFAULT_EXPIRY, **(exp or {})}
        old_snapshot_v, old_ts_v, meta = 0, 0, {}
        if (self.metadata_dir / "timestamp.json").exists():
            old_ts_v = self._load("timestamp").signed.version
            old = self._load("snapshot")
            old_snapshot_v, meta = old.signed.version, dict(old.signed.meta)
        meta.update(changed)
        snapshot = Metadata(Snapshot(version=old_snapshot_v + 1, expires=_now() + exp["snapshot"]))
        snapshot.signed.meta = meta
        self._sign(snapshot, "snapshot")
        self._write(f"{snapshot.signed.version}.snapshot.json", snapshot)

        timestamp = Metadata(Timestamp(version=old_ts_v + 1, expires=_now() + exp["timestamp"]))
        timestamp.signed.snapshot_meta = MetaFile(version=snapshot.signed.version)
        self._sign(timestamp, "timestamp")
        self._write("timestamp.json", timestamp)

    def _write(self, name: str, md: Metadata[Any]) -> None:
        atomic_write_bytes(self.metadata_dir / name, md.to_bytes(self._serializer))

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # One writer at a time: two operators releasing at once would fork the version chain.
        with open(self.path / ".lock", "a+") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RepoToolError(f"{self.path}: another repository command is running") from None
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    # -- releases -------------------------------------------------------------------------------
    def release(self, artifact: Path, version: str, ring: str = "pilot") -> Release:
        if not is_version(version):
            raise RepoToolError(f"not a version (expected digits and dots, e.g. 1.4.2): {version!r}")
        return self._add_target(artifact, f"app/kiosk-{version}.tar.gz",
                                {"kind": "app", "version": version, "ring": ring}, ring)

    def release_content(self, kind: str, file: Path, version: str, ring: str = "stable") -> Release:
        if kind not in CONTENT_KINDS and not VOICE_KIND.match(kind):
            raise RepoToolError(f"unknown content kind {kind!r} (known: {', '.join(CONTENT_KINDS)}, voice-<lang>)")
        if not is_version(version):
            raise RepoToolError(f"not a version (expected digits and dots, e.g. 1.4.2): {version!r}")
        name = f"content/{kind}/{kind}-{version}{''.join(file.suffixes) or '.bin'}"
        return self._add_target(file, name, {"kind": kind, "version": version, "ring": ring}, ring)

    def _add_target(self, local: Path, target_path: str, custom: dict[str, str], ring: str) -> Release:
        if ring not in RINGS:
            raise RepoToolError(f"unknown ring {ring!r} (known: {', '.join(RINGS)})")
        if not local.is_file():
            raise RepoToolError(f"{local}: no such file")
        with self._locked():
            targets = self.targets()
            tf = TargetFile.from_file(target_path, str(local), ["sha256"])
            old = targets.signed.targets.get(target_path)
            if old is not None and old.hashes != tf.hashes:
                # A version names one content forever; a terminal may already run the old bytes.
                raise RepoToolError(f"{target_path} was already released with different content; use a new version")
            # Promotion (pilot -> stable) re-adds the same bytes with a new ring.
            tf.unrecognized_fields["custom"] = custom
            digest = tf.hashes["sha256"]
            dest = self.targets_dir / Path(target_path).parent / f"{digest}.{Path(target_path).name}"
            dest.parent.mkdir(parents=True, exist_ok=True)
            if not dest.exists():
                tmp = dest.with_name(dest.name + ".part")
                shutil.copyfile(local, tmp)
                os.replace(tmp, dest)
            targets.signed.targets[target_path] = tf
            targets.signed.version += 1
            self._publish(targets)
        return Release(target_path, custom["kind"], custom["version"], ring, tf.length, digest)

    def refresh_timestamp(self, expires_in: timedelta | None = None) -> int:
        """Re-sign timestamp.json with a new version and expiry (run it from cron, daily)."""
        with self._locked():
            ts = self._load("timestamp")
            ts.signed.version += 1
            ts.signed.expires = _now() + (expires_in if expires_in is not None else DEFAULT_EXPIRY["timestamp"])
            self._sign(ts, "timestamp")
            self._write("timestamp.json", ts)
            return int(ts.signed.version)

    def resign(self, expiry: dict[str, timedelta] | None = None) -> None:
        """Re-sign targets, snapshot and timestamp with fresh expiry dates (no content change)."""
        with self._locked():
            targets = self.targets()
            targets.signed.version += 1
            self._publish(targets, expiry)

    def rotate_key(self, role: str) -> str:
        """Replace the (single) key of an online role, or one more root key generation for root.

        Writes root version N+1 signed by the old root keys and the new ones (a client holding
        root N verifies N+1 with N's keys, then N+1 with its own), then re-signs the metadata
        of the rotated role so terminals accept it. Returns the new key id."""
        if role not in TOP_ROLES:
            raise RepoToolError(f"unknown role {role!r}")
        with self._locked():
            root = self.root()
            old_root_signers = self._signers("root")
            if role == "root":
                old_files = sorted(self.keys_dir.glob("root-*.pem"))
                new_signers = [_new_key(self.keys_dir / f"root-{i}.pem.new")
                               for i in range(1, len(old_files) + 1)]
                for keyid in list(root.signed.roles["root"].keyids):
                    root.signed.revoke_key(keyid, "root")
                for s in new_signers:
                    root.signed.add_key(s.public_key, "root")
                new_keyid = new_signers[0].public_key.keyid
            else:
                new = _new_key(self.keys_dir / f"{role}.pem.new")
                for keyid in list(root.signed.roles[role].keyids):
                    root.signed.revoke_key(keyid, role)
                root.signed.add_key(new.public_key, role)
                new_signers = []
                new_keyid = new.public_key.keyid
            root.signed.version += 1
            root.signed.expires = _now() + DEFAULT_EXPIRY["root"]
            root.signatures.clear()
            for s in old_root_signers + new_signers:
                root.sign(s, append=True)
            data = root.to_bytes(self._serializer)
            atomic_write_bytes(self.metadata_dir / f"{root.signed.version}.root.json", data)
            atomic_write_bytes(self.metadata_dir / "root.json", data)
            for pending in self.keys_dir.glob("*.pem.new"):
                os.replace(pending, pending.with_suffix(""))
            targets = self.targets()
            targets.signed.version += 1
            self._publish(targets)
            return str(new_keyid)


def _new_key(path: Path) -> CryptoSigner:
    signer = CryptoSigner(Ed25519PrivateKey.generate())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(signer.private_bytes)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(path, 0o600)
    return signer


def _load_key(path: Path) -> CryptoSigner:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise RepoToolError(f"{path}: private key readable by others (mode {mode:o}); chmod 600 it")
    try:
        key = load_pem_private_key(path.read_bytes(), None)
    except (ValueError, TypeError) as e:
        raise RepoToolError(f"{path}: not a PEM private key ({e})") from e
    if not isinstance(key, Ed25519PrivateKey):
        raise RepoToolError(f"{path}: expected an ed25519 key")
    return CryptoSigner(key)
