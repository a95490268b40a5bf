"""Fleet bench: N simulated terminals (the real Agent class) against a local mosquitto.

Reports command round-trip latency (operator publish -> terminal runs the handler -> ack back at
the operator), sequential and in a burst, and the broker's memory (VmRSS of the mosquitto
process). Agents share a few NetLoop threads instead of one paho thread each. Everything it
starts it stops: the broker, the agents, the temporary directory.

    .venv/bin/python bench/fleet.py [--terminals 500] [--burst 500] [--loops 4] [--json]
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kiosk.remote.agent import Agent
from kiosk.update.errors import CommandTimeout
from kiosk_fleet.localbroker import LocalBroker
from kiosk.remote.mqtt import BrokerSettings
from kiosk.remote.netloop import NetLoop
from kiosk_fleet.operator import Operator

DEADLINE_S = 600.0  # the whole run; every wait below is bounded by it


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def raise_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(needed, soft)), hard))


def self_rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def telemetry_sample(i: int):  # noqa: ANN201
    def sample() -> dict:
        return {"versions": {"app": "1.4.2"}, "update": {"state": "committed"},
                "devices": {"idcard": {"status": "ok"}, "printer": {"status": "ok"}, "scanner": {"status": "ok"}},
                "paper": {"level": "ok", "remaining_pct": 80 - i % 50}, "sessions": {"today": i % 37, "active": 0}}
    return sample


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--terminals", type=int, default=500)
    ap.add_argument("--sequential", type=int, default=100, help="commands sent one at a time")
    ap.add_argument("--burst", type=int, default=None, help="commands sent at once (default: one per terminal, max 500)")
    ap.add_argument("--loops", type=int, default=4, help="NetLoop threads driving the agents")
    ap.add_argument("--telemetry-interval", type=float, default=5.0)
    ap.add_argument("--json", action="store_true", help="print the details as JSON")
    args = ap.parse_args(argv)
    n = args.terminals
    burst_n = args.burst if args.burst is not None else min(n, 500)
    started = time.monotonic()
    deadline = started + DEADLINE_S
    raise_fd_limit(6 * n + 256)  # per agent: a socket, sqlite db + wal + shm; the broker side

    work = Path(tempfile.mkdtemp(prefix="kiosk-bench-fleet-"))
    broker = LocalBroker(workdir=work / "broker", extra_conf="max_connections -1\n")
    loops: list[NetLoop] = []
    agents: list[Agent] = []
    executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="handlers")
    op: Operator | None = None
    out: dict = {"terminals": n}
    try:
        broker.start()
        time.sleep(0.2)  # let the broker settle before the baseline reading
        out["broker_rss_idle_kb"] = broker.rss_kb()
        settings = BrokerSettings("127.0.0.1", broker.port, tls=False, keepalive_s=30,
                                  reconnect_min_s=0.5, reconnect_max_s=5)
        loops = [NetLoop(f"netloop-{i}") for i in range(args.loops)]
        for loop in loops:
            loop.start()
        for i in range(n):
            agents.append(Agent(f"bench-{i:05d}", settings, state_dir=work / "agents" / f"{i:05d}",
                                handlers={"diag": lambda _a: {"ok": True, "devices": 3},
                                          "set_maintenance": lambda a: {"maintenance": a["on"]}},
                                telemetry=telemetry_sample(i), telemetry_interval_s=args.telemetry_interval,
                                status_info=lambda: {"version": "1.4.2"}, executor=executor))
        t0 = time.monotonic()
        for i, agent in enumerate(agents):
            agent.start(loops[i % len(loops)])
        while sum(a.connected for a in agents) < n:
            if time.monotonic() > min(deadline, t0 + 120):
                raise TimeoutError(f"only {sum(a.connected for a in agents)} of {n} terminals connected")
            time.sleep(0.05)
        out["connect_all_s"] = round(time.monotonic() - t0, 3)
        time.sleep(0.5)
        out["broker_rss_connected_kb"] = broker.rss_kb()

        # On its own NetLoop: paho's own thread uses select(), which fails past fd 1024.
        op_loop = NetLoop("operator-loop")
        op_loop.start()
        loops.append(op_loop)
        op = Operator(settings, client_id="bench-operator").connect(loop=op_loop)
        op.watch_acks("+")
        statuses = op.statuses(1.0)
        out["retained_online"] = sum(1 for s in statuses.values() if s.get("state") == "online")

        # One telemetry sample from every terminal at once (a fleet-wide tick), fanned in to the operator.
        op.watch_telemetry("+")
        t_tel = time.monotonic()
        for agent in agents:
            agent.publish_telemetry()
        while op.telemetry_received < n and time.monotonic() < min(deadline, t_tel + 60):
            time.sleep(0.01)
        out["telemetry_round"] = {"delivered": op.telemetry_received, "seconds": round(time.monotonic() - t_tel, 3)}

        rng = random.Random(7)
        seq_rtt: list[float] = []
        for _ in range(args.sequential):
            target = agents[rng.randrange(n)].terminal_id
            sent = time.monotonic()
            cmd = op.send(target, "diag", ttl_s=60)
            op.wait_ack(cmd["id"], max(0.1, min(30, deadline - time.monotonic())))
            seq_rtt.append((op.ack_time(cmd["id"]) or time.monotonic()) - sent)

        burst_targets = rng.sample(range(n), min(burst_n, n)) + [rng.randrange(n) for _ in range(max(0, burst_n - n))]
        sends: list[tuple[str, float]] = []
        t_burst = time.monotonic()
        for idx in burst_targets:
            t = time.monotonic()
            cmd = op.send(agents[idx].terminal_id, "set_maintenance", {"on": True}, ttl_s=120)
            sends.append((cmd["id"], t))
        burst_rtt: list[float] = []
        lost = 0
        for cid, t in sends:
            try:
                op.wait_ack(cid, max(0.1, min(60, deadline - time.monotonic())))
                burst_rtt.append((op.ack_time(cid) or time.monotonic()) - t)
            except CommandTimeout:
                lost += 1
        out["burst_wall_s"] = round(time.monotonic() - t_burst, 3)
        out["broker_rss_after_kb"] = broker.rss_kb()
        out["bench_process_rss_kb"] = self_rss_kb()
        ran = sum(a.stats["commands_run"] for a in agents)
        out["commands"] = {"sequential": len(seq_rtt), "burst": len(burst_rtt), "lost": lost,
                           "handlers_ran": ran, "expected_runs": args.sequential + burst_n}

        def summary(values: list[float]) -> dict:
            ms = [v * 1000 for v in values]
            return {"p50_ms": round(pct(ms, 50), 2), "p95_ms": round(pct(ms, 95), 2),
                    "p99_ms": round(pct(ms, 99), 2), "max_ms": round(max(ms), 2) if ms else None,
                    "mean_ms": round(statistics.fmean(ms), 2) if ms else None}

        out["rtt_sequential"] = summary(seq_rtt)
        out["rtt_burst"] = summary(burst_rtt)
        per_conn = (out["broker_rss_connected_kb"] - out["broker_rss_idle_kb"]) / max(1, n)
        out["broker_kb_per_terminal"] = round(per_conn, 1)
        s, b = out["rtt_sequential"], out["rtt_burst"]
        print(f"fleet bench: {n} terminals on {args.loops} loop threads, connected in {out['connect_all_s']} s; "
              f"command RTT sequential p50 {s['p50_ms']} ms p95 {s['p95_ms']} ms p99 {s['p99_ms']} ms; "
              f"burst of {burst_n} p50 {b['p50_ms']} ms p95 {b['p95_ms']} ms p99 {b['p99_ms']} ms; "
              f"broker RSS {out['broker_rss_connected_kb'] / 1024:.1f} MB "
              f"(idle {out['broker_rss_idle_kb'] / 1024:.1f} MB, {per_conn:.1f} KB/terminal); "
              f"telemetry from all in {out['telemetry_round']['seconds']} s; lost {lost}")
        if args.json:
            print(json.dumps(out, indent=2))
        else:
            for k, v in out.items():
                print(f"  {k}: {v}")
        return 0 if lost == 0 and ran == args.sequential + burst_n else 1
    finally:
        if op is not None:
            op.close()
        def stop(agent: Agent) -> None:
            try:
                agent.stop(timeout=1.0)
            except Exception:  # noqa: BLE001 - cleanup goes on
                pass

        with ThreadPoolExecutor(max_workers=32) as stopper:
            list(stopper.map(stop, agents))
        for loop in loops:
            loop.stop()
        executor.shutdown(wait=False, cancel_futures=True)
        broker.close()
        shutil.rmtree(work, ignore_errors=True)
        print(f"  total_s: {time.monotonic() - started:.1f}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
