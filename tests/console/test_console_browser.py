"""The console end to end in Debian's headless chromium: real mosquitto, real agents
(kiosk/remote/agent.py), the ingest, uvicorn. Log in, watch a terminal go offline when its agent
dies, send a command and see its ack, start a rollout whose pilot fails and see it halt."""
from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from tests.console.conftest import PASSWORD
from tests.support.fleetkit import settings_for, wait_for

from kiosk.remote.agent import Agent
from kiosk_fleet.localbroker import MOSQUITTO, LocalBroker, free_port

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SHOTS = Path(os.environ.get("KIOSK_CONSOLE_SHOTS", "/tmp/console-shots"))


@pytest.fixture
def stack(tmp_path):
    if not (Path(MOSQUITTO).exists() and Path(CHROMIUM).exists() and Path(DRIVER).exists()):
        pytest.skip("needs mosquitto, chromium and chromium-driver (make setup installs them)")
    import uvicorn

    from kiosk_fleet.console import server
    from kiosk_fleet.console.app import build_app
    from kiosk_fleet.console.auth import add_user

    broker = LocalBroker().start()
    running = server.start(f"sqlite:///{tmp_path / 'console.sqlite3'}", settings_for(broker), workers=2, tick_s=0.5)
    with running.console.factory.begin() as db:
        add_user(db, "ada", PASSWORD, "admin", time.time())
    port = free_port()
    web = uvicorn.Server(uvicorn.Config(build_app(running.console), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    wait_for(lambda: web.started, timeout=10, what="uvicorn")
    from tests.support.webdriver import Browser

    browser = Browser(free_port(), tmp_path / "chromium-profile")
    agents: list[Agent] = []
    try:
        yield broker, running, f"http://127.0.0.1:{port}", browser, agents
    finally:
        browser.close()
        for a in agents:
            if not a._stop.is_set():  # noqa: SLF001
                a.stop(timeout=2)
        web.should_exit = True
        thread.join(10)
        running.close()
        broker.close()
        shutil.rmtree(tmp_path / "chromium-profile", ignore_errors=True)


def make_agent(broker, tmp_path, tid, agents, state):
    def telemetry():
        return {"versions": {"app": state["version"]}, "update": {"state": state["update"], "bad": state["bad"]},
                "devices": {"printer": {"state": "ok"}, "idcard": {"state": "ok"}},
                "paper": {"level": "ok", "remaining_pct": 64}}

    def check_update(args):
        # This release fails its health check here: the terminal rolls back and marks it bad.
        state.update({"update": "rolled_back", "bad": ["1.4.2"]})
        threading.Timer(0.05, lambda: agent.publish_telemetry()).start()
        return {"ok": True, "outcome": "rolled_back"}

    handlers = {"diag": lambda a: {"ok": True}, "set_maintenance": lambda a: {"ok": True, "maintenance": a["on"]},
                "check_update": check_update}
    agent = Agent(tid, settings_for(broker), handlers=handlers, state_dir=tmp_path / tid, telemetry=telemetry,
                  status_info=lambda: {"version": state["version"]}, telemetry_interval_s=3600)
    agents.append(agent)
    agent.start()
    assert agent.wait_connected(5)
    agent.publish_telemetry()
    return agent


def test_console_in_a_real_browser(stack, tmp_path):
    broker, running, url, b, agents = stack
    a1 = make_agent(broker, tmp_path, "ganzi-luhuo-0001", agents, {"version": "1.4.1", "update": "committed", "bad": []})
    make_agent(broker, tmp_path, "ganzi-luhuo-0002", agents, {"version": "1.4.1", "update": "committed", "bad": []})
    make_agent(broker, tmp_path, "aba-maerkang-0001", agents, {"version": "1.4.1", "update": "committed", "bad": []})

    b.get(url + "/")
    b.type("#user", "ada")
    b.type("#password", PASSWORD)
    b.click("#login")
    b.wait("return document.querySelectorAll('#terminals tr[data-health=online]').length == 3", 10)
    b.screenshot(SHOTS / "overview.png")

    a1.abort()  # no DISCONNECT: the broker publishes the last will
    took = b.wait("const r = document.querySelector('#t-ganzi-luhuo-0001'); return r && r.dataset.health == 'offline'", 10)
    print(f"offline shown {took:.2f} s after the agent was killed")

    b.get(url + "/terminals/ganzi-luhuo-0002")
    b.js("document.querySelector('#cmd-set_maintenance select[name=\"arg.on\"]').value = 'true'")
    b.click("#cmd-set_maintenance button")
    took = b.wait("const r = document.querySelector('#commands tr[data-cmd=set_maintenance] .status');"
                  "return r && r.innerText.startsWith('ok')", 10)
    print(f"ack shown {took:.2f} s after the click")
    b.screenshot(SHOTS / "terminal.png")

    b.get(url + "/rollouts")
    b.type("input[name=version]", "1.4.2")
    b.js("document.querySelector('input[name=groups]').value = 'pilot:hall=ganzi-luhuo; all:100%'")
    b.js("document.querySelector('input[name=error_count]').value = '1'")
    b.click("form[action='/rollouts'] button")
    b.wait("return document.querySelector('#rollouts') !== null", 5)

    def halted() -> bool:
        b.get(url + "/rollouts")
        return "halted" in b.text("#rollouts")

    wait_for(halted, timeout=10, interval=0.3, what="rollout halted")
    assert "pilot: 0 / 1 / 2" in b.text("#rollouts")  # 0002 failed (0001 is offline: asked, no answer yet)
    b.screenshot(SHOTS / "rollout.png")
    b.get(url + "/alarms")
    assert "rollout_halted" in b.text("#alarms")
    b.screenshot(SHOTS / "alarms.png")
