"""`kiosk-fleet` and `kiosk update` end to end, in-process (main(argv) -> exit code)."""
from __future__ import annotations

import json
import os
import stat
import tarfile
from pathlib import Path

from tests.support.fleetkit import RepoServer, fake_source, resolved_version

from kiosk_fleet import cli
from kiosk.terminal.commands import update as update_cli
from kiosk.remote.agent import Agent

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, argv: list[str], main=cli.main) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().out


def test_repo_build_release_and_update_from_the_command_line(tmp_path, capsys):
    repo = tmp_path / "repo"
    code, out = run(capsys, ["repo", "init", str(repo), "--root-threshold", "2"])
    assert code == 0 and "offline" in out
    assert stat.S_IMODE(os.stat(repo / "keys").st_mode) == 0o700
    for key in ("root-1.pem", "root-2.pem", "targets.pem", "snapshot.pem", "timestamp.pem"):
        assert stat.S_IMODE(os.stat(repo / "keys" / key).st_mode) == 0o600
    root_md = json.loads((repo / "metadata" / "root.json").read_text())
    assert root_md["signed"]["roles"]["root"]["threshold"] == 2 and len(root_md["signatures"]) == 2
    assert root_md["signed"]["consistent_snapshot"] is True

    # The real source tree of this checkout.
    code, out = run(capsys, ["build-artifact", "--out", str(tmp_path / "real.tar.gz"), "--version", "0.2.0",
                             "--trusted-root", str(repo / "metadata" / "root.json")])
    built = json.loads(out)
    assert code == 0 and built["version"] == "0.2.0" and built["wheels"] == 0
    with tarfile.open(tmp_path / "real.tar.gz") as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert {"kiosk/remote/agent.py", "pyproject.toml", "requirements.lock", "README.md", "fleet/root.json"} <= names
    assert {n.split("/")[0] for n in names} == {"kiosk", "devices", "flows", "screens", "locales", "fleet",
                                                "pyproject.toml", "requirements.lock", "README.md", "manifest.json"}
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert manifest["version"] == "0.2.0" and manifest["files"]["kiosk/remote/agent.py"]

    # A release the fake health check passes, and content.
    from kiosk.update.artifact import build_artifact

    art = build_artifact(fake_source(tmp_path, "0.3.0"), tmp_path / "fake.tar.gz", "0.3.0",
                         trusted_root=repo / "metadata" / "root.json")
    code, out = run(capsys, ["release", str(repo), "--artifact", str(art.path), "--version", "0.3.0", "--ring", "stable"])
    assert code == 0 and json.loads(out)["ring"] == "stable"
    note = tmp_path / "notice.json"
    note.write_text(json.dumps({"zh_CN": "..."}))
    code, out = run(capsys, ["release-content", str(repo), "--kind", "announcement", "--file", str(note), "--version", "2"])
    assert code == 0 and json.loads(out)["path"] == "content/announcement/announcement-2.json"
    code, out = run(capsys, ["repo", "refresh-timestamp", str(repo), "--days", "1"])
    assert code == 0
    code, out = run(capsys, ["repo", "status", str(repo)])
    status = json.loads(out)
    assert status["roles"]["timestamp"]["version"] == 4 and not status["roles"]["timestamp"]["expired"]

    # Duplicate version with other bytes: refused with one line, exit 1.
    code = cli.main(["release", str(repo), "--artifact", str(tmp_path / "real.tar.gz"), "--version", "0.3.0"])
    assert code == 1 and "different content" in capsys.readouterr().err

    server = RepoServer(repo)
    try:
        term = tmp_path / "terminal"
        common = ["--repo", server.url, "--root", str(term), "--trusted-root", str(repo / "metadata" / "root.json"),
                  "--terminal-id", "ganzi-0001"]
        code, out = run(capsys, ["update", "check", *common], update_cli.main)
        check = json.loads(out)
        assert code == 0 and check["current"] is None and check["available"] == "0.3.0" and check["eligible"]
        code, out = run(capsys, ["update", "apply", *common], update_cli.main)
        applied = json.loads(out)
        assert code == 0 and applied["outcome"] == "committed", applied
        assert [c["command"] for c in applied["health"]["checks"]] == [
            "-m kiosk diag --json", "-m kiosk flow run queue_ticket --profile demo --json"]
        assert resolved_version(term) == "0.3.0"
        code, out = run(capsys, ["update", "status", "--root", str(term)], update_cli.main)
        assert json.loads(out)["running"] == "0.3.0"
        code, out = run(capsys, ["update", "recover", "--root", str(term)], update_cli.main)
        assert json.loads(out)["current"] == "0.3.0"
        server.close()
        code, out = run(capsys, ["update", "check", *common], update_cli.main)
        assert code == 1 and json.loads(out)["error"] == "repository_unavailable"
    finally:
        server.close()


def test_status_and_command_from_the_command_line(tmp_path, broker, settings, capsys):
    agent = Agent("cli-0001", settings, state_dir=tmp_path / "a", handlers={
        "set_maintenance": lambda args: {"maintenance": args["on"]}}, status_info=lambda: {"version": "0.3.0"})
    agent.start()
    try:
        assert agent.wait_connected(5)
        conn = ["--host", "127.0.0.1", "--port", str(broker.port), "--no-tls"]
        code, out = run(capsys, ["status", *conn, "--json", "--wait", "0.2"])
        assert code == 0 and json.loads(out)["cli-0001"]["state"] == "online"
        code, out = run(capsys, ["status", *conn, "--wait", "0.2"])
        assert "cli-0001" in out and "online" in out
        code, out = run(capsys, ["command", "cli-0001", "set_maintenance", "--arg", "on=true", *conn, "--timeout", "5"])
        ack = json.loads(out)
        assert code == 0 and ack["status"] == "ok" and ack["result"] == {"maintenance": True}
        code, out = run(capsys, ["command", "cli-0001", "reboot_now", *conn, "--timeout", "5"])
        assert code == 1 and json.loads(out)["status"] == "refused"
        code = cli.main(["command", "nobody-0001", "diag", *conn, "--timeout", "0.3"])
        assert code == 3 and "no acknowledgement" in capsys.readouterr().err
        code = cli.main(["command", "cli-0001", "diag", "--host", "127.0.0.1", "--port", "1", "--no-tls"])
        assert code == 4
    finally:
        agent.stop()
