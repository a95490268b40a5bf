"""`kiosk-fleet console`: the database, the ingest worker(s), a timer for alarms, rollouts and
roll-ups, and the web app under uvicorn, in one process."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from kiosk.remote.mqtt import BrokerSettings
from kiosk_fleet.console.app import Console, build_app
from kiosk_fleet.console.db import make_engine, migrate
from kiosk_fleet.console.gate import Gate
from kiosk_fleet.console.ingest import Ingest
from kiosk_fleet.console.rollup import roll_up

log = logging.getLogger(__name__)


@dataclass
class Running:
    console: Console
    ingests: list[Ingest]
    stop: threading.Event
    timer: threading.Thread

    def close(self) -> None:
        self.stop.set()
        self.timer.join(10)
        for i in self.ingests:
            i.stop()
        self.console.engine.dispose()


def start(db_url: str, broker: BrokerSettings, *, workers: int = 1, tick_s: float = 2.0,
          gate: Gate | None = None) -> Running:
    """Everything but the web server (tests and the bench drive the app themselves)."""
    engine = make_engine(db_url)
    migrate(engine)
    ingests: list[Ingest] = []
    console = Console(engine, publish=lambda t, env: ingests[0].publish_command(t, env), gate=gate)
    for _ in range(max(1, workers)):
        ingests.append(Ingest(broker, console.factory).start())
    stop = threading.Event()
    kick = threading.Event()
    ingests[0].listeners.append(kick.set)  # alarms and rollouts react to fresh data at once

    # At most one tick per `min_gap`: under steady telemetry a batch commits every few tens of ms,
    # and a tick after each one kept a core busy re-reading the fleet for alarms.
    min_gap = min(1.0, tick_s)

    def timer() -> None:
        last_rollup = last_tick = 0.0
        while not stop.is_set():
            kick.wait(tick_s)
            if stop.wait(max(0.0, last_tick + min_gap - time.monotonic())):
                return
            kick.clear()  # the kicks of the gap are answered by this tick
            last_tick = time.monotonic()
            try:
                console.tick()
                if time.time() - last_rollup > 3600:
                    with console.factory.begin() as db:
                        roll_up(db, time.time())
                    last_rollup = time.time()
            except Exception:  # noqa: BLE001 - the timer must survive a bad tick
                log.exception("console tick failed")

    t = threading.Thread(target=timer, name="console-timer", daemon=True)
    t.start()
    return Running(console, ingests, stop, t)


def serve(db_url: str, broker: BrokerSettings, host: str, port: int, workers: int = 1,
          gate: Gate | None = None) -> None:
    import uvicorn

    running = start(db_url, broker, workers=workers, gate=gate)
    try:
        uvicorn.run(build_app(running.console), host=host, port=port, log_level="info")
    finally:
        running.close()
