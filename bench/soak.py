"""Soak: N simulated sessions across every flow on one terminal rig (real demo platform over
HTTP, real ESC/POS printer emulator over TCP, real SQLite journal), with faults injected at
random: card pulled, paper out mid-receipt, platform down, a timeout at a waiting step.

Reports RSS growth (after a warm-up), any session that did not end (a stuck state), any session
whose personal data survived, and journal consistency (every print job done or failed, every
session closed). Exit 0 only when all hold and growth <= the budget (10 MB)."""
from __future__ import annotations

import argparse
import gc
import logging
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.engine import FlowRunner, run_inline  # noqa: E402
from flows.headless import DemoInputs, Driver  # noqa: E402
from flows.ports import FlowContext, Identity  # noqa: E402
from flows.registry import FLOWS  # noqa: E402
from kiosk import config as kconfig  # noqa: E402
from kiosk.clock import FakeClock  # noqa: E402
from kiosk.flowrun import build_rig, receipt_code, synthetic_jpeg  # noqa: E402
from kiosk.session import Session  # noqa: E402

BUDGET_MB = 10.0
FAULTS = ("none", "none", "none", "card_pulled", "paper_out", "platform_down", "timeout")


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class FaultyDriver(Driver):
    """The demo citizen, with one fault injected into the session."""

    fault: str = "none"
    clock: FakeClock | None = None

    def act(self) -> bool:
        view = self.runner.view
        if view is not None and self.fault == "card_pulled" and view.kind == "identify":
            self.fault = "none"
            return self.send("card_error", source="idcard", reason="card_removed")
        if view is not None and self.fault == "timeout" and view.kind == "waiting" and self.clock is not None:
            self.fault = "none"
            self.clock.advance(3600)
            self.runner.tick()
            return True
        return super().act()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=10000)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    logging.disable(logging.WARNING)  # faults are expected; their logs would dominate the run
    rnd = random.Random(args.seed)
    clock = FakeClock()
    cfg = kconfig.load("demo")
    import shutil
    import tempfile

    receipts = Path(tempfile.mkdtemp(prefix="kiosk-soak-receipts-"))
    # The client's retry backoff moves the fake clock: a platform that is down costs simulated
    # seconds, not real ones (the retries themselves still go over HTTP).
    rig = build_rig(cfg, clock=clock, receipts_dir=receipts, platform_sleep=clock.advance)
    services = rig.services
    citizen = rig.demo_citizen()
    record = rig.read_card()  # once, over the real serial path; sessions reuse what it read
    identity = Identity(source="idcard", name=record.name, id_number=record.id_number, card_type=record.card_type)
    demo = rig.demo()
    inputs = DemoInputs(identity=lambda: identity, identity_token=citizen.get("identity_token", ""),
                        jpeg=synthetic_jpeg(), receipt_code=receipt_code(rig.platform_url, demo.get("application", "")),
                        application_number=demo.get("application", ""))
    flows = sorted(FLOWS)
    outcomes: dict[str, int] = {}
    stuck: list[str] = []
    leaked = 0
    base_rss = 0.0
    started = time.monotonic()
    try:
        for i in range(args.sessions):
            if i == args.warmup:
                gc.collect()
                base_rss = rss_mb()
            flow_id = flows[i % len(flows)]
            fault = rnd.choice(FAULTS)
            server = services.demo_server
            server.set_fault("down" if fault == "platform_down" else "none")
            if fault == "paper_out":
                rig.emulator.run_out_after_rows(rnd.randint(20, 300))
            session = Session(language=rnd.choice(cfg.terminal.languages))
            session.flow_id = flow_id
            services.journal.session_started(session.id, session.language, flow_id)
            ctx = FlowContext(config=cfg, platform=services.platform, printer=rig.printer, journal=services.journal,
                              session=session, clock=clock, translator=services.translator, submit=run_inline)
            runner = FlowRunner(FLOWS[flow_id](ctx), clock, submit=run_inline)
            driver = FaultyDriver(runner, inputs, max_steps=120)
            driver.fault, driver.clock = fault, clock
            outcome = driver.run()
            if not runner.ended:
                stuck.append(f"{flow_id}@{runner.step}")
                runner.finish("failed")
            services.journal.session_ended(session.id, runner.outcome or "failed")
            session.wipe()
            leaked += session.has_personal
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if fault == "paper_out":
                rig.emulator.set_state("ok")
                rig.emulator.run_out_after_rows(10**9)
            clock.advance(5)
        gc.collect()
        growth = rss_mb() - base_rss
        journal = services.journal
        unfinished = journal.unfinished_print_jobs()
        open_sessions = [r for r in journal.rows("sessions") if r["ended_at"] is None]
    finally:
        rig.close()
        shutil.rmtree(receipts, ignore_errors=True)
    elapsed = time.monotonic() - started
    ok = not stuck and not unfinished and not open_sessions and leaked == 0 and growth <= BUDGET_MB
    print(f"soak: sessions={args.sessions} flows={len(flows)} outcomes={outcomes} stuck={len(stuck)} "
          f"unfinished_print_jobs={len(unfinished)} open_sessions={len(open_sessions)} personal_data_left={leaked} "
          f"rss_growth_mb={growth:.1f} budget<={BUDGET_MB} elapsed_s={elapsed:.0f} {'OK' if ok else 'FAIL'}")
    for s in stuck[:10]:
        print(f"  stuck: {s}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
