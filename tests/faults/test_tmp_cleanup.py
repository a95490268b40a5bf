"""Issue 14 #14: `kiosk flow run` without --data-dir leaves nothing in the temporary directory."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_flow_run_leaves_no_temporary_directories(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    kiosk = Path(sys.executable).with_name("kiosk")
    proc = subprocess.run([str(kiosk), "flow", "run", "queue_ticket", "--json"], capture_output=True, text=True,
                          timeout=120, env=os.environ | {"TMPDIR": str(tmp), "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    left = sorted(p.name for p in tmp.iterdir() if p.name.startswith(("kiosk-flow-", "kiosk-receipts-")))
    assert left == []
