"""Issue 14 #7: vpcd listens on every interface of its network namespace, so pcscd with vpcd runs
in a namespace of its own (devices/smartcard/vpcd.py). In the machine's namespace no socket
listens on vpcd's ports, while the virtual card still reads through pyscard -> pcscd -> vpcd."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from devices.smartcard import vpcd

ROOT = Path(__file__).resolve().parents[2]
VPCD_PORTS = {35963, 35964}


def listening_ports(net_dir: str) -> set[int]:
    """TCP ports in LISTEN (state 0A) in /proc/.../net/tcp and tcp6 of one namespace."""
    ports = set()
    for name in ("tcp", "tcp6"):
        for line in Path(net_dir, name).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def test_vpcd_listens_only_inside_pcscds_namespace(pcscd, slot):
    from devices.smartcard.reader import read_once

    slot.insert("han")
    assert read_once(pcscd.reader, 5).card_number  # the card reads through the namespace
    # This thread's namespace is the machine's (only the card's own thread entered pcscd's).
    assert not VPCD_PORTS & listening_ports("/proc/thread-self/net")
    pid = vpcd.pcscd_pid()
    assert pid is not None
    # ...and the check sees vpcd where it is: inside pcscd's namespace.
    assert VPCD_PORTS <= listening_ports(f"/proc/{pid}/net")


CHILD = """
import json, sys
from devices.smartcard.reader import read_once
from devices.smartcard.virtual_card import VirtualCard, load_card
sys.path.insert(0, sys.argv[1])
from tests.smartcard.test_vpcd_netns import listening_ports
from tests.smartcard.conftest import list_readers
card = VirtualCard()
inserted = card.insert(load_card("han"), wait_s=5.0)
record = read_once("Virtual PCD", 5) if inserted else None
print(json.dumps({"readers": list_readers(), "read": bool(record and record.card_number),
                  "host_listen": sorted(listening_ports("/proc/thread-self/net"))}))
card.remove()
"""


def test_the_demo_launcher_gives_the_reader_and_opens_no_port(owned_pcscd, tmp_path):
    """`make run` wraps the kiosk in `python -m devices.smartcard.vpcd --`: the command gets the
    virtual reader, and the machine's namespace shows no vpcd port while it runs."""
    owned_pcscd.stop()  # the launcher starts its own; only one pcscd owns /run/pcscd
    try:
        p = subprocess.run([sys.executable, "-m", "devices.smartcard.vpcd", "--", sys.executable, "-c", CHILD,
                            str(ROOT)], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        assert "own network namespace" in p.stderr
        out = json.loads(p.stdout.strip().splitlines()[-1])
        assert any("Virtual PCD" in r for r in out["readers"]) and out["read"], out
        assert not VPCD_PORTS & set(out["host_listen"]), out
        assert vpcd.pcscd_pid() is None  # stopped with the command
    finally:
        owned_pcscd.start()


def test_the_launcher_without_a_namespace_runs_the_command_and_says_why(monkeypatch, tmp_path, capfd):
    monkeypatch.setattr(vpcd, "pcscd_pid", lambda: None)
    monkeypatch.setattr(vpcd, "unavailable_reason", lambda: "starting pcscd in its own network namespace needs root")
    rc = vpcd.run_with_pcscd([sys.executable, "-c", "print('kiosk ran')"], tmp_path)
    out, err = capfd.readouterr()
    assert rc == 0 and "kiosk ran" in out
    assert "virtual social security card reader: off (starting pcscd in its own network namespace needs root)" in err
