"""The device registry (devices/registry.py): one family table that the hub, diag, config
validation, the headless rig and the CLI all read.

The throw-away family "gadget" is added the way the README says (its own module defining
`FAMILY`, plus one registration line) and must appear everywhere a device appears.
"""
from __future__ import annotations

import contextlib
import importlib.util
import sys
import textwrap
import threading
from types import SimpleNamespace

import pytest

from devices import registry
from devices.status import OK

GADGET_MODULE = "kiosk_throwaway_gadget"

GADGET_SOURCE = textwrap.dedent('''
    """A throw-away device family: a driver, a simulator, its DeviceFamily and its CLI commands."""
    from devices.registry import BuildContext, DeviceFamily
    from devices.status import OK, DeviceStatus

    class GadgetSim:
        def __init__(self):
            self.running = True

        def stop(self):
            self.running = False

    class Gadget:
        def __init__(self, url, on_read):
            self.url, self.on_read, self.opened = url, on_read, False

        def open(self):
            self.opened = True

        def close(self):
            self.opened = False

        def status(self):
            return DeviceStatus(OK, "", self.url)

        def poll(self):
            self.on_read("gadget-data")
            import time
            time.sleep(0.05)

    SELF_TESTS = []

    def build(url, ctx):
        return Gadget(url, ctx.events.read)

    def simulate(ctx):
        sim = GadgetSim()
        ctx.keep_sim(sim, sim.stop)
        return build("gadget://sim", ctx)

    def self_test(driver, timeout_s):
        SELF_TESTS.append(driver.url)
        return DeviceStatus(OK, "", "gadget answers")

    def register(device_sub, sim_sub):
        p = device_sub.add_parser("gadget-ping", help="ask the gadget")
        p.set_defaults(func=lambda args: print("gadget pong") or 0)

    FAMILY = DeviceFamily(name="gadget", schemes=("gadget://",), build=build, simulate=simulate,
                          self_test=self_test, cli=__name__)
''')


