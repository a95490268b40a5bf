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
from pathlib import Path
from typing import Any
from urllib import parse

from tuf.api import exceptions as tuf_errors
from tuf.api.metadata import Metadata, TargetFile, Targets
from tuf.ngclient import UpdaterConfig
from tuf.ngclient.fetcher import FetcherInterface

from kiosk.update import admission, rings
from kiosk.update.artifact import check_manifest, safe_extract
from kiosk.core.durable import atomic_symlink, atomic_write_json, fsync_dir, fsync_tree
from kiosk.update.errors import (
    ArtifactRejected,
    HealthCheckFailed,
    InstallError,
    MetadataRejected,
    TrustError,
    UpdateBusy,
    UpdateError,
)
from kiosk.update.health import CommandHealthCheck, HealthCheck, HealthResult
from kiosk.update.state import (
    KEEP_RELEASES,
    MARKER,
    ApplyResult,
    CheckResult,
    UpdateState,
    _Candidate,
)
from kiosk.update.content import ContentPacks
from kiosk.update.recovery import Recovery
from kiosk.update.tuf_client import DurableTufUpdater, tuf_errors_as_ours

log = logging.getLogger(__name__)


# -- the updater ---------------------------------------------------------------------------------
class Updater(Recovery, ContentPacks):
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
        self._tuf: DurableTufUpdater | None = None

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

    def _refresh(self) -> DurableTufUpdater:
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
            tuf = DurableTufUpdater(str(self.metadata_dir), self.repo_url + "metadata/",
                                     str(self.downloads_dir), self.repo_url + "targets/",
                                     fetcher=self.fetcher, config=self.tuf_config, bootstrap=bootstrap)
        except (tuf_errors.RepositoryError, ValueError, KeyError, TypeError) as e:
            raise TrustError(f"trusted root {self.trusted_root} is not valid TUF root metadata: {e}") from e
        except OSError as e:
            raise InstallError(f"cannot write TUF metadata: {e}") from e
        with tuf_errors_as_ours("metadata"):
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
        chosen, gate = self._first_eligible(newer)
        best = chosen or (newer[0] if newer else None)
        result = CheckResult(current, best.version if best else None,
                             rings.ring_of(self.terminal_id, self.pilot_percent), chosen is not None,
                             rings.bucket(self.terminal_id), best.ring if best else None, gate)
        return result, best

    def _first_eligible(self, newer: list[_Candidate]) -> tuple[_Candidate | None, str | None]:
        """The newest candidate this terminal may install: by ring, or for a staged release by a
        signed admission (kiosk/update/admission.py). Also the newest staged release's gate."""
        gate: str | None = None
        for c in newer:
            if c.ring != "staged":
                if rings.eligible(self.terminal_id, c.ring, self.pilot_percent):
                    return c, gate
                continue
            assert self._tuf is not None
            verdict = admission.check(self._tuf, self.metadata_dir, c.version, self.terminal_id)
            gate = gate or verdict.reason
            if verdict.admitted:
                return c, gate
        return None, gate

    # -- install --------------------------------------------------------------------------------
    def _install(self, cand: _Candidate) -> Path:
        tuf = self._tuf
        assert tuf is not None
        with tuf_errors_as_ours("metadata"):
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

    def _download(self, tuf: DurableTufUpdater, info: TargetFile) -> Path:
        self.downloads_dir.mkdir(parents=True, exist_ok=True)
        dest = self.downloads_dir / parse.quote(info.path, "")
        cached = tuf.find_cached_target(info, str(dest))
        if cached is None:
            with tuf_errors_as_ours("target"):
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
