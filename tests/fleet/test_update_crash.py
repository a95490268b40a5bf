"""Crash at every step of an update (an exception at the step boundary, and a real SIGKILL in a
child process): a fresh start always resolves `current` to a committed, complete release."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.fleetkit import HERE, RepoServer, fake_source, resolved_version

from kiosk.update.artifact import build_artifact
from kiosk.update.health import HealthResult
from kiosk_fleet.repo_tool import Repository
from kiosk.update.updater import MARKER, Updater

FORWARD = ["refreshed", "downloaded", "extracted", "installed", "pending", "link_created", "switched",
           "restarted", "health_checked", "committed", "pruned"]
ROLLBACK = ["health_checked", "rollback_link_created", "rolled_back", "marked_bad"]
CASES = [(s, "ok") for s in FORWARD] + [(s, "bad") for s in ROLLBACK]


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so no handler in the updater catches it."""


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("crash")
    repo = Repository.init(base / "repo")
    server = RepoServer(repo.path)
    for v in ("1.0.0", "1.1.0"):
        art = build_artifact(fake_source(base, v), base / f"kiosk-{v}.tar.gz", v)
        repo.release(art.path, v, "stable")
        if v == "1.0.0":
            template = base / "template"
            up = Updater(template, server.url, repo.metadata_dir / "root.json", "terminal-0001",
                         health_check=lambda _r: HealthResult(True))
            assert up.apply().outcome == "committed"
    yield {"base": base, "repo": repo, "url": server.url, "template": template}
    server.close()


def fresh_terminal(world, name: str) -> Path:
    root = world["base"] / name
    shutil.copytree(world["template"], root, symlinks=True)
    return root


def assert_committed_after_restart(world, root: Path, expected: str) -> None:
    up = Updater(root, world["url"], world["repo"].metadata_dir / "root.json", "terminal-0001",
                 health_check=lambda _r: HealthResult(True))
    state = up.recover()
    assert state.pending is None
    assert state.current == expected
    assert resolved_version(root) == expected
    marker = json.loads((root / "current" / MARKER).read_text())
    assert marker["version"] == expected  # complete: the marker is written last
    assert (root / "current" / "manifest.json").is_file()
    assert not list((root / "releases").glob(".partial-*"))
    assert not list(root.glob(".current.tmp-*"))


def expected_after(step: str, health: str) -> str:
    return "1.1.0" if health == "ok" and step in ("committed", "pruned") else "1.0.0"


@pytest.mark.parametrize("step,health", CASES)
def test_exception_at_each_step(world, step, health):
    root = fresh_terminal(world, f"raise-{step}-{health}")

    def hook(name: str) -> None:
        if name == step:
            raise Crash(step)

    up = Updater(root, world["url"], world["repo"].metadata_dir / "root.json", "terminal-0001", hook=hook,
                 health_check=lambda _r: HealthResult(health == "ok"))
    with pytest.raises(Crash):
        up.apply()
    assert_committed_after_restart(world, root, expected_after(step, health))


@pytest.mark.parametrize("step,health", CASES)
def test_sigkill_at_each_step(world, step, health):
    root = fresh_terminal(world, f"kill-{step}-{health}")
    proc = subprocess.run([sys.executable, str(HERE / "crash_child.py"), str(root), world["url"],
                           str(world["repo"].metadata_dir / "root.json"), step, health],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == -9, proc.stderr  # it really died at that step
    assert_committed_after_restart(world, root, expected_after(step, health))
    # ...and the next run finishes the job (or, for a bad release, leaves it alone).
    up = Updater(root, world["url"], world["repo"].metadata_dir / "root.json", "terminal-0001",
                 health_check=lambda _r: HealthResult(health == "ok"))
    up.apply()
    assert resolved_version(root) == ("1.1.0" if health == "ok" else "1.0.0")
    assert up.state().pending is None


def test_an_interrupted_version_is_marked_bad_after_repeated_interruptions(world):
    root = fresh_terminal(world, "interrupted-twice")
    for _ in range(2):
        def hook(name: str) -> None:
            if name == "restarted":
                raise Crash(name)

        up = Updater(root, world["url"], world["repo"].metadata_dir / "root.json", "terminal-0001",
                     hook=hook, health_check=lambda _r: HealthResult(True))
        with pytest.raises(Crash):
            up.apply()
    state = Updater(root, world["url"], world["repo"].metadata_dir / "root.json", "terminal-0001").recover()
    assert state.current == "1.0.0" and state.bad == ["1.1.0"]
