"""A throwaway mosquitto on loopback for tests, the bench and demos (never for production:
a fleet uses a clustered broker, see docs/fleet.md)."""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

MOSQUITTO = os.environ.get("KIOSK_MOSQUITTO", "/usr/sbin/mosquitto")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class LocalBroker:
    def __init__(self, port: int | None = None, persistence: bool = False, workdir: Path | None = None,
                 extra_conf: str = "") -> None:
        self.port = port or free_port()
        self.persistence = persistence
        self._own_dir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="kiosk-mosquitto-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.extra_conf = extra_conf
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def _conf(self) -> Path:
        lines = [f"listener {self.port} 127.0.0.1", "allow_anonymous true",
                 # run as whoever started us (as root, mosquitto would switch to "mosquitto")
                 f"user {pwd.getpwuid(os.getuid()).pw_name}",
                 "max_queued_messages 10000", "set_tcp_nodelay true", "log_dest stderr", "log_type error", "log_type warning"]
        if self.persistence:
            lines += ["persistence true", f"persistence_location {self.workdir}/", "autosave_interval 1"]
        else:
            lines.append("persistence false")
        conf = self.workdir / "mosquitto.conf"
        conf.write_text("\n".join(lines) + "\n" + self.extra_conf)
        return conf

    def start(self, timeout: float = 10.0) -> LocalBroker:
        if not Path(MOSQUITTO).exists():
            raise FileNotFoundError(f"{MOSQUITTO} not found (Debian package: mosquitto)")
        conf = self._conf()
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL,
                                     stderr=open(self.workdir / "mosquitto.log", "ab"))
        deadline = time.monotonic() + timeout
        while not _port_open(self.port):
            if self.proc.poll() is not None:
                raise RuntimeError(f"mosquitto exited ({self.proc.returncode}): "
                                   f"{(self.workdir / 'mosquitto.log').read_text(errors='replace')[-500:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"mosquitto did not listen on {self.port} within {timeout} s")
            time.sleep(0.02)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (mosquitto saves its persistence file on the way out)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def close(self) -> None:
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def rss_kb(self) -> int:
        if self.proc is None:
            return 0
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def __enter__(self) -> LocalBroker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
