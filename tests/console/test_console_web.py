"""The console's server side with Starlette's TestClient, on SQLite and on a throw-away
PostgreSQL: log-in, roles, CSRF, session expiry, commands validated like the terminal does,
ingest idempotence, alarms, rollouts that halt, roll-ups, no personal data."""
from __future__ import annotations

import json

import pytest
from tests.console.conftest import PASSWORD, csrf_of, login
from sqlalchemy import func, select

from kiosk_fleet.console import rollouts
from kiosk_fleet.console.db import Alarm, Audit, CommandRow, Device, Rollout, TelemetryRaw, TelemetryRollup, Terminal
from kiosk_fleet.console.ingest import apply_messages
from kiosk_fleet.console.rollup import roll_up

CITIZEN_ID = "513325199001011234"


def feed(console, *msgs):
    with console.factory.begin() as db:
        return apply_messages(db, [(t, json.dumps(p).encode(), console.wall()) for t, p in msgs])


def telemetry(tid, ts, seq=1, **kw):
    return (f"kiosk/{tid}/telemetry", {"ts": ts, "seq": seq, **kw})


def test_login_roles_and_csrf(console):
    from starlette.testclient import TestClient

    from kiosk_fleet.console.app import build_app

    anon = TestClient(build_app(console), follow_redirects=False)
    assert anon.get("/").status_code == 303  # to /login
    assert anon.post("/login", data={"user": "otto", "password": "wrong password"}).status_code == 401
    assert anon.post("/login", data={"user": "nobody", "password": PASSWORD}).status_code == 401
    feed(console, (("kiosk/ganzi-luhuo-0001/status"), {"state": "online", "since": console.wall()}))
    viewer, operator = login(console, "vera"), login(console, "otto")
    url = "/terminals/ganzi-luhuo-0001/commands"
    form = {"cmd": "diag"}
    assert viewer.post(url, data={**form, "csrf": csrf_of(viewer)}).status_code == 403  # role
    assert operator.post(url, data=form).status_code == 403                             # no CSRF token
    assert operator.post(url, data={**form, "csrf": csrf_of(viewer)}).status_code == 403  # someone else's
    assert operator.post(url, data={**form, "csrf": csrf_of(operator)}).status_code == 200
    assert [t for t, _ in console.sent] == ["ganzi-luhuo-0001"]
    assert operator.get("/users").status_code == 403 and login(console, "ada").get("/users").status_code == 200
    with console.factory() as db:
        actions = [a.action for a in db.scalars(select(Audit))]
    assert actions.count("login_failed") == 2 and "command" in actions


def test_sessions_expire(console, clock):
    client = login(console, "vera")
    assert client.get("/").status_code == 200
    clock.advance(console.auth.idle_s + 1)
    assert client.get("/").status_code == 303


def test_commands_are_validated_like_the_terminal_does(console):
    client = login(console, "otto")
    tok = csrf_of(client)
    url = "/terminals/ganzi-luhuo-0001/commands"
    assert client.post(url, data={"cmd": "diag", "csrf": tok}).status_code == 400  # never heard of it
    feed(console, ("kiosk/ganzi-luhuo-0001/status", {"state": "online", "since": console.wall()}))
    bad = [{"cmd": "shell", "arg.x": "rm"}, {"cmd": "set_maintenance"}, {"cmd": "set_maintenance", "arg.on": "yes"},
           {"cmd": "restart_app", "arg.reason": "x" * 201}, {"cmd": "set_announcement", "arg.texts": "no equals sign"}]
    for form in bad:
        r = client.post(url, data={**form, "csrf": tok})
        assert r.status_code == 400 and "not sent" in r.text, form
    assert console.sent == []
    ok = client.post(url, data={"cmd": "set_announcement", "arg.texts": "zh_CN=今天下午停电\nen=Closed", "csrf": tok})
    assert ok.status_code == 200
    (terminal, env), = console.sent
    assert env["args"] == {"texts": {"zh_CN": "今天下午停电", "en": "Closed"}}
    # The terminal's ack fills the row; a later `duplicate` ack does not hide the first result.
    feed(console, ("kiosk/ganzi-luhuo-0001/ack", {"id": env["id"], "status": "ok", "result": {"ok": True}}),
         ("kiosk/ganzi-luhuo-0001/ack", {"id": env["id"], "status": "duplicate"}),
         ("kiosk/ganzi-luhuo-0002/ack", {"id": env["id"], "status": "error"}))
    with console.factory() as db:
        row = db.get(CommandRow, env["id"])
        assert (row.status, row.result) == ("ok", {"ok": True})
    assert "ok" in client.get("/terminals/ganzi-luhuo-0001").text


