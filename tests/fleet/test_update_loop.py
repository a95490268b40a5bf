"""The whole update loop against a real HTTP server: release, check, install, switch, health
check, commit; a broken release rolls back by itself and is never retried; rings; content."""
from __future__ import annotations

import json
import os
from pathlib import Path

from kiosk.update import rings
from kiosk.update.errors import HealthCheckFailed
from kiosk.update.health import CommandHealthCheck

from tests.support.fleetkit import resolved_version


def releases(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "releases").iterdir() if not p.name.startswith("."))


def test_release_install_commit_then_broken_release_rolls_back_and_is_never_retried(tmp_path, publish, make_updater):
    restarts: list[str] = []
    root = tmp_path / "terminal"
    # The default health check, for real: the new release's `python -m kiosk diag --json` etc.
    up = make_updater(root, health_check=CommandHealthCheck(timeout_s=30),
                      restart=lambda rel: restarts.append(rel.name))

    publish("1.0.0")
    first = up.apply()
    assert first.outcome == "committed", first.to_dict()
    assert resolved_version(root) == "1.0.0"
    assert [c["ok"] for c in first.health.checks] == [True, True]

    publish("1.1.0")
    check = up.check()
    assert (check.current, check.available, check.eligible) == ("1.0.0", "1.1.0", True)
    result = up.apply()
    assert result.outcome == "committed" and result.current == "1.1.0"
    assert resolved_version(root) == "1.1.0"
    state = up.state()
    assert (state.current, state.previous, state.pending, state.bad) == ("1.1.0", "1.0.0", None, [])
    assert (root / "current" / "fleet" / "root.json").is_file()  # the release ships its trust anchor

    publish("1.2.0", broken=True)
    bad = up.apply()
    assert bad.outcome == "rolled_back"
    assert isinstance(bad.error, HealthCheckFailed)
    assert "printer driver" in bad.health.detail
    assert resolved_version(root) == "1.1.0"
    state = up.state()
    assert (state.current, state.pending, state.bad) == ("1.1.0", None, ["1.2.0"])
    assert restarts == ["1.0.0", "1.1.0", "1.2.0", "1.1.0"]  # switched to 1.2.0, then back

    again = up.apply()
    assert again.outcome == "up_to_date" and up.check().available is None
    assert up.telemetry()["bad"] == ["1.2.0"] and up.telemetry()["running"] == "1.1.0"
    assert restarts[-1] == "1.1.0"  # nothing restarted for a bad version

    # Pruning keeps current + previous + the newest other good release; bad ones go first.
    publish("1.3.0")
    assert up.apply().outcome == "committed"
    assert releases(root) == ["1.0.0", "1.1.0", "1.3.0"]
    publish("1.4.0")
    assert up.apply().outcome == "committed"
    assert releases(root) == ["1.1.0", "1.3.0", "1.4.0"]
    assert json.loads((root / "state.json").read_text())["previous"] == "1.3.0"


def test_a_busy_terminal_installs_but_switches_only_when_idle(tmp_path, publish, make_updater):
    busy = {"session": True}
    up = make_updater(is_idle=lambda: not busy["session"])
    busy["session"] = False
    publish("1.0.0")
    assert up.apply().outcome == "committed"
    publish("1.1.0")
    busy["session"] = True
    waiting = up.apply()
    assert (waiting.outcome, waiting.version) == ("waiting_idle", "1.1.0")
    assert resolved_version(up.root) == "1.0.0" and (up.root / "releases" / "1.1.0").is_dir()
    busy["session"] = False
    assert up.apply().outcome == "committed"
    assert resolved_version(up.root) == "1.1.0"


def _terminal_in(ring: str, pilot_percent: int) -> str:
    return next(f"t-{i:04d}" for i in range(10_000) if rings.ring_of(f"t-{i:04d}", pilot_percent) == ring)


def test_rings_are_a_stable_hash_of_the_terminal_id():
    ids = [f"ganzi-{i:04d}" for i in range(2000)]
    first = [rings.bucket(t) for t in ids]
    assert first == [rings.bucket(t) for t in ids]  # deterministic, no state
    assert rings.bucket("ganzi-0001") == int(__import__("hashlib").sha256(b"ganzi-0001").hexdigest(), 16) % 100
    pilots = sum(1 for t in ids if rings.ring_of(t, 10) == "pilot")
    assert 120 < pilots < 280  # about 10%
    assert all(rings.eligible(t, "stable", 10) for t in ids)
    # widening the pilot keeps every earlier pilot terminal in it
    assert {t for t in ids if rings.ring_of(t, 5) == "pilot"} <= {t for t in ids if rings.ring_of(t, 20) == "pilot"}


def test_pilot_release_reaches_only_the_pilot_ring_until_promoted(tmp_path, repo, publish, make_updater):
    pilot_id, stable_id = _terminal_in("pilot", 5), _terminal_in("stable", 5)
    pilot = make_updater(tmp_path / "pilot", pilot_id, pilot_percent=5)
    stable = make_updater(tmp_path / "stable", stable_id, pilot_percent=5)
    publish("1.0.0", ring="stable")
    assert pilot.apply().outcome == stable.apply().outcome == "committed"

    art = publish("1.1.0", ring="pilot")
    p, s = pilot.check(), stable.check()
    assert (p.ring, p.available, p.eligible) == ("pilot", "1.1.0", True)
    assert (s.ring, s.available, s.eligible) == ("stable", "1.1.0", False)
    assert stable.apply().outcome == "up_to_date"
    assert pilot.apply().outcome == "committed"

    repo.release(art, "1.1.0", "stable")  # promotion: same bytes, new ring
    assert stable.check().eligible
    assert stable.apply().outcome == "committed"
    assert resolved_version(stable.root) == "1.1.0"


def test_content_release_through_the_same_channel(tmp_path, repo, make_updater):
    catalog = tmp_path / "services.json"
    catalog.write_text(json.dumps({"services": ["queue_ticket"]}))
    repo.release_content("catalog", catalog, "7")
    up = make_updater()
    got = up.fetch_content("catalog")
    assert got is not None and got.version == "7"
    assert json.loads(got.path.read_text()) == {"services": ["queue_ticket"]}
    assert os.readlink(up.root / "content" / "catalog" / "current") == "7"
    assert up.fetch_content("announcement") is None


def test_root_key_rotation_is_followed_by_terminals(tmp_path, repo, publish, make_updater):
    up = make_updater()
    publish("1.0.0")
    assert up.apply().outcome == "committed"
    repo.rotate_key("targets")
    repo.rotate_key("root")
    publish("1.1.0")
    # The terminal still ships root v1; it walks 2.root.json and 3.root.json, each verified.
    assert up.apply().outcome == "committed"
    assert (up.metadata_dir / "root_history" / "3.root.json").is_file()
