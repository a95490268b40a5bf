"""The soak: N simulated sessions across every flow on one terminal rig (kiosk/demo/rig.py: the
real demo platform over HTTP, the real ESC/POS printer emulator over TCP, the real SQLite journal,
a fake clock), each with at most one fault injected at random:

  card_pulled        the ID card is taken off the reader before it was read, then put back
  idcard_unplugged   the ID card reader goes away at the identify step (its status turns fault,
                     as the device hub reports it); the citizen shows a platform identity code
                     instead, or walks away when the flow takes nothing else
  paper_out          the roll ends in the middle of the first receipt
  printer_unplugged  the printer's cable is pulled before the first receipt or in the middle of it
  platform_down      the platform is down for the whole session
  timeout            the first background call never answers in time: the step's timeout fires,
                     and the late result arrives after the citizen moved on
  walked_away        the citizen walks away at some step: only timeouts end the session

A fault counts when it happened (a pulled card needs a flow that asks for one). Half the citizens
tap "retry" once where an error offers it. Logging is the terminal's (masked JSON lines at INFO).

Checked: every session ended by itself (stuck: neither the citizen nor a timeout could move it
on), no print job left pending or sent, every journal session closed, no personal data left (in
the session, in the log masker's registry, in the log files), no outbox record lost once the
platform is back, and the RSS growth after the warm-up within the budget (DESIGN.md: <= 10 MB
over 10,000 sessions; see settled_rss_mb for how it is measured).

Here, beside kiosk/demo/headless.py whose demo citizen it extends (kiosk/ may not import flows/).
`bench/soak.py` is the command line; tests/ops/test_soak_short.py runs a short one.
"""
from __future__ import annotations

import logging
import random
import shutil
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from flows.engine import FlowRunner
from kiosk.demo.headless import DemoInputs
from flows.ports import FlowContext, Identity
from flows.registry import FLOWS
from kiosk.core import logs, privacy
from kiosk.core.clock import FakeClock
from kiosk.demo.rig import build_rig, receipt_code, synthetic_jpeg
from kiosk.platform.outbox import OutboxSender
from kiosk.core.session import Session
from kiosk.demo.memory import biggest_growths, rss_mb, settled_rss_mb
from kiosk.demo.soak_faults import MAX_STEPS, NO_FAULT_SHARE, Faults, FaultyDriver, FaultyPrinter

BUDGET_MB = 10.0
FAULT_KINDS = ("card_pulled", "idcard_unplugged", "paper_out", "printer_unplugged", "platform_down", "timeout",
               "walked_away")
SESSION_GAP_S = 5.0  # simulated time between two citizens
TRACE_FRAMES = 12


@dataclass
class SoakReport:
    sessions: int
    flows: int
    seed: int
    outcomes: dict[str, int]
    faults: dict[str, int]  # fault kind -> sessions in which it happened
    stuck: list[str]  # "flow@step (why)" of every session that did not end by itself
    unfinished_print_jobs: int
    print_failures: dict[str, int]  # failed print jobs by reason, from the journal
    open_sessions: int
    personal_data_left: int  # sessions after which personal data was still held somewhere
    personal_data_in_logs: int  # log lines with the citizen's name, ID number or identity code
    outbox_pending: int  # records the platform never got, after a final delivery with it up
    rss_growth_mb: float | None  # after the warm-up; None when memory was not measured
    rss_untrimmed_growth_mb: float | None  # the same without malloc_trim (see settled_rss_mb)
    budget_mb: float
    elapsed_s: float
    trace: list[str] = field(default_factory=list)  # tracemalloc's top growth, when traced

    @property
    def memory_ok(self) -> bool:
        return self.rss_growth_mb is None or self.rss_growth_mb <= self.budget_mb

    @property
    def ok(self) -> bool:
        return (not self.stuck and not self.unfinished_print_jobs and not self.open_sessions
                and not self.personal_data_left and not self.personal_data_in_logs and not self.outbox_pending
                and self.memory_ok)

    def line(self) -> str:
        growth = "n/a" if self.rss_growth_mb is None else f"{self.rss_growth_mb:.1f}"
        untrimmed = "n/a" if self.rss_untrimmed_growth_mb is None else f"{self.rss_untrimmed_growth_mb:.1f}"
        return (f"soak: sessions={self.sessions} flows={self.flows} outcomes={self.outcomes} faults={self.faults} "
                f"stuck={len(self.stuck)} unfinished_print_jobs={self.unfinished_print_jobs} "
                f"open_sessions={self.open_sessions} personal_data_left={self.personal_data_left} "
                f"personal_data_in_logs={self.personal_data_in_logs} "
                f"outbox_pending={self.outbox_pending} rss_growth_mb={growth} budget<={self.budget_mb} "
                f"(untrimmed {untrimmed}) "
                f"elapsed_s={self.elapsed_s:.0f} {'OK' if self.ok else 'FAIL'}")


