"""Where the virtual card's reader lives: pcscd with Debian's vpcd driver, in a network namespace
of its own, so the virtual reader is reachable from this machine's virtual card only.

Why a namespace: vpcd in server mode (`DEVICENAME /dev/null:0x8C7B`) binds 0.0.0.0:35963 (slot 0)
and 35964 (slot 1) and has no option for the address, so on the host anyone on the hall's network
could present a card. Its reversed mode (`DEVICENAME 127.0.0.1:0x8C7B`, vpcd connects out) crashes
pcscd 1.9.9 ("bit out of range 0 - FD_SETSIZE"). So pcscd runs under `unshare --net` with only
loopback up: vpcd's listeners exist inside that namespace, where nothing from the network arrives.
pcscd's client socket (/run/pcscd/pcscd.comm) is a file, which network namespaces do not hide, so
pyscard in the normal namespace talks to pcscd as usual. The virtual card's connecting thread
enters pcscd's namespace (`setns`, per thread) before it opens its socket.

Network namespaces need root (CAP_SYS_ADMIN). Without it nothing here starts: the virtual reader is
absent, and the reader driver reports it (fault no_reader / pcscd_down) like any missing reader.

`python -m devices.smartcard.vpcd -- CMD...` runs CMD with such a pcscd for its duration (what
`make run` does for the demo), or without one, saying why on stderr.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
PCSCD_DIR = Path("/run/pcscd")
PCSCD_PIDFILE = PCSCD_DIR / "pcscd.pid"
PCSCD_COMM = PCSCD_DIR / "pcscd.comm"
CLONE_NEWNET = 0x40000000
VPCD_CHANNEL = 0x8C7B  # vpcd's port 35963: slot n listens on 35963 + n

# Debian's /etc/reader.conf.d/vpcd, verbatim: the same reader ("Virtual PCD 00 00"/"... 00 01").
READER_CONF = f"""FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:0x{VPCD_CHANNEL:04X}
LIBPATH      {VPCD_DRIVER}
CHANNELID    0x{VPCD_CHANNEL:04X}
"""


def write_reader_conf(folder: Path) -> Path:
    """A reader.conf.d folder holding only the vpcd reader (for `pcscd --config`)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vpcd").write_text(READER_CONF, encoding="ascii")
    return folder


def pcscd_pid() -> int | None:
    """pid of the live pcscd that owns /run/pcscd, if any (pcscd writes "PID\\n\\0")."""
    try:
        pid = int(PCSCD_PIDFILE.read_bytes().strip(b"\0 \t\n"))
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, ValueError, IndexError):
        return None
    return pid if state != "Z" else None


def pcscd_netns() -> str | None:
    """The network namespace of the pcscd that owns /run/pcscd (as a /proc path), None without one."""
    pid = pcscd_pid()
    return f"/proc/{pid}/ns/net" if pid is not None else None


def enter_netns(path: str) -> None:
    """Move the calling thread (only it: Linux keeps the network namespace per thread) into the
    namespace at `path`; sockets it opens afterwards live there. Raises OSError (EPERM without
    root, ENOENT when the process is gone)."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_ino == os.stat("/proc/thread-self/ns/net").st_ino:
            return  # already there: setns would need CAP_SYS_ADMIN for nothing
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.setns(f.fileno(), CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns({path}): {os.strerror(err)}")


def unavailable_reason() -> str | None:
    """Why a namespaced pcscd with vpcd cannot be started here, or None when it can."""
    for tool in ("pcscd", "unshare", "ip"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if not VPCD_DRIVER.exists():
        return f"{VPCD_DRIVER} missing: Debian package vsmartcard-vpcd is not installed"
    if os.geteuid() != 0:
        return "starting pcscd in its own network namespace needs root"
    return None


def pcscd_command(config_dir: Path, auto_exit: bool = True) -> list[str]:
    """pcscd in the foreground in a new network namespace with loopback up. `exec` keeps one
    process: the Popen pid is pcscd's, and /proc/<pid>/ns/net its namespace."""
    pcscd = ["pcscd", "--foreground", "--config", str(config_dir)] + (["--auto-exit"] if auto_exit else [])
    return ["unshare", "--net", "--", "sh", "-c", 'ip link set lo up && exec "$@"', "pcscd-netns", *pcscd]


def start_pcscd(config_dir: Path, log: IO[bytes] | int = subprocess.DEVNULL,
                auto_exit: bool = True) -> subprocess.Popen:
    """Start a namespaced pcscd (see pcscd_command). Raises RuntimeError with the reason when it
    cannot run here; the caller waits for it to answer."""
    reason = unavailable_reason()
    if reason:
        raise RuntimeError(reason)
    # Own session: a Ctrl-C at the terminal reaches the caller, which then stops pcscd with
    # SIGTERM (it cleans /run/pcscd) instead of it dying half way.
    return subprocess.Popen(pcscd_command(config_dir, auto_exit), stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)


def stop_pcscd(proc: subprocess.Popen, timeout_s: float = 5.0) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout_s)


def _wait_started(proc: subprocess.Popen, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if pcscd_pid() == proc.pid and PCSCD_COMM.exists():
            return True
        time.sleep(0.05)
    return False


def run_with_pcscd(cmd: list[str], state_dir: Path) -> int:
    """Run `cmd` with a namespaced pcscd holding the virtual reader, started for it and stopped
    after it. Without one (not root, a pcscd already running) `cmd` runs anyway: its reader
    driver shows the missing reader, and stderr says why."""
    proc = None
    running = pcscd_pid()
    reason = (f"a pcscd not started for the demo is running (pid {running}): the virtual reader is there "
              f"only if that one has it" if running is not None else unavailable_reason())
    if reason is None:
        with open(state_dir / "pcscd.log", "wb") as log:
            # --auto-exit: if this launcher is killed -9, pcscd quits 60 s after the kiosk let go of it
            proc = start_pcscd(write_reader_conf(state_dir / "reader.conf.d"), log)
        if not _wait_started(proc, 10.0):
            stop_pcscd(proc)
            proc, reason = None, f"pcscd did not start (log: {state_dir / 'pcscd.log'})"
    if reason:
        print(f"virtual social security card reader: off ({reason})", file=sys.stderr, flush=True)
    else:
        print("virtual social security card reader: pcscd with vpcd in its own network namespace "
              "(no network port)", file=sys.stderr, flush=True)
    child = subprocess.Popen(cmd)

    def forward(signum: int, frame: object) -> None:
        child.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:  # the child got the same Ctrl-C: wait for it to finish
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)
        if proc is not None:
            stop_pcscd(proc)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("usage: python -m devices.smartcard.vpcd -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    state_dir = Path(os.environ.get("XDG_RUNTIME_DIR") or "/tmp") / f"kiosk-vpcd-{os.getpid()}"
    state_dir.mkdir(parents=True, exist_ok=True)
    try:
        return run_with_pcscd(argv, state_dir)
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
