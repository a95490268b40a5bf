"""The terminal's updater: TUF-verified releases, atomic switch, health check, commit or rollback.

On disk, under the install root:

    releases/<version>/        complete releases (each holds .kiosk-release.json, written last)
    releases/.partial-*        an extraction in progress; removed on the next start
    current -> releases/<v>    what the kiosk runs; replaced atomically
    state.json                 committed version, previous, pending, bad versions
    tuf/metadata/              TUF metadata, seeded from the root.json shipped with the install
    tuf/downloads/             verified release tarballs

`state.json` is the commit record: `current` in it is the committed version. A switch first writes
`pending`, then moves the symlink; a health check commits (pending -> current) or switches back and
marks the version bad. `recover()` (run at every start) resolves the symlink to the committed
version whatever step a crash or power cut interrupted.

Nothing here raises into the running kiosk: `apply()` returns an `ApplyResult` with a typed error;
`check()` raises only `UpdateError` subclasses.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib import parse

from tuf.api import exceptions as tuf_errors
from tuf.api.metadata import Metadata, TargetFile, Targets
from tuf.ngclient import Updater as _NgUpdater
from tuf.ngclient import UpdaterConfig
from tuf.ngclient.fetcher import FetcherInterface

from kiosk.update import rings
from kiosk.update.artifact import check_manifest, safe_extract
from kiosk.core.durable import atomic_symlink, atomic_write_json, fsync_dir, fsync_tree
from kiosk.update.errors import (
    ArtifactRejected,
    HealthCheckFailed,
    InstallError,
    MetadataRejected,
    RepositoryUnavailable,
    TrustError,
    UpdateBusy,
    UpdateError,
)
from kiosk.update.health import CommandHealthCheck, HealthCheck, HealthResult

log = logging.getLogger(__name__)

MARKER = ".kiosk-release.json"
KEEP_RELEASES = 3
MAX_INTERRUPTED = 2  # a version whose health check was cut short this often is marked bad


# -- state ---------------------------------------------------------------------------------------
@dataclass
class UpdateState:
    current: str | None = None
    previous: str | None = None
    pending: str | None = None
    bad: list[str] = field(default_factory=list)
    interrupted: dict[str, int] = field(default_factory=dict)
    content: dict[str, str] = field(default_factory=dict)
    updated_at: int = 0

    @classmethod
    def load(cls, path: Path) -> UpdateState:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as e:
            # Written atomically, so this means manual damage; start from the symlink instead.
            log.warning("unreadable %s (%s); rebuilding from the current link", path, e)
            return cls()
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def save(self, path: Path) -> None:
        self.updated_at = int(time.time())
        atomic_write_json(path, asdict(self))


# -- results -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckResult:
    current: str | None
    available: str | None
    ring: str
    eligible: bool
    bucket: int
    release_ring: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"current": self.current, "available": self.available, "ring": self.ring,
                "eligible": self.eligible, "bucket": self.bucket, "release_ring": self.release_ring}


@dataclass(frozen=True)
class ApplyResult:
    # up_to_date | waiting_idle | committed | rolled_back | failed
    outcome: str
    current: str | None
    version: str | None = None
    error: UpdateError | None = None
    health: HealthResult | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in ("up_to_date", "waiting_idle", "committed")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"outcome": self.outcome, "current": self.current, "version": self.version}
        if self.error is not None:
            out.update(self.error.to_dict())
        if self.health is not None:
            out["health"] = self.health.to_dict()
        return out


@dataclass(frozen=True)
class _Candidate:
    version: str
    ring: str
    path: str


@dataclass(frozen=True)
class ContentResult:
    kind: str
    version: str
    path: Path


# -- the TUF client, with durable metadata writes --------------------------------------------
class _DurableTufUpdater(_NgUpdater):
    """ngclient replaces metadata files atomically but does not fsync; a power cut could leave
    an empty timestamp.json behind. This override (of ngclient 7's `_persist_file` hook) adds the
    fsyncs; everything else is stock ngclient."""

    def _persist_file(self, filename: str, data: bytes) -> None:
        directory = os.path.dirname(filename)
        tmp = os.path.join(directory, f".{os.path.basename(filename)}.tmp-{secrets.token_hex(4)}")
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, filename)
        except OSError:
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp)
            raise
        fsync_dir(directory)


@contextlib.contextmanager
def _tuf_errors(stage: str) -> Iterator[None]:
    """Translate python-tuf's exceptions into ours. `stage` is "metadata" or "target"."""
    try:
        yield
    except tuf_errors.DownloadLengthMismatchError as e:
        # Longer than the signed (or configured maximum) length: an endless-data attack.
        cls = ArtifactRejected if stage == "target" else MetadataRejected
        raise cls(f"{stage} larger than allowed: {e}") from e
    except tuf_errors.LengthOrHashMismatchError as e:
        cls = ArtifactRejected if stage == "target" else MetadataRejected
        raise cls(f"{stage} does not match its signed hash/length: {e}") from e
    except tuf_errors.ExpiredMetadataError as e:
        raise MetadataRejected(f"expired metadata: {e}") from e
    except tuf_errors.BadVersionNumberError as e:
        raise MetadataRejected(f"metadata rollback refused: {e}") from e
    except tuf_errors.UnsignedMetadataError as e:
        raise MetadataRejected(f"metadata not signed by the trusted keys: {e}") from e
    except tuf_errors.RepositoryError as e:
        raise MetadataRejected(f"metadata rejected: {e}") from e
    except tuf_errors.DownloadError as e:
        raise RepositoryUnavailable(f"repository unreachable: {e}") from e
    except ValueError as e:  # malformed metadata that slipped past the typed errors
        raise MetadataRejected(f"metadata rejected: {e}") from e
    except OSError as e:
        raise InstallError(f"cannot write update files: {e}") from e


# -- the updater ---------------------------------------------------------------------------------
class Updater:
    """One terminal's updater. Single instance per install root (a file lock enforces it).

    `hook(step)` is called at every step boundary; crash tests raise or SIGKILL from it.
    Steps: refreshed, downloaded, extracted, installed, pending, link_created, switched,
    restarted, health_checked, committed, pruned; on failure rollback_link_created,
    rolled_back, marked_bad.
    """

    def __init__(self, root: str | os.PathLike[str], repo_url: str, trusted_root: str | os.PathLike[str],
                 terminal_id: str, *, pilot_percent: int = 5,
                 is_idle: Callable[[], bool] = lambda: True,
                 health_check: HealthCheck | None = None,
                 restart: Callable[[Path], None] | None = None,
                 hook: Callable[[str], None] | None = None,
                 fetcher: FetcherInterface | None = None,
                 tuf_config: UpdaterConfig | None = None) -> None:
        self.root = Path(root)
        self.repo_url = repo_url if repo_url.endswith("/") else repo_url + "/"
        self.trusted_root = Path(trusted_root)
        self.terminal_id = terminal_id
        self.pilot_percent = pilot_percent
        self.is_idle = is_idle
        self.health_check: HealthCheck = health_check or CommandHealthCheck()
        self.restart = restart or (lambda _release: None)
        self.hook = hook or (lambda _step: None)
        self.fetcher = fetcher
        self.tuf_config = tuf_config
        self.releases_dir = self.root / "releases"
        self.current_link = self.root / "current"
        self.state_path = self.root / "state.json"
        self.metadata_dir = self.root / "tuf" / "metadata"
        self.downloads_dir = self.root / "tuf" / "downloads"
        self._tuf: _DurableTufUpdater | None = None

    # -- public API -----------------------------------------------------------------------------
    def state(self) -> UpdateState:
        return UpdateState.load(self.state_path)

    def current_version(self) -> str | None:
        """The version `current` resolves to (what the kiosk runs), if it is a complete release."""
        try:
            target = os.readlink(self.current_link)
        except OSError:
            return None
        name = Path(target).name
        return name if self._complete(name) else None

    def telemetry(self) -> dict[str, Any]:
        """The `update` part of a telemetry sample (versions only: machine codes)."""
        state = self.state()
        return {"current": state.current, "previous": state.previous, "pending": state.pending,
                "bad": list(state.bad[-5:]), "running": self.current_version(),
                "content": dict(state.content)}

    def recover(self) -> UpdateState:
        """Bring the install to a committed state: run at every start, before the kiosk."""
        with self._locked():
            state, _changed = self._recover()
            return state

    def check(self) -> CheckResult:
        with self._locked():
            state, _ = self._recover()
            return self._check(state)[0]

    def apply(self) -> ApplyResult:
        """Install the best eligible release and switch to it if the terminal is idle.
        Never raises UpdateError or OSError: the outcome and any typed error are returned."""
        version: str | None = None
        try:
            with self._locked():
                state, switched_back = self._recover()
                if switched_back and state.current:
                    self._restart_quietly(self.releases_dir / state.current)
                result, candidate = self._check(state)
                if candidate is None or not result.eligible:
                    return ApplyResult("up_to_date", state.current)
                version = candidate.version
                release_dir = self._install(candidate)
                if not self.is_idle():
                    # Installed, not switched: the next run switches as soon as nobody is served.
                    return ApplyResult("waiting_idle", state.current, candidate.version)
                return self._switch_and_check(state, candidate.version, release_dir)
        except UpdateError as e:
            log.warning("update failed: %s", e)
            return ApplyResult("failed", self._safe_current(), version, e)
        except OSError as e:
            log.warning("update failed: %s", e)
            return ApplyResult("failed", self._safe_current(), version, InstallError(f"update I/O error: {e}"))
        except Exception as e:  # noqa: BLE001 - a bug here must not take the kiosk down either
            log.exception("update failed unexpectedly")
            return ApplyResult("failed", self._safe_current(), version,
                               UpdateError(f"internal error: {type(e).__name__}: {e}"))

    def _restart_quietly(self, release_dir: Path) -> None:
        try:
            self.restart(release_dir)
        except Exception as e:  # noqa: BLE001 - the link is right; the next start picks it up
            log.warning("restart after recovery failed: %s", e)

    def fetch_content(self, kind: str) -> ContentResult | None:
        """Download the newest eligible content of `kind` (catalog, translations, announcement)
        into content/<kind>/<version>/ and point content/<kind>/current at it."""
        with self._locked():
            state, _ = self._recover()
            tuf = self._refresh()
            best: _Candidate | None = None
            for cand in self._listed(kind):
                if rings.eligible(self.terminal_id, cand.ring, self.pilot_percent) and (
                        best is None or rings.parse_version(cand.version) > rings.parse_version(best.version)):
                    best = cand
            if best is None:
                return None
            base = self.root / "content" / kind
            dest_dir = base / best.version
            dest = dest_dir / Path(best.path).name
            if state.content.get(kind) != best.version or not dest.exists():
                with _tuf_errors("metadata"):
                    info = tuf.get_targetinfo(best.path)
                if info is None:
                    raise MetadataRejected(f"{best.path} listed but not resolvable")
                partial = base / f".partial-{best.version}-{secrets.token_hex(4)}"
                partial.mkdir(parents=True)
                with _tuf_errors("target"):
                    tuf.download_target(info, str(partial / dest.name), self.repo_url + "targets/")
                fsync_tree(partial)
                if dest_dir.exists():
                    shutil.rmtree(dest_dir)
                os.rename(partial, dest_dir)
                fsync_dir(base)
                atomic_symlink(base / "current", best.version)
                state.content[kind] = best.version
                state.save(self.state_path)
                self._prune_content(base, best.version)
            return ContentResult(kind, best.version, dest)

    @staticmethod
    def _prune_content(base: Path, current: str) -> None:
        versions = sorted((p.name for p in base.iterdir() if p.is_dir() and rings.is_version(p.name)),
                          key=rings.parse_version, reverse=True)
        for name in versions[KEEP_RELEASES:]:
            if name != current:
                shutil.rmtree(base / name, ignore_errors=True)
        for p in base.glob(".partial-*"):
            shutil.rmtree(p, ignore_errors=True)

    # -- recovery -------------------------------------------------------------------------------
    def _recover(self) -> tuple[UpdateState, bool]:
        self.releases_dir.mkdir(parents=True, exist_ok=True)
        self._clean_debris()
        state = UpdateState.load(self.state_path)
        changed = False
        if state.pending is not None:
            # A switch that never reached commit: the new version is not trusted yet.
            v = state.pending
            state.interrupted[v] = state.interrupted.get(v, 0) + 1
            if state.interrupted[v] >= MAX_INTERRUPTED and v not in state.bad:
                state.bad.append(v)
            state.pending = None
            changed = True
        if state.current is not None and not self._complete(state.current):
            log.error("committed release %s is missing or incomplete", state.current)
            if state.previous and self._complete(state.previous):
                state.current, state.previous = state.previous, None
            else:
                state.current = None
            changed = True
        if state.current is None:
            linked = self.current_version()
            if linked is not None and linked not in state.bad and state.pending is None:
                # Installed by the OS image or by hand, without a state file: adopt it.
                state.current = linked
                changed = True
        switched = False
        if state.current is not None:
            want = f"releases/{state.current}"
            try:
                have = os.readlink(self.current_link)
            except OSError:
                have = None
            if have != want:
                atomic_symlink(self.current_link, want)
                switched = True
        if changed:
            state.save(self.state_path)
        return state, switched

    def _clean_debris(self) -> None:
        for p in self.releases_dir.glob(".partial-*"):
            shutil.rmtree(p, ignore_errors=True)
        for p in self.releases_dir.glob(".trash-*"):
            shutil.rmtree(p, ignore_errors=True)
        for p in self.root.glob(".current.tmp-*"):
            p.unlink(missing_ok=True)
        for p in self.root.glob(".state.json.tmp-*"):
            p.unlink(missing_ok=True)

    def _complete(self, version: str) -> bool:
        try:
            marker = json.loads((self.releases_dir / version / MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(marker, dict) and marker.get("version") == version

    def _safe_current(self) -> str | None:
        try:
            return UpdateState.load(self.state_path).current
        except Exception:  # noqa: BLE001 - reporting must not fail
            return None

    # -- TUF ------------------------------------------------------------------------------------
    def _refresh(self) -> _DurableTufUpdater:
        bootstrap: bytes | None
        try:
            bootstrap = self.trusted_root.read_bytes()
        except OSError as e:
            if not (self.metadata_dir / "root.json").exists():
                raise TrustError(f"trusted root {self.trusted_root} unreadable: {e}") from e
            # A release that shipped no fleet/root.json must not strand the terminal: the cached
            # root was itself verified from a shipped one, so it is still a trust anchor.
            log.warning("trusted root %s unreadable (%s); using the verified cached root", self.trusted_root, e)
            bootstrap = None
        self.metadata_dir.mkdir(parents=True, exist_ok=True)
        try:
            tuf = _DurableTufUpdater(str(self.metadata_dir), self.repo_url + "metadata/",
                                     str(self.downloads_dir), self.repo_url + "targets/",
                                     fetcher=self.fetcher, config=self.tuf_config, bootstrap=bootstrap)
        except (tuf_errors.RepositoryError, ValueError, KeyError, TypeError) as e:
            raise TrustError(f"trusted root {self.trusted_root} is not valid TUF root metadata: {e}") from e
        except OSError as e:
            raise InstallError(f"cannot write TUF metadata: {e}") from e
        with _tuf_errors("metadata"):
            tuf.refresh()
        self._tuf = tuf
        self.hook("refreshed")
        return tuf

    def _listed(self, kind: str) -> list[_Candidate]:
        """Targets of a kind, from the targets metadata ngclient just verified and persisted.
        (ngclient resolves a known path; listing is read from its verified local copy.)"""
        try:
            md = Metadata[Targets].from_file(str(self.metadata_dir / "targets.json"))
        except Exception as e:  # noqa: BLE001 - any parse problem is a metadata problem
            raise MetadataRejected(f"verified targets metadata unreadable: {e}") from e
        out = []
        for path, tf in md.signed.targets.items():
            custom = tf.custom if isinstance(tf.custom, dict) else {}
            version, ring = custom.get("version"), custom.get("ring", "stable")
            if custom.get("kind") != kind or not isinstance(version, str) or not rings.is_version(version):
                continue
            if ring not in rings.RINGS:
                continue
            out.append(_Candidate(version, ring, path))
        return out

    def _check(self, state: UpdateState) -> tuple[CheckResult, _Candidate | None]:
        self._refresh()
        current = state.current
        cur_v = rings.parse_version(current) if current else None
        newer = [c for c in self._listed("app") if c.version not in state.bad and
                 (cur_v is None or rings.parse_version(c.version) > cur_v)]
        newer.sort(key=lambda c: rings.parse_version(c.version), reverse=True)
        ok = [c for c in newer if rings.eligible(self.terminal_id, c.ring, self.pilot_percent)]
        best = ok[0] if ok else (newer[0] if newer else None)
        result = CheckResult(current, best.version if best else None,
                             rings.ring_of(self.terminal_id, self.pilot_percent), bool(ok),
                             rings.bucket(self.terminal_id), best.ring if best else None)
        return result, best

    # -- install --------------------------------------------------------------------------------
    def _install(self, cand: _Candidate) -> Path:
        tuf = self._tuf
        assert tuf is not None
        with _tuf_errors("metadata"):
            info = tuf.get_targetinfo(cand.path)
        if info is None:
            raise MetadataRejected(f"{cand.path} listed but not resolvable")
        release_dir = self.releases_dir / cand.version
        sha = info.hashes.get("sha256", "")
        if self._complete(cand.version) and self._marker(cand.version).get("sha256") == sha:
            return release_dir  # installed earlier (the terminal was busy then)
        tarball = self._download(tuf, info)
        partial = self.releases_dir / f".partial-{cand.version}-{secrets.token_hex(4)}"
        partial.mkdir(parents=True)
        try:
            safe_extract(tarball, partial, cand.version)
            self.hook("extracted")
            atomic_write_json(partial / MARKER, {"version": cand.version, "sha256": sha,
                                                 "installed_at": int(time.time())})
            fsync_tree(partial)
            if release_dir.exists():  # incomplete or different bytes: set it aside first
                os.rename(release_dir, self.releases_dir / f".trash-{cand.version}-{secrets.token_hex(4)}")
            os.rename(partial, release_dir)
            fsync_dir(self.releases_dir)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        self.hook("installed")
        return release_dir

    def _marker(self, version: str) -> dict[str, Any]:
        try:
            data = json.loads((self.releases_dir / version / MARKER).read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _download(self, tuf: _DurableTufUpdater, info: TargetFile) -> Path:
        self.downloads_dir.mkdir(parents=True, exist_ok=True)
        dest = self.downloads_dir / parse.quote(info.path, "")
        cached = tuf.find_cached_target(info, str(dest))
        if cached is None:
            with _tuf_errors("target"):
                tuf.download_target(info, str(dest))
            # ngclient verified the bytes before writing them, but wrote them in place: verify
            # the file once more so a torn write is never extracted.
            if tuf.find_cached_target(info, str(dest)) is None:
                raise ArtifactRejected(f"{info.path}: stored file does not match its signed hash")
        self.hook("downloaded")
        return dest

    # -- switch, check, commit or roll back ----------------------------------------------------
    def _switch_and_check(self, state: UpdateState, version: str, release_dir: Path) -> ApplyResult:
        old = state.current
        state.pending = version
        state.save(self.state_path)
        self.hook("pending")
        atomic_symlink(self.current_link, f"releases/{version}", lambda: self.hook("link_created"))
        self.hook("switched")
        health: HealthResult
        try:
            self.restart(release_dir)
            self.hook("restarted")
            health = self.health_check(release_dir)
        except Exception as e:  # noqa: BLE001 - a crashing check is a failed check
            health = HealthResult(False, f"health check raised {type(e).__name__}: {e}")
        self.hook("health_checked")
        if health.ok:
            state.previous, state.current, state.pending = old, version, None
            state.interrupted.pop(version, None)
            state.save(self.state_path)
            self.hook("committed")
            self._prune(state)
            self.hook("pruned")
            return ApplyResult("committed", version, version, None, health)
        # Roll back: the old committed version runs again, the new one is never retried.
        if old is not None:
            atomic_symlink(self.current_link, f"releases/{old}", lambda: self.hook("rollback_link_created"))
            self.hook("rolled_back")
            self._restart_quietly(self.releases_dir / old)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.current_link)
                fsync_dir(self.root)
        if version not in state.bad:
            state.bad.append(version)
        state.pending = None
        state.save(self.state_path)
        self.hook("marked_bad")
        err = HealthCheckFailed(f"{version}: {health.detail}")
        return ApplyResult("rolled_back", old, version, err, health)

    def _prune(self, state: UpdateState) -> None:
        """Keep the current and previous releases and the newest others up to KEEP_RELEASES;
        bad releases go first."""
        protected = {v for v in (state.current, state.previous, state.pending) if v}
        others = [p.name for p in self.releases_dir.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and p.name not in protected]
        good = sorted((v for v in others if v not in state.bad and rings.is_version(v)),
                      key=rings.parse_version, reverse=True)
        keep = protected | set(good[:max(0, KEEP_RELEASES - len(protected))])
        for name in others:
            if name in keep:
                continue
            trash = self.releases_dir / f".trash-{name}-{secrets.token_hex(4)}"
            os.rename(self.releases_dir / name, trash)  # gone from view atomically, then deleted
            shutil.rmtree(trash, ignore_errors=True)
        kept_paths = {parse.quote(f"app/kiosk-{v}.tar.gz", "") for v in keep}
        if self.downloads_dir.is_dir():
            for f in self.downloads_dir.iterdir():
                if f.name.startswith("app%2F") and f.name not in kept_paths:
                    f.unlink(missing_ok=True)

    # -- locking --------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".update.lock", "a+") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UpdateBusy(f"{self.root}: another updater is running") from None
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def check_release(release_dir: Path) -> dict[str, Any]:
    """Re-verify an installed release against its manifest (for `kiosk diag`)."""
    return check_manifest(release_dir)
