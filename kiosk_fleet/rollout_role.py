"""The delegated TUF role `rollout`: who may install a staged release, signed by the console's
narrow key, never by the keys that sign software.

Three parties, three powers:

- the release engineer (offline `targets` key, kiosk_fleet/repo_tool.py) signs the artifact once
  with `ring: "staged"` and, once, delegates `rollouts/*` — and nothing else — to the console's
  public key (`delegate`);
- the console (only `keys/rollout.pem`) signs `rollout.json`: one target `rollouts/<version>.json`
  per staged release, whose signed `custom` lists the groups opened so far, expiring within a day
  (`sign_admissions`);
- the repository host (online `snapshot` and `timestamp` keys, as for every release) checks that
  file against the delegation and publishes it (`accept`).

A terminal installs a staged release only when the artifact is signed by `targets` AND an
unexpired `rollout.json` admits it (kiosk/update/admission.py). A stolen console key can widen or
narrow who gets an already-signed release, for at most MAX_ADMISSION_S — never introduce bytes:
ngclient consults the delegated role only for paths under `rollouts/`, and the updater lists
installable releases from the top-level targets only.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from securesystemslib.signer import CryptoSigner, Key
from tuf.api.metadata import DelegatedRole, Delegations, Metadata, MetaFile, TargetFile, Targets
from tuf.api.serialization.json import JSONSerializer

from kiosk.core.durable import atomic_write_bytes
from kiosk.update.admission import MAX_ADMISSION_S, PATH_PREFIX, ROLE, check_entry
from kiosk.update.errors import RepoToolError
from kiosk.update.rings import is_version
from kiosk_fleet.repo_tool import Repository, _load_key, _new_key

DEFAULT_TTL_S = 24 * 3600  # the console re-signs well before this (every few hours)


def new_console_key(path: Path) -> CryptoSigner:
    """The console's key (PEM, 0600). Its public half goes to the release engineer for `delegate`."""
    return _new_key(path)


def load_console_key(path: Path) -> CryptoSigner:
    return _load_key(path)


def delegate(repo: Repository, public_key: Key) -> None:
    """Offline, with the targets key: delegate `rollouts/*` (terminating) to the console's key.
    Run once, and again to replace a lost or stolen console key (the old one is dropped)."""
    with repo._locked():
        targets = repo.targets()
        targets.signed.delegations = Delegations(
            keys={public_key.keyid: public_key},
            roles={ROLE: DelegatedRole(ROLE, [public_key.keyid], 1, True, [PATH_PREFIX + "*"])})
        targets.signed.version += 1
        repo._publish(targets)


def sign_admissions(signer: CryptoSigner, version: int, admissions: Sequence[Mapping[str, Any]], *,
                    now: datetime | None = None, ttl_s: float = DEFAULT_TTL_S) -> tuple[bytes, dict[str, bytes]]:
    """The console's whole `rollout.json` (every staged release it paces), and the admission
    files it names. `version` must grow on every signature (the console uses the clock)."""
    if not 0 < ttl_s <= MAX_ADMISSION_S:
        raise ValueError(f"an admission lives at most {MAX_ADMISSION_S} s")
    now = now or datetime.now(timezone.utc)
    md = Metadata(Targets(version=version, expires=(now + timedelta(seconds=ttl_s)).replace(microsecond=0)))
    files: dict[str, bytes] = {}
    for entry in admissions:
        custom = {"kind": "admission", **entry}
        check_entry(custom)
        path = f"{PATH_PREFIX}{custom['version']}.json"
        data = json.dumps(custom, sort_keys=True).encode()
        tf = TargetFile.from_data(path, data, ["sha256"])
        tf.unrecognized_fields["custom"] = custom
        md.signed.targets[path] = tf
        files[path] = data
    md.sign(signer)
    return md.to_bytes(JSONSerializer(compact=False)), files


