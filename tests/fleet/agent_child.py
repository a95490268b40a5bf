"""A terminal agent in its own process, to be killed with SIGKILL (the last-will test).

usage: agent_child.py PORT TERMINAL_ID STATE_DIR
"""
from __future__ import annotations

import sys
import threading

from kiosk.remote.agent import Agent
from kiosk.remote.mqtt import BrokerSettings


def main() -> int:
    port, terminal, state_dir = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    settings = BrokerSettings("127.0.0.1", port, tls=False, keepalive_s=5, reconnect_min_s=0.1, reconnect_max_s=0.5)
    agent = Agent(terminal, settings, handlers={"diag": lambda _a: {"ok": True}}, state_dir=state_dir)
    agent.start()
    print("started", flush=True)
    threading.Event().wait()  # until killed
    return 0


if __name__ == "__main__":
    sys.exit(main())
