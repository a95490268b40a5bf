"""Rollouts gate installs on the terminal: a staged release (signed by the offline targets key) is
installed only when the delegated `rollout` role — the console's narrow key — admits the
terminal's group in an unexpired, correctly signed admission. Real repository over HTTP, real
ngclient, real updater."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Metadata, MetaFile, TargetFile, Targets
from tuf.api.serialization.json import JSONSerializer

from kiosk.core.durable import atomic_write_bytes
from kiosk.update import admission
from kiosk.update.errors import MetadataRejected, RepoToolError
from kiosk_fleet import rollout_role
from kiosk_fleet.repo_tool import Repository

from tests.support.fleetkit import resolved_version

PILOT, WAVE = "ganzi-luhuo-0001", "ganzi-kangding-0001"
GROUP1 = {"group": "pilot", "halls": ["ganzi-luhuo"]}
GROUP2 = {"group": "wave1", "halls": ["ganzi-kangding"]}


def entry(*groups: dict, version: str = "1.1.0") -> dict:
    return {"version": version, "rollout": 1, "prefix": "ganzi-", "open": list(groups)}


def smuggle(repo: Repository, data: bytes, version: int) -> None:
    """What an attacker holding the repository host (snapshot/timestamp keys) could publish,
    bypassing `accept`'s checks: the terminal must refuse it on its own."""
    atomic_write_bytes(repo.metadata_dir / f"{version}.rollout.json", data)
    repo._snapshot_and_timestamp({"rollout.json": MetaFile(version=version)})


@pytest.fixture
def gated(tmp_path: Path, repo: Repository, publish, make_updater):
    key = rollout_role.new_console_key(tmp_path / "rollout.pem")
    rollout_role.delegate(repo, key.public_key)
    publish("1.0.0", ring="stable")
    pilot, wave = make_updater(tmp_path / "t1", PILOT), make_updater(tmp_path / "t2", WAVE)
    assert pilot.apply().outcome == "committed" and wave.apply().outcome == "committed"
    publish("1.1.0", ring="staged")
    return key, pilot, wave


def test_group2_waits_while_only_group1_is_open_then_installs(tmp_path, repo, publish, gated):
    key, pilot, wave = gated
    # Staged and no admission yet: nobody installs it.
    assert wave.check().admission == "no_admission" and wave.apply().outcome == "up_to_date"

    rollout_role.accept(repo, *rollout_role.sign_admissions(key, 1, [entry(GROUP1)]))
    check = wave.check()
    assert (check.available, check.eligible, check.admission) == ("1.1.0", False, "not_in_open_groups")
    assert wave.apply().outcome == "up_to_date" and resolved_version(tmp_path / "t2") == "1.0.0"
    assert pilot.apply().outcome == "committed" and resolved_version(tmp_path / "t1") == "1.1.0"

    # A release of something else re-signs targets and snapshot: the admission stays listed.
    publish("1.0.1", ring="pilot")
    assert wave.check().admission == "not_in_open_groups"

    rollout_role.accept(repo, *rollout_role.sign_admissions(key, 2, [entry(GROUP1, GROUP2)]))
    assert wave.check().admission == "admitted"
    assert wave.apply().outcome == "committed" and resolved_version(tmp_path / "t2") == "1.1.0"


def test_forged_admission_is_refused_by_the_repository_and_by_the_terminal(tmp_path, repo, gated):
    key, _pilot, wave = gated
    rollout_role.accept(repo, *rollout_role.sign_admissions(key, 1, [entry(GROUP1)]))
    thief = CryptoSigner(Ed25519PrivateKey.generate())
    data, files = rollout_role.sign_admissions(thief, 2, [entry(GROUP1, GROUP2)])
    with pytest.raises(RepoToolError, match="not signed by the delegated key"):
        rollout_role.accept(repo, data, files)
    smuggle(repo, data, 2)
    result = wave.apply()
    assert result.outcome == "failed" and isinstance(result.error, MetadataRejected), result.to_dict()
    assert "admission for 1.1.0 refused" in str(result.error)
    assert resolved_version(tmp_path / "t2") == "1.0.0"