@dataclass(frozen=True)
class SessionRecord:
    index: int
    flow: str
    fault: str
    happened: bool
    outcome: str
    steps: tuple[str, ...]
    reason: str | None


def _lines_with(files: list[Path], values: list[str]) -> int:
    found = 0
    for path in files:
        with path.open(encoding="utf-8", errors="replace") as f:
            found += sum(1 for line in f if any(v in line for v in values))
    return found


def run_soak(sessions: int = 10000, warmup: int = 2500, seed: int = 1, *, budget_mb: float = BUDGET_MB,
             measure_memory: bool = True, trace: bool = False, config: Any = None,
             progress: Callable[[int, float], None] | None = None,
             on_session: Callable[[SessionRecord], None] | None = None) -> SoakReport:
    """Run the soak; `progress(i, rss_mb)` is called every 500 sessions, `on_session` after each
    one. With `trace`, tracemalloc compares the heap at the end of the warm-up with the heap at
    the end. Logging is the terminal's (kiosk.core.logs: masked JSON lines, rotated, at INFO) into
    the rig's data directory, so the masking runs on every record as it does at a terminal."""
    from kiosk.core import config as kconfig

    if warmup >= sessions and measure_memory:
        raise ValueError("the warm-up must be shorter than the run")
    cfg = config if config is not None else kconfig.load("demo")
    rnd = random.Random(seed)
    clock = FakeClock()
    receipts = Path(tempfile.mkdtemp(prefix="kiosk-soak-receipts-"))
    # The client's retry backoff moves the fake clock: a platform that is down costs simulated
    # seconds, not real ones (the retries themselves still go over HTTP).
    rig = build_rig(cfg, clock=clock, receipts_dir=receipts, platform_sleep=clock.advance)
    flows = sorted(FLOWS)
    outcomes: dict[str, int] = {}
    happened = {kind: 0 for kind in FAULT_KINDS}
    stuck: list[str] = []
    leaked = 0
    base_rss: float | None = None
    base_untrimmed = 0.0
    growth: float | None = None
    untrimmed_growth: float | None = None
    trace_lines: list[str] = []
    before: tracemalloc.Snapshot | None = None
    trace_from = max(0, warmup - min(100, warmup // 2))
    started = time.monotonic()
    root = logging.getLogger()
    root_level = root.level
    try:
        logs.setup_logging(rig.data_dir, stderr=False)
        services = rig.services
        journal = services.journal
        citizen = rig.demo_citizen()
        record = rig.read_card()  # once, over the real serial path; sessions reuse what it read
        identity = Identity(source="idcard", name=record.name, id_number=record.id_number,
                            card_type=record.card_type)
        del record
        demo = rig.demo()
        inputs = DemoInputs(identity=lambda: identity, identity_token=citizen.get("identity_token", ""),
                            jpeg=synthetic_jpeg(),
                            receipt_code=receipt_code(rig.platform_url, demo.get("application", "")),
                            application_number=demo.get("application", ""))
        faults = Faults(rig, clock, rnd)
        printer = FaultyPrinter(rig.printer, faults)
        outbox = OutboxSender(journal, services.platform, clock)
        for i in range(sessions):
            if trace and i == trace_from:
                tracemalloc.start(TRACE_FRAMES)
            if measure_memory and i == warmup:
                if trace:
                    before = tracemalloc.take_snapshot()
                base_rss, base_untrimmed = settled_rss_mb()
            if progress is not None and i and i % 500 == 0:
                progress(i, rss_mb())
            flow_id = flows[i % len(flows)]
            kind = rnd.choice(FAULT_KINDS) if rnd.random() >= NO_FAULT_SHARE else "none"
            faults.begin(kind)
            session = Session(language=rnd.choice(cfg.terminal.languages))
            session.flow_id = flow_id
            journal.session_started(session.id, session.language, flow_id)
            ctx = FlowContext(config=cfg, platform=services.platform, printer=printer, journal=journal,
                              session=session, clock=clock, translator=services.translator, submit=faults.submit,
                              device_status=faults.device_status)
            runner = FlowRunner(FLOWS[flow_id](ctx), clock, submit=faults.submit)
            driver = FaultyDriver(runner, inputs, max_steps=MAX_STEPS)
            driver.faults, driver.walk_at, driver.patient = faults, rnd.randint(0, 6), rnd.random() < 0.5
            outcome = driver.run()
            why = driver.reason or ""
            if not runner.ended or why == "step_limit" or why.startswith("stuck:"):
                stuck.append(f"{flow_id}@{runner.step} ({why or 'not ended'}, fault {kind})")
                runner.finish("failed")
            faults.end()
            journal.session_ended(session.id, runner.outcome or "failed")
            session.wipe()
            # The session's data, and the log masker's copy of it, must both be gone.
            leaked += bool(session.has_personal or len(privacy.SENSITIVE))
            if faults.happened and kind != "none":
                happened[kind] += 1
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if on_session is not None:
                on_session(SessionRecord(i, flow_id, kind, faults.happened, outcome, tuple(runner.history),
                                         runner.reason or why or None))
            outbox.deliver_due()  # what the app's outbox loop does between citizens
            clock.advance(SESSION_GAP_S)
            del ctx, runner, driver, session
        if measure_memory and base_rss is not None:
            end_rss, end_untrimmed = settled_rss_mb()
            growth, untrimmed_growth = end_rss - base_rss, end_untrimmed - base_untrimmed
            if before is not None:
                trace_lines = biggest_growths(before, tracemalloc.take_snapshot())
        # The night is over: the platform is up, the outbox gets every record through.
        pending, stalled = journal.outbox_pending_count(), 0
        while pending and stalled < 3:  # a few rounds without progress: those are lost
            clock.advance(outbox.max_backoff_s)
            outbox.deliver_due(limit=100)
            was, pending = pending, journal.outbox_pending_count()
            stalled = stalled + 1 if pending >= was else 0
        logs.remove_handlers(root)  # closes the files before they are read
        secrets_ = [v for v in (identity.name, identity.id_number, inputs.identity_token) if v]
        in_logs = _lines_with(logs.log_files(rig.data_dir), secrets_)
        unfinished = len(journal.unfinished_print_jobs())
        print_failures: dict[str, int] = {}
        for job in journal.rows("print_jobs"):
            if job["state"] == "failed":
                print_failures[job["detail"]] = print_failures.get(job["detail"], 0) + 1
        open_sessions = sum(1 for r in journal.rows("sessions") if r["ended_at"] is None)
    finally:
        if tracemalloc.is_tracing():
            tracemalloc.stop()
        logs.remove_handlers(root)
        root.setLevel(root_level)
        rig.close()
        shutil.rmtree(receipts, ignore_errors=True)
    return SoakReport(sessions=sessions, flows=len(flows), seed=seed, outcomes=outcomes, faults=happened,
                      stuck=stuck, unfinished_print_jobs=unfinished, print_failures=print_failures,
                      open_sessions=open_sessions, personal_data_left=leaked, personal_data_in_logs=in_logs,
                      outbox_pending=pending, rss_growth_mb=growth, rss_untrimmed_growth_mb=untrimmed_growth,
                      budget_mb=budget_mb,
                      elapsed_s=time.monotonic() - started, trace=trace_lines)