def test_ingest_is_idempotent_and_ordered(console):
    tid, t0 = "ganzi-luhuo-0001", console.wall()
    sample = telemetry(tid, t0, versions={"app": "1.4.1"}, devices={"printer": {"state": "ok"}})
    for _ in range(3):
        feed(console, sample)
    feed(console, telemetry(tid, t0 + 60, 2, devices={"printer": {"state": "fault", "reason": "jam"}}))
    feed(console, telemetry(tid, t0 - 600, 9, devices={"printer": {"state": "ok"}}))  # an outbox replay
    with console.factory() as db:
        assert db.scalar(select(func.count()).select_from(TelemetryRaw)) == 3
        dev = db.get(Device, (tid, "printer"))
        assert (dev.state, dev.since, dev.reason) == ("fault", t0 + 60, "jam")
        assert db.get(Terminal, tid).hall == "ganzi-luhuo"


def test_no_personal_data_reaches_the_database(console):
    tid = "ganzi-luhuo-0001"
    feed(console, telemetry(tid, console.wall(), devices={"printer": {"state": "fault", "reason": f"jam for {CITIZEN_ID}"}},
                            sessions={"last_name": "张三"}, citizen={"id": CITIZEN_ID}))
    with console.factory() as db:
        dump = json.dumps([db.get(Terminal, tid).telemetry, [r.payload for r in db.scalars(select(TelemetryRaw))],
                           [d.reason for d in db.scalars(select(Device))]], ensure_ascii=False)
    assert CITIZEN_ID not in dump and "张三" not in dump and "citizen" not in dump


def test_alarms_raise_after_their_delay_clear_and_are_acknowledged(console, clock):
    tid = "ganzi-luhuo-0001"
    feed(console, (f"kiosk/{tid}/status", {"state": "online", "since": clock()}),
         telemetry(tid, clock(), devices={"printer": {"state": "fault"}}, paper={"level": "low", "remaining_pct": 8}))
    feed(console, (f"kiosk/{tid}/status", {"state": "offline", "reason": "lost"}))
    console.tick()
    with console.factory() as db:
        assert {a.kind for a in db.scalars(select(Alarm))} == set()  # paper: terminal offline; others: too early
    clock.advance(max(console.thresholds.offline_s, console.thresholds.device_fault_s) + 1)
    console.tick()
    with console.factory() as db:
        assert {a.kind for a in db.scalars(select(Alarm))} == {"offline", "device_fault"}
    feed(console, (f"kiosk/{tid}/status", {"state": "online", "since": clock()}))
    console.tick()
    with console.factory() as db:
        open_ = {a.kind: a for a in db.scalars(select(Alarm).where(Alarm.cleared_at.is_(None)))}
    assert set(open_) == {"device_fault", "paper_low"}
    client = login(console, "otto")
    r = client.post(f"/alarms/{open_['paper_low'].id}/ack", data={"note": "refill at 9", "csrf": csrf_of(client)})
    assert r.status_code == 303
    page = client.get("/alarms").text
    assert "refill at 9" in page and "otto" in page


