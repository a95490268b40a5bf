"""Fixtures for the fleet tests: a real mosquitto on loopback, a real HTTP server serving a TUF
repository, a tiny fake app source tree whose `python -m kiosk diag --json` passes or fails."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.fleetkit import Collector, RepoServer, fake_source, ok_health, settings_for

from kiosk.update.artifact import build_artifact
from kiosk_fleet.localbroker import MOSQUITTO, LocalBroker
from kiosk.remote.mqtt import BrokerSettings
from kiosk_fleet.repo_tool import Repository
from kiosk.update.updater import Updater


@pytest.fixture(scope="session")
def broker() -> Iterator[LocalBroker]:
    if not Path(MOSQUITTO).exists():
        pytest.skip("mosquitto is not installed (make setup installs it)")
    with LocalBroker() as b:
        yield b


@pytest.fixture
def settings(broker: LocalBroker) -> BrokerSettings:
    return settings_for(broker)


@pytest.fixture
def collector(broker: LocalBroker) -> Iterator[Callable[..., Collector]]:
    made: list[Collector] = []

    def make(topics: list[str], b: LocalBroker | None = None, persistent: bool = False) -> Collector:
        c = Collector(b or broker, topics, persistent)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


# -- TUF repository over HTTP -------------------------------------------------------------------
@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    return Repository.init(tmp_path / "repo")


@pytest.fixture
def server(repo: Repository) -> Iterator[RepoServer]:
    s = RepoServer(repo.path)
    yield s
    s.close()


@pytest.fixture
def publish(tmp_path: Path, repo: Repository) -> Callable[..., Path]:
    """publish("1.1.0", ring="stable", broken=False) -> the tarball path."""

    def _publish(version: str, ring: str = "stable", broken: bool = False) -> Path:
        src = fake_source(tmp_path, version, broken)
        art = build_artifact(src, tmp_path / "artifacts" / f"kiosk-{version}.tar.gz", version,
                             trusted_root=repo.metadata_dir / "root.json")
        repo.release(art.path, version, ring)
        return art.path

    return _publish


@pytest.fixture
def make_updater(tmp_path: Path, repo: Repository, server: RepoServer) -> Callable[..., Updater]:
    trusted = tmp_path / "shipped-root.json"
    trusted.write_bytes((repo.metadata_dir / "root.json").read_bytes())

    def _make(root: Path | None = None, terminal_id: str = "terminal-0001", **kw: Any) -> Updater:
        kw.setdefault("health_check", ok_health)
        return Updater(root or tmp_path / "terminal", server.url, trusted, terminal_id, **kw)

    return _make
