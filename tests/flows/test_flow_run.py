"""`kiosk flow run ID --profile demo --json` for all seven flows, through kiosk/terminal/commands/flow.py
(kiosk/terminal/cli.py wires register_flow_run), and once in a subprocess as a user would run it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flows.registry import FLOWS
from kiosk.terminal.commands.flow import run_capturing

REPO = Path(__file__).resolve().parents[2]
PRINTS = {"social_insurance_certificate", "real_estate_query", "service_guide", "queue_ticket", "elicense_print"}


def last_json(stdout: str) -> dict:
    lines = [line for line in stdout.splitlines() if line.strip()]
    result = json.loads(lines[-1])
    assert set(result) == {"flow", "outcome", "steps", "receipt", "duration_s"}
    return result


@pytest.mark.parametrize("flow_id", list(FLOWS))
def test_flow_run_completes(flow_id, tmp_path):
    code, out, err = run_capturing(["run", flow_id, "--profile", "demo", "--json", "--data-dir", str(tmp_path / "d"),
                                    "--receipts-dir", str(tmp_path / "r")])
    assert code == 0, err
    result = last_json(out)
    assert result["flow"] == flow_id and result["outcome"] == "completed"
    assert result["steps"][0] == FLOWS[flow_id].initial and "evaluate" in result["steps"]
    assert isinstance(result["duration_s"], float) and result["duration_s"] < 30
    if flow_id in PRINTS:
        png = Path(result["receipt"])
        assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.parent == tmp_path / "r"
    else:
        assert result["receipt"] is None


def test_without_json_each_step_is_a_line_and_json_is_still_last(tmp_path):
    code, out, _ = run_capturing(["run", "application_progress", "--data-dir", str(tmp_path / "d"),
                                  "--receipts-dir", str(tmp_path / "r")])
    assert code == 0
    assert out.splitlines()[0] == "step scan (scan)"
    assert last_json(out)["outcome"] == "completed"


def test_unknown_flow_and_locale_are_usage_errors():
    code, out, err = run_capturing(["run", "no_such_flow"])
    assert code == 2 and "unknown flow" in err and out == ""
    code, out, err = run_capturing(["run", "evaluation", "--locale", "fr"])
    assert code == 2 and "unknown locale" in err


def test_the_step_limit_ends_a_run_as_failed(tmp_path):
    code, out, err = run_capturing(["run", "social_insurance_certificate", "--json", "--max-steps", "2",
                                    "--data-dir", str(tmp_path / "d"), "--receipts-dir", str(tmp_path / "r")])
    result = last_json(out)
    assert code == 1 and result["outcome"] == "failed" and "step_limit" in err


def test_in_a_subprocess(tmp_path):
    script = ("import sys; from kiosk.terminal.commands.flow import main_for_tests; "
              "sys.exit(main_for_tests(sys.argv[1:]))")
    proc = subprocess.run([sys.executable, "-c", script, "run", "social_insurance_certificate", "--profile", "demo",
                           "--json", "--data-dir", str(tmp_path / "d"), "--receipts-dir", str(tmp_path / "r")],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = last_json(proc.stdout)
    assert result["outcome"] == "completed" and Path(result["receipt"]).is_file()
    assert "identify" in result["steps"] and "verifying" in result["steps"]