def test_a_rollout_halts_when_its_pilot_fails_and_advances_when_it_passes(console, clock):
    pilot, wave = ["ganzi-luhuo-0001", "ganzi-luhuo-0002"], [f"aba-maerkang-{i:04d}" for i in range(20)]
    feed(console, *[telemetry(t, clock(), versions={"app": "1.4.1"}) for t in pilot + wave])
    with console.factory.begin() as db:
        good = rollouts.create(db, "1.4.2", rollouts.GroupSpec.parse("pilot:hall=ganzi-luhuo; all:100%"),
                               user="ada", now=clock(), error_count=1)
    console.tick()
    assert sorted(t for t, e in console.sent if e["cmd"] == "check_update") == pilot  # only the pilot
    clock.advance(60)
    feed(console, *[telemetry(t, clock(), 2, versions={"app": "1.4.2"}, update={"state": "committed"}) for t in pilot])
    console.tick()
    console.tick()
    assert len(console.sent) == 2 + 20  # the pilot passed: the wave opened
    with console.factory.begin() as db:
        assert db.get(Rollout, good.id).current_group == 1
        rollouts.control(db, good.id, "abort")
        bad = rollouts.create(db, "1.4.3", rollouts.GroupSpec.parse("pilot:hall=ganzi-luhuo; all:100%"),
                              user="ada", now=clock(), error_count=1)
    console.tick()
    clock.advance(60)
    feed(console, telemetry(pilot[0], clock(), 3, versions={"app": "1.4.2"}, update={"state": "rolled_back", "bad": ["1.4.3"]}))
    console.tick()
    with console.factory() as db:
        assert db.get(Rollout, bad.id).state == "halted"
        assert db.scalars(select(Alarm).where(Alarm.kind == "rollout_halted")).one().subject == str(bad.id)
    page = login(console, "vera").get("/rollouts").text
    assert "halted" in page and "pilot: 0 / 1 / 2" in page


def test_rollup_keeps_history_bounded(console, clock):
    tid, day = "ganzi-luhuo-0001", 86400
    start = clock() - 10 * day
    feed(console, *[telemetry(tid, start + i * 600, i, paper={"remaining_pct": 100 - i / 20}) for i in range(10 * 144)])
    with console.factory.begin() as db:
        roll_up(db, clock(), raw_days=2, hourly_days=5)
    with console.factory() as db:
        raw = db.scalar(select(func.count()).select_from(TelemetryRaw))
        hourly = db.scalar(select(func.count()).where(TelemetryRollup.period_s == 3600))
        daily = db.scalar(select(func.count()).where(TelemetryRollup.period_s == 86400))
        samples = db.scalar(select(func.sum(TelemetryRollup.samples)))
    assert raw <= 2 * 144 + 6 and 3 * 24 - 24 <= hourly <= 3 * 24 + 24 and 4 <= daily <= 6
    assert raw + samples == 10 * 144  # nothing lost, nothing counted twice


def test_rollout_groups_become_signed_admissions_a_halt_closes_them(console, clock, tmp_path):
    """The console's narrow key signs which groups are open; the repository host accepts it
    against the delegation; a halted rollout's admission disappears."""
    from datetime import datetime, timezone

    from kiosk.update.admission import admits
    from kiosk_fleet import rollout_role
    from kiosk_fleet.console.gate import Gate
    from kiosk_fleet.repo_tool import Repository

    repo = Repository.init(tmp_path / "repo")
    key = rollout_role.new_console_key(tmp_path / "rollout.pem")
    rollout_role.delegate(repo, key.public_key)
    signed: list[dict] = []

    def sink(data: bytes, files) -> None:
        rollout_role.accept(repo, data, files, now=datetime.fromtimestamp(clock(), timezone.utc))
        signed.append({json.loads(b)["version"]: json.loads(b) for b in files.values()})

    console.gate = Gate(key, sink)
    pilot, wave = "ganzi-luhuo-0001", "ganzi-kangding-0001"
    feed(console, *[telemetry(t, clock(), versions={"app": "1.4.1"}) for t in (pilot, wave)])
    with console.factory.begin() as db:
        r = rollouts.create(db, "1.4.2", rollouts.GroupSpec.parse("pilot:hall=ganzi-luhuo; wave:hall=ganzi-kangding"),
                            user="ada", now=clock(), error_count=1)
    console.tick()
    entry = signed[-1]["1.4.2"]
    assert admits(entry, pilot) and not admits(entry, wave)
    console.tick()
    assert len(signed) == 1  # nothing changed: not re-signed
    clock.advance(60)
    feed(console, telemetry(pilot, clock(), 2, versions={"app": "1.4.2"}, update={"state": "committed"}))
    console.tick()
    entry = signed[-1]["1.4.2"]
    assert admits(entry, pilot) and admits(entry, wave)
    console.tick()  # the wave is asked to check now
    clock.advance(60)
    feed(console, telemetry(wave, clock(), 2, versions={"app": "1.4.1"}, update={"state": "rolled_back", "bad": ["1.4.2"]}))
    console.tick()
    with console.factory() as db:
        assert db.get(Rollout, r.id).state == "halted"
    assert signed[-1] == {}  # halted: nobody else may install 1.4.2
    clock.advance(7 * 3600)
    console.tick()
    assert len(signed) == 4  # re-signed before the day's signature lapses