def test_expired_admission_is_refused(tmp_path, repo, gated):
    key, _pilot, wave = gated
    yesterday = datetime.now(timezone.utc) - timedelta(days=2)
    data, files = rollout_role.sign_admissions(key, 1, [entry(GROUP1, GROUP2)], now=yesterday)
    with pytest.raises(RepoToolError, match="expired"):
        rollout_role.accept(repo, data, files)
    smuggle(repo, data, 1)  # a replay of an old, wider admission
    assert wave.check().admission == "admission_expired"
    assert wave.apply().outcome == "up_to_date" and resolved_version(tmp_path / "t2") == "1.0.0"


def test_long_lived_admission_and_app_targets_from_the_console_key_are_refused(tmp_path, repo, gated):
    key, _pilot, wave = gated
    with pytest.raises(ValueError):
        rollout_role.sign_admissions(key, 1, [entry(GROUP2)], ttl_s=30 * 86400)
    # Signed by the right key, but valid for a month: refused by the host and by the terminal.
    md = Metadata(Targets(version=1, expires=datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=30)))
    body = b'{"x": 1}'
    tf = TargetFile.from_data("rollouts/1.1.0.json", body, ["sha256"])
    tf.unrecognized_fields["custom"] = {"kind": "admission", **entry(GROUP2)}
    md.signed.targets[tf.path] = tf
    # ...and an app the console key tries to make installable: outside its delegated scope.
    app = TargetFile.from_data("app/kiosk-9.9.0.tar.gz", b"evil", ["sha256"])
    app.unrecognized_fields["custom"] = {"kind": "app", "version": "9.9.0", "ring": "stable"}
    md.signed.targets[app.path] = app
    md.sign(key)
    data = md.to_bytes(JSONSerializer())
    with pytest.raises(RepoToolError):
        rollout_role.accept(repo, data, {tf.path: body, app.path: b"evil"})
    smuggle(repo, data, 1)
    result = wave.apply()
    assert result.outcome == "failed" and "h ahead" in str(result.error), result.to_dict()
    assert resolved_version(tmp_path / "t2") == "1.0.0"


def test_admission_rules():
    e = {"kind": "admission", **entry(GROUP1, {"group": "w", "percent": 0})}
    admission.check_entry(e)
    assert admission.admits(e, PILOT) and not admission.admits(e, WAVE)
    assert not admission.admits({**e, "prefix": "aba-"}, PILOT)
    assert admission.admits({**e, "open": [{"group": "all", "percent": 100}]}, WAVE)
    assert admission.hall_of("ganzi-luhuo-0003") == "ganzi-luhuo"
    for bad in ({**e, "kind": "app"}, {**e, "open": [{"percent": 101}]}, {**e, "open": "all"},
                {**e, "version": "latest"}):
        with pytest.raises(ValueError):
            admission.check_entry(bad)


def test_cli_console_key_delegate_and_accept(tmp_path, repo):
    from kiosk_fleet.cli import main

    key = tmp_path / "console.pem"
    assert main(["repo", "console-key", str(key)]) == 0
    assert key.stat().st_mode & 0o077 == 0
    assert main(["repo", "delegate-rollouts", str(repo.path), "--public-key", f"{key}.pub.json"]) == 0
    data, files = rollout_role.sign_admissions(rollout_role.load_console_key(key), 7, [entry(GROUP1)])
    rollout_role.write_spool(tmp_path / "spool", data, files)
    assert main(["repo", "accept-rollout", str(repo.path), "--spool", str(tmp_path / "spool")]) == 0
    assert (repo.metadata_dir / "7.rollout.json").is_file()
    assert main(["repo", "accept-rollout", str(repo.path), "--spool", str(tmp_path / "spool")]) == 1  # not newer
