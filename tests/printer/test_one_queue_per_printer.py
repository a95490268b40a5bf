"""One print queue per printer, for the terminal's whole run: its lock is what keeps a job that
outlived its session (the citizen walked away mid-print) and the next citizen's job off the paper
at the same time. Services used to wrap the driver anew at every read, so each flow got its own
queue and lock, and the weakly keyed queue table kept every wrapper alive (its queue held it):
36 wrappers and queues per 100 sessions in the UI soak."""
from __future__ import annotations

import dataclasses
import gc
import threading

from flows.common import print_queue


def services(tmp_path):
    from kiosk.core import config
    from kiosk.demo.rig import headless_config
    from kiosk.runtime.services import BusyPrinter, Services

    cfg = headless_config(config.load("demo"))
    cfg = dataclasses.replace(cfg, terminal=dataclasses.replace(cfg.terminal, data_dir=str(tmp_path)))
    return Services.build(cfg, data_dir=tmp_path), BusyPrinter


@dataclasses.dataclass
class Ctx:  # what a flow's context offers print_queue()
    printer: object
    journal: object
    a4printer: object = None


def test_every_flow_of_the_run_shares_the_printers_one_queue(tmp_path):
    s, BusyPrinter = services(tmp_path)
    try:
        assert s.printer is not None and s.printer is s.printer  # one wrapper, not one per read
        queues = {id(print_queue(Ctx(s.printer, s.journal))) for _ in range(5)}  # five sessions' flows
        assert len(queues) == 1
        gc.collect()
        driver = s.hub.drivers["printer"]
        wrappers = [o for o in gc.get_objects() if type(o) is BusyPrinter and o.driver is driver]
        assert len(wrappers) == 1  # nothing kept per flow
    finally:
        s.close()


def test_a_job_left_running_holds_off_the_next_sessions_job(tmp_path):
    s, _ = services(tmp_path)
    try:
        first = print_queue(Ctx(s.printer, s.journal))
        started, release = threading.Event(), threading.Event()
        held = threading.Thread(target=lambda: (first._lock.acquire(), started.set(), release.wait(5),
                                                first._lock.release()))
        held.start()
        started.wait(5)
        second = print_queue(Ctx(s.printer, s.journal))  # the next citizen's flow
        assert second._lock.acquire(blocking=False) is False  # the same lock: it must wait
        release.set()
        held.join(5)
        assert second._lock.acquire(timeout=5)
        second._lock.release()
    finally:
        s.close()
