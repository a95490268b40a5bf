"""Runs the real kiosk app (Kivy window, demo devices, embedded platform, fake clock) in a
child process for one fault scenario and prints one JSON line with what it saw. A child, so a
fault case never shares a window, a journal or a lock with the test process, and `kill -9`
and "reboot" (a new process) are real. Usage: python app_driver.py SCENARIO DATA_DIR."""
from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
os.environ.setdefault("KIOSK_MUTE", "1")

NAME, ID_NUMBER = "测试甲乙", "513322199001011234"


def start_app(data: Path):
    from kivy.base import EventLoop, runTouchApp

    from kiosk.core import config
    from kiosk.core.clock import FakeClock
    from kiosk.terminal.window import make_app

    cfg = config.load("demo")
    cfg = dataclasses.replace(cfg, terminal=dataclasses.replace(cfg.terminal, data_dir=str(data)))
    clock = FakeClock()
    app = make_app(cfg, clock=clock)
    app._run_prepare()
    runTouchApp(embedded=True)

    def pump(until=lambda: False, frames: int = 400) -> bool:
        for _ in range(frames):
            EventLoop.idle()
            if until():
                return True
        return False

    return app, clock, pump


def screen_text(app) -> str:
    from screens.widgets import BiLabel

    out, stack = [], [app.controller.root]
    while stack:
        w = stack.pop()
        stack.extend(w.children)
        if isinstance(w, BiLabel) and w.opacity > 0:
            out += [w.primary_text or "", w.secondary_text or ""]
    return "\n".join(out)


def fill_disk(data: Path) -> Path:
    """Fill the filesystem of `data` to the last byte (a real ENOSPC for SQLite)."""
    filler = data / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 65536, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def citizen_at_result(app, pump) -> object:
    c = app.controller
    pump(lambda: c.catalog is not None)
    c.start_flow("queue_ticket")
    assert pump(lambda: c.root.current == "choice"), c.root.current
    session = c.session
    session.put_personal(name=NAME, id_number=ID_NUMBER)  # as if the ID card had been read
    return session


def scenario_disk_full_at_end(data: Path, fill: str) -> dict:
    app, clock, pump = start_app(data)
    c = app.controller
    session = citizen_at_result(app, pump)
    filler = None
    if fill == "tmpfs":
        filler = fill_disk(data)
    else:  # no tmpfs: the same error SQLite raises on a full disk
        import sqlite3

        def full(*_a, **_k):
            raise sqlite3.OperationalError("database or disk is full")
        c.s.journal.session_ended = full
        c.s.journal.incident = full
    c.runner.finish("completed")  # the flow ends: its on_end runs the end-of-session path
    pump(frames=5)
    out = {
        "wiped": session.wiped and not session.has_personal,
        "screen": c.root.current,
        "name_on_screen": NAME in screen_text(app) or NAME[1:] in screen_text(app),
        "notice": getattr(getattr(c.root.screens["start"], "notice", None), "id", None),
        "offered": len(c.root.screens["start"].sections),
        "problem": c.journal_problem,
        "busy_held": c.s.busy.held,
    }
    c.start_flow("queue_ticket")  # nobody is served blind
    out["refused_next"] = c.runner is None
    clock.advance(c.cfg.timeouts.idle_s + c.cfg.timeouts.idle_grace_s + 1)
    c.tick()  # an idle expiry does not raise again
    c.tech.show_dashboard()
    lines = c.root.screens["technician"].dashboard.lines
    out["tech_line"] = getattr(lines[0], "id", None)
    c.go_start()
    if filler is not None:  # the technician frees the disk: back in service at the next probe
        filler.unlink()
        clock.advance(61)
        c.tick()
        pump(frames=3)
        out["after_free_problem"] = c.journal_problem
        out["after_free_offered"] = len(c.root.screens["start"].sections)
    app.stop()
    return out


def scenario_serve_one(data: Path, fill: str) -> dict:
    """One citizen to the ticket and back; reports the busy lock while serving."""
    from kiosk.core.busy import held_elsewhere

    app, clock, pump = start_app(data)
    c = app.controller
    session = citizen_at_result(app, pump)
    out = {"busy_while_serving": held_elsewhere(c.s.busy.path)}
    if fill == "hang":  # kill -9 arrives now, mid-session
        print(json.dumps(out), flush=True)
        sys.stdout.flush()
        os.kill(os.getpid(), 9)
    c.runner.finish("cancelled")
    pump(frames=3)
    out |= {"busy_after": held_elsewhere(c.s.busy.path), "wiped": session.wiped,
            "unfinished": c.s.journal.stats()["print_jobs_unfinished"]}
    app.stop()
    return out


if __name__ == "__main__":
    name, data = sys.argv[1], Path(sys.argv[2])
    fill = sys.argv[3] if len(sys.argv) > 3 else ""
    result = globals()[f"scenario_{name}"](data, fill)
    print(json.dumps(result), flush=True)
