"""Attacks and failures on the update path: each one is a typed error, nothing is installed,
and the committed version keeps running."""
from __future__ import annotations

import io
import json
import tarfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from tests.support.fleetkit import resolved_version
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Metadata, MetaFile, TargetFile, Timestamp
from tuf.api.serialization.json import JSONSerializer

from kiosk.update.errors import (
    ArtifactRejected,
    InstallError,
    MetadataRejected,
    RepositoryUnavailable,
    TrustError,
    UpdateError,
)
from kiosk_fleet.repo_tool import Repository
from kiosk.update.updater import Updater


@pytest.fixture
def running(publish, make_updater) -> Updater:
    """A terminal running committed 1.0.0."""
    up = make_updater()
    publish("1.0.0")
    assert up.apply().outcome == "committed"
    return up


def assert_untouched(up: Updater, result=None, error: type[UpdateError] | None = None) -> None:
    if result is not None:
        assert result.outcome == "failed", result.to_dict()
        assert isinstance(result.error, error), repr(result.error)
    state = up.state()
    assert (state.current, state.pending) == ("1.0.0", None)
    assert resolved_version(up.root) == "1.0.0"
    assert sorted(p.name for p in (up.root / "releases").iterdir()) == ["1.0.0"]


def sign_with(md: Metadata, *signers: CryptoSigner) -> None:
    md.signatures.clear()
    for s in signers:
        md.sign(s, append=True)


def key(repo: Repository, role: str) -> CryptoSigner:
    return repo._signers(role)[0]  # noqa: SLF001 - the test plays a holder of that key


def test_tampered_artifact_on_the_server_is_rejected(repo, publish, running):
    publish("1.1.0")
    blob = next((repo.targets_dir / "app").glob("*.kiosk-1.1.0.tar.gz"))
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same length, one byte changed
    blob.write_bytes(bytes(data))
    result = running.apply()
    assert_untouched(running, result, ArtifactRejected)
    assert "hash" in str(result.error)


def test_timestamp_rollback_is_rejected(repo, publish, running):
    old_timestamp = (repo.metadata_dir / "timestamp.json").read_bytes()
    publish("1.1.0")
    running.check()  # the terminal has now seen the newer timestamp
    (repo.metadata_dir / "timestamp.json").write_bytes(old_timestamp)  # a mirror replays the old one
    with pytest.raises(MetadataRejected, match="rollback"):
        running.check()
    assert_untouched(running, running.apply(), MetadataRejected)


def test_snapshot_rollback_is_rejected(repo, publish, running):
    publish("1.1.0")
    newest = repo._load("snapshot").signed.version  # noqa: SLF001
    older = (repo.metadata_dir / f"{newest - 1}.snapshot.json").read_bytes()
    (repo.metadata_dir / f"{newest}.snapshot.json").write_bytes(older)
    result = running.apply()
    assert_untouched(running, result, MetadataRejected)
    assert "rollback" in str(result.error)


def test_expired_timestamp_is_rejected(repo, publish, running):
    publish("1.1.0")
    repo.refresh_timestamp(expires_in=timedelta(minutes=-5))  # validly signed, but stale
    with pytest.raises(MetadataRejected, match="expired"):
        running.check()
    assert_untouched(running, running.apply(), MetadataRejected)


def test_targets_signed_with_an_unknown_key_are_rejected(tmp_path, repo, running):
    # The attacker holds the online snapshot and timestamp keys but not the targets key.
    evil = tmp_path / "evil.tar.gz"
    evil.write_bytes(b"not the kiosk")
    targets = repo.targets()
    tf = TargetFile.from_file("app/kiosk-9.9.9.tar.gz", str(evil), ["sha256"])
    tf.unrecognized_fields["custom"] = {"kind": "app", "version": "9.9.9", "ring": "stable"}
    targets.signed.targets[tf.path] = tf
    targets.signed.version += 1
    sign_with(targets, CryptoSigner(Ed25519PrivateKey.generate()))
    ser = JSONSerializer(compact=False)
    (repo.metadata_dir / f"{targets.signed.version}.targets.json").write_bytes(targets.to_bytes(ser))
    snap = repo._load("snapshot")  # noqa: SLF001
    snap.signed.version += 1
    snap.signed.meta["targets.json"] = MetaFile(version=targets.signed.version)
    sign_with(snap, key(repo, "snapshot"))
    (repo.metadata_dir / f"{snap.signed.version}.snapshot.json").write_bytes(snap.to_bytes(ser))
    ts = Metadata(Timestamp(version=repo._load("timestamp").signed.version + 1,  # noqa: SLF001
                            expires=datetime.now(timezone.utc) + timedelta(days=1)))
    ts.signed.snapshot_meta = MetaFile(version=snap.signed.version)
    sign_with(ts, key(repo, "timestamp"))
    (repo.metadata_dir / "timestamp.json").write_bytes(ts.to_bytes(ser))

    with pytest.raises(MetadataRejected, match="signed|signature|threshold"):
        running.check()
    assert_untouched(running, running.apply(), MetadataRejected)


