"""Health checks run against a freshly switched release, before it is committed.

The default runs commands from the new release with the new release's Python (its own .venv if
the release brought one, else this interpreter with the release first on PYTHONPATH):
`kiosk diag --json` (devices open, journal writable) and a demo queue-ticket flow. A check
passes when every command exits 0 and, if it prints a JSON object with an "ok" field, that field
is true. Tests and other deployments inject any callable `(release_dir) -> HealthResult`.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("{python}", "-m", "kiosk", "diag", "--json"),
    ("{python}", "-m", "kiosk", "flow", "run", "queue_ticket", "--profile", "demo", "--json"),
)


@dataclass(frozen=True)
class HealthResult:
    ok: bool
    detail: str = ""
    checks: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "detail": self.detail, "checks": self.checks}


HealthCheck = Callable[[Path], HealthResult]


def release_python(release_dir: Path) -> str:
    own = release_dir / ".venv" / "bin" / "python"
    return str(own) if own.exists() else sys.executable


class CommandHealthCheck:
    """Run each command (an argv list, no shell) in the release directory."""

    def __init__(self, commands: Sequence[Sequence[str]] = DEFAULT_COMMANDS, timeout_s: float = 120.0,
                 extra_env: dict[str, str] | None = None) -> None:
        self.commands = [list(c) for c in commands]
        self.timeout_s = timeout_s
        self.extra_env = dict(extra_env or {})

    def __call__(self, release_dir: Path) -> HealthResult:
        python = release_python(release_dir)
        env = dict(os.environ, **self.extra_env)
        env["PYTHONPATH"] = str(release_dir) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        checks: list[dict[str, Any]] = []
        for template in self.commands:
            argv = [python if a == "{python}" else a for a in template]
            name = " ".join(template[1:] if template and template[0] == "{python}" else template)
            try:
                proc = subprocess.run(argv, cwd=release_dir, env=env, capture_output=True, text=True,
                                      timeout=self.timeout_s, check=False)
            except subprocess.TimeoutExpired:
                checks.append({"command": name, "ok": False, "reason": f"timed out after {self.timeout_s:g} s"})
                return HealthResult(False, f"{name}: timed out", checks)
            except OSError as e:
                checks.append({"command": name, "ok": False, "reason": str(e)})
                return HealthResult(False, f"{name}: {e}", checks)
            ok = proc.returncode == 0 and _json_ok(proc.stdout)
            # Only the last lines of stderr: enough to see why, and diagnostics never carry
            # personal data in the first place.
            reason = "" if ok else (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1][:300]
            checks.append({"command": name, "ok": ok, "exit": proc.returncode, "reason": reason})
            if not ok:
                return HealthResult(False, f"{name}: {reason or 'reported not ok'}", checks)
        return HealthResult(True, "all checks passed", checks)


def _json_ok(stdout: str) -> bool:
    text = stdout.strip()
    if not text.startswith("{"):
        return True
    try:
        data = json.loads(text)
    except ValueError:
        return True  # not JSON after all: the exit code decides
    return not (isinstance(data, dict) and data.get("ok") is False)