def accept(repo: Repository, data: bytes, files: Mapping[str, bytes], *, now: datetime | None = None) -> int:
    """On the repository host (snapshot + timestamp keys only): check the console's
    `rollout.json` against the delegation signed by `targets`, then publish it with a new
    snapshot and timestamp. Refuses a bad signature, a path outside `rollouts/`, an older
    version, and an expiry beyond MAX_ADMISSION_S. Returns the published version."""
    now = now or datetime.now(timezone.utc)
    try:
        md = Metadata[Targets].from_bytes(data)
    except Exception as e:  # noqa: BLE001 - anything unparsable is refused
        raise RepoToolError(f"rollout metadata unreadable: {e}") from e
    with repo._locked():
        targets = repo.targets()
        if targets.signed.delegations is None or ROLE not in (targets.signed.delegations.roles or {}):
            raise RepoToolError("the repository delegates no `rollout` role (kiosk-fleet repo delegate-rollouts)")
        try:
            targets.verify_delegate(ROLE, md)
        except Exception as e:  # noqa: BLE001 - UnsignedMetadataError and friends
            raise RepoToolError(f"rollout metadata not signed by the delegated key: {e}") from e
        if md.signed.expires > now + timedelta(seconds=MAX_ADMISSION_S):
            raise RepoToolError(f"rollout metadata expires {md.signed.expires:%Y-%m-%d %H:%M}: more than "
                                f"{MAX_ADMISSION_S // 3600} h ahead")
        if md.signed.is_expired(now):
            raise RepoToolError("rollout metadata already expired")
        snap = repo._load("snapshot").signed.meta.get(f"{ROLE}.json")
        if snap is not None and md.signed.version <= snap.version:
            raise RepoToolError(f"rollout metadata version {md.signed.version} is not above {snap.version}")
        for path, tf in md.signed.targets.items():
            if not path.startswith(PATH_PREFIX) or "/" in path[len(PATH_PREFIX):]:
                raise RepoToolError(f"{path}: outside the delegated scope {PATH_PREFIX}*")
            body = files.get(path)
            if body is None:
                raise RepoToolError(f"{path}: file missing")
            tf.verify_length_and_hashes(body)
            check_entry(tf.custom if isinstance(tf.custom, dict) else {})
            # Published too (consistent-snapshot name), so an auditor can fetch what was admitted.
            dest = repo.targets_dir / PATH_PREFIX / f"{tf.hashes['sha256']}.{Path(path).name}"
            dest.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(dest, body)
        atomic_write_bytes(repo.metadata_dir / f"{md.signed.version}.{ROLE}.json", data)
        repo._snapshot_and_timestamp({f"{ROLE}.json": MetaFile(version=md.signed.version)})
        return int(md.signed.version)


def read_spool(spool: Path) -> tuple[bytes, dict[str, bytes]]:
    """What the console wrote for the repository host: rollout.json and rollouts/*.json."""
    data = (spool / f"{ROLE}.json").read_bytes()
    files = {f"{PATH_PREFIX}{p.name}": p.read_bytes() for p in sorted((spool / PATH_PREFIX).glob("*.json"))}
    return data, files


def write_spool(spool: Path, data: bytes, files: Mapping[str, bytes]) -> None:
    """The console's side of the hand-over (a directory the repository host collects, e.g. over
    rsync): admission files first, rollout.json last, each written atomically."""
    (spool / PATH_PREFIX).mkdir(parents=True, exist_ok=True)
    for path, body in files.items():
        atomic_write_bytes(spool / path, body)
    for old in (spool / PATH_PREFIX).glob("*.json"):
        if f"{PATH_PREFIX}{old.name}" not in files:
            os.unlink(old)
    atomic_write_bytes(spool / f"{ROLE}.json", data)


__all__ = ["DEFAULT_TTL_S", "accept", "delegate", "load_console_key", "new_console_key", "read_spool",
           "sign_admissions", "write_spool"]