@pytest.fixture
def gadget(tmp_path, monkeypatch):
    """The family's own module (in a temp folder, imported by path: no sys.path edit) plus the
    one registration line."""
    path = tmp_path / f"{GADGET_MODULE}.py"
    path.write_text(GADGET_SOURCE, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(GADGET_MODULE, path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, GADGET_MODULE, module)
    spec.loader.exec_module(module)
    registry.register(module.FAMILY)  # the registration line
    yield module
    registry.unregister("gadget")


def test_builtin_families_in_order():
    assert registry.names() == ("printer", "idcard", "sscard", "scanner", "a4printer")


def test_a_new_family_is_built_by_the_hub(gadget, tmp_path):
    from kiosk.core.devices_config import DevicesConfig
    from kiosk.runtime.devicehub import DeviceHub

    from kiosk.core.events import DeviceRead, DeviceStatusChanged

    posted: list[object] = []
    got, ok = threading.Event(), threading.Event()

    def post(event):
        posted.append(event)
        if isinstance(event, DeviceRead) and event.source == "gadget":
            got.set()
        if isinstance(event, DeviceStatusChanged) and event.name == "gadget" and event.status.state == OK:
            ok.set()

    hub = DeviceHub(DevicesConfig(urls={"printer": "memory://", "gadget": "sim://"}), post, tmp_path)
    hub.build()
    try:
        assert isinstance(hub.drivers["gadget"], gadget.Gadget)
        sim = hub.sims["gadget"]
        assert sim.running
        hub.start()
        assert got.wait(5), "the gadget's reads never reached the bus"
        assert DeviceRead("gadget", "gadget-data") in posted
        assert ok.wait(5), "the gadget's status never reached the bus"
        assert hub.statuses()["gadget"].state == OK
    finally:
        hub.stop()
    assert not sim.running  # its simulator stopped with the hub


def test_a_new_family_is_probed_by_diag(gadget):
    from kiosk.diag import probes

    cfg = SimpleNamespace(devices=SimpleNamespace(printer="memory://", gadget="gadget://desk"))
    assert probes.configured_devices(cfg) == {"printer": "memory://", "gadget": "gadget://desk"}
    statuses = probes.probe_devices({"gadget": "gadget://desk"}, timeout_s=3)
    assert statuses["gadget"].state == OK and statuses["gadget"].detail == "gadget answers"
    assert gadget.SELF_TESTS == ["gadget://desk"]  # its family's self-test ran
    bad = probes.probe_devices({"gadget": "tcp://x"}, timeout_s=3)["gadget"]
    assert bad.reason == "bad_url" and "gadget://" in bad.detail


def test_a_new_family_is_checked_by_config(gadget, tmp_path):
    from kiosk.core import config

    site = tmp_path / "site.toml"
    site.write_text('profile = "demo"\n[devices]\ngadget = "gadget://counter-3"\n', encoding="utf-8")
    cfg = config.load(None, site)
    assert cfg.devices.gadget == "gadget://counter-3"
    assert cfg.devices.printer == "sim://"  # the profile's other devices are kept
    site.write_text('profile = "demo"\n[devices]\ngadget = "tcp://10.0.0.9"\n', encoding="utf-8")
    with pytest.raises(config.ConfigError, match=r"devices\.gadget.*expected one of none, sim://, gadget://"):
        config.load(None, site)


def test_an_unregistered_family_is_an_unknown_key(tmp_path):
    from kiosk.core import config

    site = tmp_path / "site.toml"
    site.write_text('profile = "demo"\n[devices]\ngadget = "gadget://1"\n', encoding="utf-8")
    with pytest.raises(config.ConfigError, match=r"devices\.gadget.*unknown key"):
        config.load(None, site)


def test_a_new_family_brings_its_cli_commands(gadget, capsys):
    from kiosk.terminal.cli import main

    assert main(["device", "gadget-ping"]) == 0
    assert capsys.readouterr().out.strip() == "gadget pong"


def test_the_headless_rig_switches_every_family_off(gadget):
    from kiosk.core import config
    from kiosk.demo.rig import headless_config

    devices = headless_config(config.load("demo")).devices
    assert {n: getattr(devices, n) for n in registry.names()} == {
        "printer": "memory://", "idcard": "none", "sscard": "none", "scanner": "none", "a4printer": "none",
        "gadget": "none"}


# -- the copies that disagreed before there was one table ----------------------------------------

@pytest.mark.parametrize("name", ["scanner", "sscard", "idcard", "printer"])
def test_sim_means_the_same_device_in_the_hub_and_in_diag(name, tmp_path):
    """Before: scanner = "sim://" was a camera in the hub and a serial scanner in diag."""
    from kiosk.core.devices_config import DevicesConfig
    from kiosk.diag import probes
    from kiosk.runtime.devicehub import DeviceHub

    hub = DeviceHub(DevicesConfig(urls={name: "sim://"}), lambda topic, **data: None, tmp_path)
    hub.build()
    try:
        with contextlib.ExitStack() as resources:
            probed = probes.device_factory(name, "sim://", resources)
            assert type(probed) is type(hub.drivers[name])
            if name == "scanner":
                assert type(probed.source).__name__ == "FrameSource"  # a camera, not a serial module
    finally:
        hub.stop()


SAMPLE_URLS = {"tcp://": "tcp://127.0.0.1:9", "serial://": "serial:///dev/ttyUSB0?baud=115200",
               "usb://": "usb://0x0416:0x5011", "file://": "file:///dev/usb/lp0", "rfc2217://": "rfc2217://127.0.0.1:9",
               "/dev/": "/dev/ttyUSB0", "pcsc://": "pcsc://?reader=ACS", "camera://": "camera://0",
               "rtsp://": "rtsp://127.0.0.1/cam", ("scanner", "file://"): "file:///tmp/code.png",
               "cups://": "cups://kiosk-a4"}


def test_every_url_config_accepts_is_buildable_and_the_others_are_not(tmp_path):
    """Before: diag built sscard = "sim://", config rejected it; config took scanner serial:// and
    the hub could not build it; config took "sim://x", which the hub then built as a real printer."""
    from kiosk.core import config

    site = tmp_path / "site.toml"
    for family in registry.families():
        for form in family.accepted():
            url = SAMPLE_URLS.get((family.name, form), SAMPLE_URLS.get(form, form))
            site.write_text(f'profile = "demo"\n[devices]\n{family.name} = "{url}"\n', encoding="utf-8")
            assert getattr(config.load(None, site).devices, family.name) == url  # accepted
            if url == registry.NONE:
                continue
            if url == registry.SIM:
                assert family.simulate is not None
                continue
            with contextlib.ExitStack() as resources:
                assert registry.build(family.name, url, registry.BuildContext(family.name, resources)) is not None
    for name, url in (("sscard", "tcp://x"), ("printer", "sim://x"), ("printer", "none"), ("idcard", "nonesuch")):
        site.write_text(f'profile = "demo"\n[devices]\n{name} = "{url}"\n', encoding="utf-8")
        with pytest.raises(config.ConfigError, match=rf"devices\.{name}"):
            config.load(None, site)
        with contextlib.ExitStack() as resources, pytest.raises(registry.UnsupportedDeviceUrl):
            registry.build(name, url, registry.BuildContext(name, resources))
