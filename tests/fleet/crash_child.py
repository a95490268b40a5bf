"""Run one update in a child process and SIGKILL it at a given step (a real kill -9, no cleanup).

usage: crash_child.py ROOT REPO_URL TRUSTED_ROOT STEP ok|bad
"""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path


from kiosk.update.health import HealthResult
from kiosk.update.updater import Updater


def main() -> int:
    root, url, trusted, step, health = sys.argv[1:6]

    def hook(name: str) -> None:
        if name == step:
            os.kill(os.getpid(), signal.SIGKILL)

    up = Updater(Path(root), url, Path(trusted), "terminal-0001", hook=hook,
                 health_check=lambda _rel: HealthResult(health == "ok", "injected"))
    up.apply()
    return 0


if __name__ == "__main__":
    sys.exit(main())