def test_a_screenshot_refused_while_a_citizen_is_served_says_so(console):
    """The terminal's handler answers {"ok": false, "reason": "session_active"} under an `ok` ack:
    the page must say the terminal refused, and why, not just "ok"."""
    tid = "ganzi-luhuo-0001"
    feed(console, (f"kiosk/{tid}/status", {"state": "online", "since": console.wall()}))
    client = login(console, "otto")
    assert client.post(f"/terminals/{tid}/commands", data={"cmd": "screenshot", "csrf": csrf_of(client)}).status_code == 200
    (_t, env), = console.sent
    feed(console, (f"kiosk/{tid}/ack", {"id": env["id"], "status": "ok", "result": {"ok": False, "reason": "session_active"}}))
    page = client.get(f"/terminals/{tid}").text
    assert 'class="cmd-refused" data-cmd="screenshot"' in page
    assert "a citizen is being served" in page and "<img" not in page


def test_outbox_growing_alarm(console, clock):
    """journal.outbox_pending that has not shrunk for 30 min raises `outbox_growing`; draining clears it."""
    from kiosk_fleet.console import alarms

    tid, t0 = "ganzi-luhuo-0001", clock()
    feed(console, (f"kiosk/{tid}/status", {"state": "online", "since": t0}))
    for i, pending in enumerate((0, 3, 9, 20)):  # the platform stopped answering at t0 + 10 min
        feed(console, telemetry(tid, t0 + 600 * (i + 1), i + 1, journal={"outbox_pending": pending}))
    clock.advance(600 * 4)
    with console.factory.begin() as db:
        assert "outbox_growing" not in alarms.evaluate(db, clock())  # 20 min: not yet
    clock.advance(600 * 2)
    feed(console, telemetry(tid, clock(), 9, journal={"outbox_pending": 31}))
    with console.factory.begin() as db:
        assert alarms.evaluate(db, clock()).get("outbox_growing") == 1
    feed(console, telemetry(tid, clock() + 60, 10, journal={"outbox_pending": 12}))  # draining again
    with console.factory.begin() as db:
        assert "outbox_growing" not in alarms.evaluate(db, clock() + 60)


def test_a_command_to_a_filter_of_terminals(console):
    """The overview's filter selects the terminals; each gets its own validated, recorded command."""
    for tid in ("ganzi-luhuo-0001", "ganzi-luhuo-0002", "aba-maerkang-0001"):
        feed(console, (f"kiosk/{tid}/status", {"state": "online", "since": console.wall()}))
    client = login(console, "otto")
    page = client.get("/?hall=ganzi-luhuo").text
    assert 'hx-post="/commands"' in page and 'name="hall" value="ganzi-luhuo"' in page
    tok = csrf_of(client)
    r = client.post("/commands", data={"hall": "ganzi-luhuo", "cmd": "set_maintenance", "arg.on": "true", "csrf": tok})
    assert r.status_code == 200 and "sent to 2 terminals" in r.text
    assert sorted(t for t, _e in console.sent) == ["ganzi-luhuo-0001", "ganzi-luhuo-0002"]
    assert len({e["id"] for _t, e in console.sent}) == 2
    assert client.post("/commands", data={"hall": "nowhere", "cmd": "diag", "csrf": tok}).status_code == 400
    assert client.post("/commands", data={"hall": "ganzi-luhuo", "cmd": "shell", "csrf": tok}).status_code == 400
    assert login(console, "vera").post("/commands", data={"cmd": "diag"}).status_code == 403  # viewers cannot
    assert len(console.sent) == 2
    assert 'hx-post="/terminals/ganzi-luhuo-0001/commands"' in client.get("/terminals/ganzi-luhuo-0001").text
