"""Console bench: N simulated terminals (the real Agent, on a few NetLoop threads, as in
bench/fleet.py) on a local mosquitto, the console's ingest (2 workers, shared subscription) into a
throw-away PostgreSQL (initdb/pg_ctl on a unix socket, as `nobody` when run as root), and the
console's web app under uvicorn.

1. History first, in bulk and shaped like the roll-up design (kiosk_fleet/console/rollup.py): the
   last `raw_days` (2) of raw samples every `--raw-interval` s, hourly roll-ups for the rest of a
   month (30 days).
2. Ingest lag = publish (the agent hands the sample to its client) -> the batch holding that row
   committed (visible to every reader). Steady: every terminal once per `--interval` s. Burst:
   every terminal at once (a fleet-wide reconnect draining outboxes). Baseline: the same samples'
   delivery time from the broker to a plain subscriber, measured alongside.
3. The overview page (GET /, logged in) p95 while the steady telemetry flows; baseline: a bare
   SELECT of the same 200 terminal rows plus the by-hall GROUP BY, on the same database.

Bounded: the whole run stops at --deadline seconds (default 300). Everything it starts it stops.

    .venv/bin/python bench/console.py [--terminals 5000] [--raw-interval 60] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# (bench/ is the folder of this script, so Python finds its siblings without any path edit)
from console_history import PG_BIN, insert_history, terminal_ids, throwaway_pg  # noqa: E402
from fleet import pct, raise_fd_limit, telemetry_sample  # noqa: E402  (bench/fleet.py)

import requests  # noqa: E402
from sqlalchemy import text  # noqa: E402

from kiosk.remote.agent import Agent  # noqa: E402
from kiosk.remote.mqtt import BrokerSettings  # noqa: E402
from kiosk.remote.netloop import NetLoop  # noqa: E402
from kiosk.remote.store import CommandStore  # noqa: E402
from kiosk_fleet.console import ingest as ingest_mod  # noqa: E402
from kiosk_fleet.console import server  # noqa: E402
from kiosk_fleet.console.auth import add_user  # noqa: E402
from kiosk_fleet.localbroker import LocalBroker, free_port  # noqa: E402

LAG_BUDGET_S, PAGE_BUDGET_MS = 5.0, 300.0


WEB_SERVER = """
import sys, uvicorn
from kiosk_fleet.console.app import Console, build_app
from kiosk_fleet.console.db import make_engine
console = Console(make_engine(sys.argv[1]), publish=lambda t, env: None)
uvicorn.run(build_app(console), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", lifespan="off")
"""


def note(text: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


class LagProbe:
    """Publish time per (terminal, seq), stamped when the ingest batch holding it has committed.
    Wraps ingest.apply_messages (inside the transaction) and uses the ingest's after-commit hook."""

    def __init__(self) -> None:
        self.sent: dict[tuple[str, int], float] = {}       # waiting for their commit
        self.published: dict[tuple[str, int], float] = {}  # all, for the delivery baseline
        self.lags: list[float] = []
        self.early: dict[tuple[str, int], float] = {}
        self.apply_s = self.commit_s = 0.0  # where the writer threads spend their time
        self._pending = threading.local()
        self._lock = threading.Lock()
        real = ingest_mod.apply_messages

        def wrapped(session, messages):  # noqa: ANN001, ANN202
            messages = list(messages)
            keys = []
            for topic_name, payload, _r in messages:
                if topic_name.endswith("/telemetry"):
                    d = json.loads(payload)
                    keys.append((d["terminal"], d["seq"]))
            self._pending.keys = keys
            t = time.perf_counter()
            try:
                return real(session, messages)
            finally:
                self._pending.applied = time.perf_counter()
                self.apply_s += self._pending.applied - t

        ingest_mod.apply_messages = wrapped

    def committed(self) -> None:  # an ingest listener: runs in the writer thread after the commit
        now = time.time()
        self.commit_s += time.perf_counter() - getattr(self._pending, "applied", time.perf_counter())
        keys, self._pending.keys = getattr(self._pending, "keys", []), []
        with self._lock:
            for k in keys:
                t = self.sent.pop(k, None)
                if t is not None:
                    self.lags.append(now - t)
                else:  # committed before publish() below got to record it
                    self.early[k] = now

    def publish(self, agent: Agent) -> None:
        t = time.time()
        seq = agent.publish_telemetry()["seq"]
        key = (agent.terminal_id, seq)
        with self._lock:
            self.published[key] = t
            done = self.early.pop(key, None)
            if done is not None:
                self.lags.append(done - t)
            else:
                self.sent[key] = t

    def take(self) -> list[float]:
        with self._lock:
            out, self.lags = self.lags, []
            return out


class DeliveryProbe:
    """Baseline: broker delivery to a plain subscriber of the same samples (publish -> received)."""

    def __init__(self, settings: BrokerSettings, loop: NetLoop, probe: LagProbe) -> None:
        import paho.mqtt.client as mqtt
        from kiosk.remote.mqtt import new_client

        self.delays: list[float] = []
        self.probe = probe
        self.client = new_client(f"bench-delivery-{os.getpid()}", settings)
        self.client.on_connect = lambda c, *_: c.subscribe("kiosk/+/telemetry", qos=1)
        self.client.on_message = self._on_message
        self.client.connect_async(settings.host, settings.port, 30, clean_start=True)
        loop.add(self.client)
        self._mqtt = mqtt

    def _on_message(self, _c, _u, msg) -> None:  # noqa: ANN001
        d = json.loads(msg.payload)
        with self.probe._lock:
            t = self.probe.published.get((d["terminal"], d["seq"]))
        if t is not None:
            self.delays.append(time.time() - t)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--terminals", type=int, default=5000)
    ap.add_argument("--interval", type=float, default=60.0, help="steady telemetry period per terminal (s)")
    ap.add_argument("--steady", type=float, default=40.0, help="seconds of steady telemetry")
    ap.add_argument("--raw-interval", type=int, default=300,
                    help="raw history sample period (s); the fleet's is 60, which makes the bulk insert ~5x longer")
    ap.add_argument("--pages", type=int, default=200, help="overview page loads")
    ap.add_argument("--loops", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2, help="ingest workers (shared subscription)")
    ap.add_argument("--deadline", type=float, default=300.0)
    ap.add_argument("--burst-pages", action="store_true", help="also load the overview (every 0.2 s) during the burst")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    # `timeout` or Ctrl-C: unwind through the finally blocks (PostgreSQL, mosquitto, temp dirs).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))
    n, started = args.terminals, time.monotonic()
    deadline = started + args.deadline
    left = lambda: max(0.1, deadline - time.monotonic())  # noqa: E731
    # Per simulated terminal: one socket here (the command stores are in memory, below).
    needed = 2 * n + 1024
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < needed:
            resource.setrlimit(resource.RLIMIT_NOFILE, (needed, max(hard, needed)))
    except (ValueError, OSError):
        raise_fd_limit(needed)
    if not (PG_BIN / "initdb").exists():
        print(f"console bench: skipped, no PostgreSQL at {PG_BIN}")
        return 0
    work = Path(tempfile.mkdtemp(prefix="kiosk-bench-console-"))
    out: dict = {"terminals": n}
    agents: list[Agent] = []
    loops: list[NetLoop] = []
    broker = LocalBroker(workdir=work / "broker", extra_conf="max_connections -1\nset_tcp_nodelay true\n")
    running = None
    web_procs: list[subprocess.Popen] = []

    def shutdown() -> None:
        nonlocal running
        for proc in web_procs:
            proc.terminate()
            proc.wait(10)
        web_procs.clear()
        def abort(a: Agent) -> None:
            try:
                a.abort()
            except Exception:  # noqa: BLE001 - cleanup goes on
                pass

        with ThreadPoolExecutor(16) as pool:  # each closes a SQLite store: fsync-bound
            list(pool.map(abort, agents))
        agents.clear()
        for loop in loops:
            loop.stop()
        loops.clear()
        if running is not None:
            running.close()
            running = None

    try:
        with throwaway_pg() as url:
            try:
                probe = LagProbe()
                settings = BrokerSettings("127.0.0.1", broker.port, tls=False, keepalive_s=60,
                                          reconnect_min_s=0.5, reconnect_max_s=5)
                broker.start()
                running = server.start(url, settings, workers=args.workers, tick_s=5.0)
                for ing in running.ingests:
                    ing.listeners.insert(0, probe.committed)
                    ing.connected.wait(left())
                ids = terminal_ids(n)
                note("inserting a month of history (in PostgreSQL) while the agents are built")
                history = ThreadPoolExecutor(1).submit(insert_history, running.console.engine, ids, time.time(),
                                                       args.raw_interval)
                with running.console.factory.begin() as db:
                    add_user(db, "bench", "bench password 1", "viewer", time.time())

                loops = [NetLoop(f"netloop-{i}") for i in range(args.loops)]
                for loop in loops:
                    loop.start()
                delivery = DeliveryProbe(settings, loops[0], probe)

                def build(i: int) -> Agent:
                    a = Agent(ids[i], settings, state_dir=work / "agents" / ids[i], handlers={},
                              telemetry=telemetry_sample(i), telemetry_interval_s=10 ** 6,
                              status_info=lambda: {"version": "1.4.2"})
                    # This bench sends no commands: an in-memory command store instead of the
                    # on-disk one (3 fds each: 5,000 of them exceed the 20,000-fd hard limit).
                    a.store.close()
                    a.store = CommandStore(":memory:")
                    return a

                with ThreadPoolExecutor(8) as pool:
                    agents.extend(pool.map(build, range(n)))
                note(f"{n} agents built")
                out["history"] = history.result(timeout=left())
                note(f"history: {out['history']}")
                t0 = time.monotonic()
                for i, agent in enumerate(agents):
                    agent.start(loops[i % len(loops)])
                while sum(a.connected for a in agents) < n and time.monotonic() < deadline - 60:
                    time.sleep(0.1)
                out["connected"] = sum(a.connected for a in agents)
                out["connect_s"] = round(time.monotonic() - t0, 1)
                time.sleep(2.0)  # retained statuses drain into the database

                note(f"{out['connected']} connected in {out['connect_s']} s")
                # The web app in its own process, as a deployment runs it (uvicorn beside the
                # ingest, not inside a process that also simulates 5,000 terminals).
                port = free_port()
                web = subprocess.Popen([sys.executable, "-c", WEB_SERVER, url, str(port)])
                web_procs.append(web)
                base = f"http://127.0.0.1:{port}"
                while time.monotonic() < deadline:
                    try:
                        requests.get(f"{base}/healthz", timeout=1)
                        break
                    except requests.ConnectionError:
                        time.sleep(0.1)
                http = requests.Session()
                http.post(f"{base}/login", data={"user": "bench", "password": "bench password 1"}, timeout=10)

                # Steady telemetry at the fleet's rate, the overview loaded meanwhile.
                stop = threading.Event()

                def steady() -> None:
                    per_tick, i, tick = n * 0.1 / args.interval, 0.0, time.monotonic()
                    while not stop.is_set():
                        i += per_tick
                        while i >= 1:
                            probe.publish(agents[int(time.monotonic() * 1000) % n])
                            i -= 1
                        tick += 0.1
                        stop.wait(max(0.0, tick - time.monotonic()))

                feeder = threading.Thread(target=steady, daemon=True)
                probe.take()
                feeder.start()
                pages: list[float] = []
                t_steady = time.monotonic()
                while time.monotonic() - t_steady < args.steady and len(pages) < args.pages and left() > 90:
                    t = time.perf_counter()
                    r = http.get(f"{base}/", timeout=30)
                    pages.append(time.perf_counter() - t)
                    assert r.status_code == 200 and "p09-c09" in r.text, r.status_code
                    stop.wait(max(0.0, args.steady / args.pages - pages[-1]))
                while time.monotonic() - t_steady < args.steady and left() > 90:
                    time.sleep(0.2)
                load_steady = round(os.getloadavg()[0], 2)  # the machine is shared: say how busy it was
                stop.set()
                feeder.join(5)
                time.sleep(min(10.0, left()))
                steady_lags = probe.take()

                # Baseline for the page: the bare SELECTs of the same rows on the same database.
                bare: list[float] = []
                with running.console.engine.connect() as c:
                    for _ in range(max(20, len(pages) // 2)):
                        t = time.perf_counter()
                        c.execute(text("SELECT * FROM terminals ORDER BY id LIMIT 200")).all()
                        c.execute(text("SELECT prefecture, county, hall, count(*) FROM terminals "
                                       "GROUP BY prefecture, county, hall")).all()
                        bare.append(time.perf_counter() - t)

                steady_delivery, delivery.delays = delivery.delays, []
                # Burst: every terminal at once.
                t_burst = time.monotonic()
                storm_pages: list[float] = []
                if args.burst_pages:  # an operator watching the overview through the storm
                    def watch() -> None:
                        while not stop_watch.is_set():
                            t = time.perf_counter()
                            http.get(f"{base}/", headers={"HX-Request": "true"}, timeout=30)
                            storm_pages.append(time.perf_counter() - t)
                            stop_watch.wait(0.2)
                    stop_watch = threading.Event()
                    watcher = threading.Thread(target=watch, daemon=True)
                    watcher.start()
                for a in agents:
                    probe.publish(a)
                while probe.sent and time.monotonic() - t_burst < min(60.0, left()):
                    time.sleep(0.05)
                burst_lags = probe.take()
                if args.burst_pages:
                    stop_watch.set()
                    watcher.join(30)
                    out["page_during_burst"] = {"loads": len(storm_pages), "p50_ms": round(pct(storm_pages, 50) * 1000, 1),
                                                "p95_ms": round(pct(storm_pages, 95) * 1000, 1)}
                out["writer_s"] = {"apply": round(probe.apply_s, 2), "commit": round(probe.commit_s, 2)}
                out["load_avg_1m"] = {"steady": load_steady, "after_burst": round(os.getloadavg()[0], 2)}
                out["burst_unseen"] = len(probe.sent)

                s_p95, b_p95 = pct(steady_lags, 95), pct(burst_lags, 95)
                page_p95, bare_p95 = pct(pages, 95) * 1000, pct(bare, 95) * 1000
                out.update(steady={"samples": len(steady_lags), "p50_s": round(pct(steady_lags, 50), 3),
                                   "p95_s": round(s_p95, 3), "max_s": round(max(steady_lags or [0]), 3)},
                           burst={"samples": len(burst_lags), "p50_s": round(pct(burst_lags, 50), 3),
                                  "p95_s": round(b_p95, 3), "max_s": round(max(burst_lags or [0]), 3),
                                  "wall_s": round(time.monotonic() - t_burst, 2)},
                           page={"loads": len(pages), "p50_ms": round(pct(pages, 50) * 1000, 1), "p95_ms": round(page_p95, 1),
                                 "bare_select_p95_ms": round(bare_p95, 2)},
                           ingest={k: sum(i.stats[k] for i in running.ingests) for k in ("received", "applied", "batches", "errors")})
                d_p95 = pct(steady_delivery, 95) if steady_delivery else float("nan")
                db_p95 = pct(delivery.delays, 95) if delivery.delays else float("nan")
                out["broker_delivery_p95_ms"] = {"steady": round(d_p95 * 1000, 2), "burst": round(db_p95 * 1000, 2)}
                h = out["history"]
                print(f"console bench: ingest lag p95 {s_p95:.3f} s steady ({n} terminals every {args.interval:g} s) "
                      f"and {b_p95:.2f} s for a burst of {n} at once (budget {LAG_BUDGET_S:g} s); "
                      f"{s_p95 / d_p95:.1f}x and {b_p95 / db_p95:.1f}x the broker's own delivery p95 to a plain "
                      f"subscriber ({d_p95 * 1000:.1f} ms, {db_p95 * 1000:.0f} ms)", flush=True)
                print(f"console bench: overview page p95 {page_p95:.0f} ms with {h['raw_rows'] + h['hourly_rows']:,} telemetry rows "
                      f"(a month: {h['raw_rows']:,} raw + {h['hourly_rows']:,} hourly, {h['db_mb']} MB) "
                      f"(budget {PAGE_BUDGET_MS:g} ms); {page_p95 / bare_p95:.1f}x a bare SELECT of the same rows ({bare_p95:.1f} ms)", flush=True)
                # Like bench/fleet.py: a failure is a broken run (terminals missing, samples lost);
                # budgets are reported on the two lines above, so `make bench` runs the rest too.
                ok = out["connected"] == n and out["burst_unseen"] == 0 and out["ingest"]["errors"] == 0
                if args.json:
                    print(json.dumps(out, indent=2), flush=True)
                else:
                    for k, v in out.items():
                        print(f"  {k}: {v}", flush=True)
                return 0 if ok else 1
            finally:
                shutdown()  # before PostgreSQL stops under the ingest
    finally:
        shutdown()
        broker.close()
        shutil.rmtree(work, ignore_errors=True)
        print(f"  total_s: {time.monotonic() - started:.1f}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
