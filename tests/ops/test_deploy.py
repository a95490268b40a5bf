"""The systemd units say what deploy/README.md promises."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def directives(path: Path) -> dict[str, list[str]]:
    """key -> values (systemd allows a key more than once), continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", path.read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        out.setdefault(key.strip(), []).append(value.strip())
    return out


def test_kiosk_service():
    d = directives(DEPLOY / "kiosk.service")
    one = {k: v[-1] for k, v in d.items()}
    assert one["Type"] == "notify" and one["WatchdogSec"] == "30"
    assert one["Restart"] == "always" and one["RestartSec"] == "2" and one["StartLimitIntervalSec"] == "0"
    assert one["ExecStart"] == "/opt/kiosk/current/.venv/bin/kiosk run --config /etc/kiosk/site.toml --fullscreen"
    assert one["ExecStartPre"].endswith("kiosk update recover --root /opt/kiosk")
    assert one["User"] == "kiosk" and one["NoNewPrivileges"] == "yes" and one["ProtectSystem"] == "strict"
    # the options that would cut the app off its display, GPU, sound or devices stay off
    for key in ("PrivateDevices", "PrivateTmp", "ProtectHome", "MemoryDenyWriteExecute"):
        assert key not in d, key


def test_update_units():
    svc = {k: v[-1] for k, v in directives(DEPLOY / "kiosk-update.service").items()}
    assert svc["Type"] == "oneshot"
    assert "kiosk update apply --root /opt/kiosk" in svc["ExecStart"]
    assert '--restart-command "systemctl restart kiosk.service"' in svc["ExecStart"]
    timer = {k: v[-1] for k, v in directives(DEPLOY / "kiosk-update.timer").items()}
    assert timer["OnUnitActiveSec"] and timer["RandomizedDelaySec"] and timer["WantedBy"] == "timers.target"


def test_readme_warns_about_vpcd():
    text = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert "vsmartcard-vpcd" in text and "0.0.0.0:35963" in text


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_accepts_the_units(tmp_path):
    # Copies, so systemd does not look for drop-ins next to the repository.
    files = [shutil.copy(DEPLOY / n, tmp_path / n) for n in ("kiosk.service", "kiosk-update.service", "kiosk-update.timer")]
    proc = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, files)],
                          capture_output=True, text=True, timeout=60)
    # The install paths do not exist on a build machine; anything else is a real complaint.
    complaints = [l for l in (proc.stdout + proc.stderr).splitlines() if l.strip() and "is not executable" not in l]
    assert complaints == []