def test_oversized_metadata_is_rejected(repo, publish, running):
    publish("1.1.0")
    path = repo.metadata_dir / "timestamp.json"
    # Still valid JSON, signature intact: only the length gives it away (an endless-data attack).
    path.write_bytes(path.read_bytes().rstrip() + b" " * 20_000 + b"\n")
    with pytest.raises(MetadataRejected, match="larger"):
        running.check()
    assert_untouched(running, running.apply(), MetadataRejected)


def test_a_signed_but_unsafe_archive_is_not_extracted(tmp_path, repo, running):
    # Signed by the real targets key (a compromised build machine): still refused at extraction.
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        data = json.dumps({"format": 1, "version": "1.1.0", "files": {}}).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("kiosk")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc"
        tar.addfile(link)
    repo.release(evil, "1.1.0", "stable")
    result = running.apply()
    assert_untouched(running, result, InstallError)
    assert "link" in str(result.error)
    assert not list((running.root / "releases").glob(".partial-*"))


def test_parent_paths_in_an_archive_are_refused(tmp_path):
    from kiosk.update.artifact import safe_extract

    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(InstallError, match="parent"):
        safe_extract(evil, dest)
    assert not (tmp_path / "outside.txt").exists()


def test_repository_down_is_reported_not_raised(tmp_path, publish, running, server):
    publish("1.1.0")
    server.close()
    assert_untouched(running, running.apply(), RepositoryUnavailable)


def test_no_trust_on_first_use(tmp_path, repo, server, publish):
    publish("1.0.0")
    bogus = tmp_path / "root.json"
    bogus.write_text("{}")
    up = Updater(tmp_path / "t", server.url, bogus, "terminal-1")
    result = up.apply()
    assert result.outcome == "failed" and isinstance(result.error, TrustError)
    missing = Updater(tmp_path / "t2", server.url, tmp_path / "absent.json", "terminal-1")
    with pytest.raises(TrustError):
        missing.check()
    # A root from some other repository does not verify this one's metadata.
    other = Repository.init(tmp_path / "other")
    stranger = Updater(tmp_path / "t3", server.url, other.metadata_dir / "root.json", "terminal-1")
    assert isinstance(stranger.apply().error, MetadataRejected)
    assert not (tmp_path / "t3" / "current").exists()


def test_metadata_is_written_durably(running):
    # ngclient's files plus our fsync: nothing temporary is left behind in the metadata dir.
    names = sorted(p.name for p in Path(running.metadata_dir).iterdir())
    assert names == ["root.json", "root_history", "snapshot.json", "targets.json", "timestamp.json"]


def test_archive_must_match_its_manifest(tmp_path):
    from kiosk.update.artifact import safe_extract

    def build(files: dict[str, bytes], listed: dict[str, str]) -> Path:
        path = tmp_path / f"a{len(list(tmp_path.iterdir()))}.tar.gz"
        with tarfile.open(path, "w:gz") as tar:
            entries = {"manifest.json": json.dumps({"format": 1, "version": "1.0.0", "files": listed}).encode(), **files}
            for name, data in entries.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return path

    import hashlib

    good = hashlib.sha256(b"print(1)\n").hexdigest()
    for files, listed, why in (({"kiosk/a.py": b"print(2)\n"}, {"kiosk/a.py": good}, "does not match"),
                               ({"kiosk/a.py": b"print(1)\n", "kiosk/extra.py": b""}, {"kiosk/a.py": good}, "not in manifest"),
                               # a manifest naming a file outside the release (it was hashed and accepted)
                               ({"kiosk/a.py": b"print(1)\n"}, {"kiosk/a.py": good, "../../etc/hostname": hashlib.sha256(
                                   Path("/etc/hostname").read_bytes()).hexdigest() if Path("/etc/hostname").is_file() else ""},
                                "not a path inside the release"),
                               ({"kiosk/a.py": b"print(1)\n"}, {"kiosk/a.py": good, "/etc/hostname": ""},
                                "not a path inside the release"),
                               ({"kiosk/a.py": b"print(1)\n"}, {"kiosk/./a.py": good}, "not a path inside the release")):
        dest = tmp_path / f"dest-{len(list(tmp_path.iterdir()))}"
        dest.mkdir()
        with pytest.raises(InstallError, match=why):
            safe_extract(build(files, listed), dest, "1.0.0")


def test_a_release_without_a_shipped_root_falls_back_to_the_verified_cache(tmp_path, publish, make_updater):
    up = make_updater()
    publish("1.0.0")
    assert up.apply().outcome == "committed"
    up.trusted_root.unlink()  # e.g. the running release was built without --trusted-root
    publish("1.1.0")
    assert up.apply().outcome == "committed"
