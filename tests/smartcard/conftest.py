"""Fixtures for the social security card tests: a real pcscd with Debian's vpcd driver, and the
project's virtual card plugged into it.

pcscd is started here, in the foreground, as a child of the test run, in a network namespace of
its own with only loopback, so vpcd's listeners (0.0.0.0:35963-35964 of their namespace) are not
on the machine's network (devices/smartcard/vpcd.py):

    unshare --net -- sh -c 'ip link set lo up && exec "$@"' pcscd-netns pcscd --foreground --config DIR --auto-exit

(root needed: it owns /run/pcscd, and namespaces need CAP_SYS_ADMIN). DIR holds only the vpcd
reader, not /etc/reader.conf.d. The virtual card enters that namespace to connect. --auto-exit
makes an orphan (test run killed with -9) quit by itself after 60 s without clients. If a pcscd
is already running (another test run, a desktop, a CI image with the service on), it is reused
when it lists the vpcd reader, and tests that must kill pcscd are skipped: the tests never kill a
daemon they did not start.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from devices.smartcard import vpcd
from tests.support.waiting import wait_until

PCSCD_DIR = Path("/run/pcscd")
PIDFILE = PCSCD_DIR / "pcscd.pid"
COMM = PCSCD_DIR / "pcscd.comm"
VPCD_READER = "Virtual PCD"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # an unreaped zombie still answers kill(0) but serves nothing
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _running_pid() -> int | None:
    """pid of a live pcscd that owns /run/pcscd, if any. pcscd writes "PID\n\0"."""
    try:
        pid = int(PIDFILE.read_bytes().strip(b"\0 \t\n"))
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def list_readers() -> list[str] | None:
    """Readers pcscd lists, [] for none, None when pcscd is not reachable."""
    from smartcard import scard

    hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hr != scard.SCARD_S_SUCCESS:
        return None
    try:
        hr, readers = scard.SCardListReaders(ctx, [])
        return list(readers) if hr == scard.SCARD_S_SUCCESS else []
    finally:
        scard.SCardReleaseContext(ctx)


class Pcscd:
    """The pcscd the tests run on: started here (owned) or found running (not owned)."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.proc: subprocess.Popen | None = None
        self.owned = False
        self.external_pid: int | None = None
        self.starts = 0

    @property
    def reader(self) -> str:
        readers = sorted(r for r in (list_readers() or []) if VPCD_READER in r)
        assert readers, "vpcd reader not listed"
        return readers[0]  # slot 0, the one on port 35963

    def start(self, config_dir: Path | None = None, wait_for_vpcd: bool = True) -> None:
        """Start pcscd (with the vpcd reader, or another reader.conf.d) in its own network
        namespace and wait until it is usable."""
        assert self.proc is None or self.proc.poll() is not None, "pcscd already running"
        # Never start a second daemon over a live one: on exit it deletes /run/pcscd, taking
        # the first daemon's socket with it.
        assert list_readers() is None, "a pcscd is already answering on /run/pcscd"
        if COMM.exists() and _running_pid() is None:
            # A daemon that died without cleaning up: pcscd refuses to start over its files.
            for f in (COMM, PIDFILE):
                f.unlink(missing_ok=True)
        cmd = vpcd.pcscd_command(config_dir or vpcd.write_reader_conf(self.log_dir / "reader.conf.d"))
        self.starts += 1
        log = open(self.log_dir / f"pcscd-{self.starts}.log", "wb")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        # Own session: a Ctrl-C at the terminal goes to pytest only, whose teardown then stops
        # the daemon with SIGTERM (it cleans /run/pcscd) instead of it dying mid-test.
        log.close()
        self.owned = True

        def ready():  # noqa: ANN202
            if self.proc.poll() is not None:
                raise AssertionError(f"pcscd exited with {self.proc.returncode}; log: "
                                     f"{(self.log_dir / f'pcscd-{self.starts}.log').read_text(errors='replace')[-2000:]}")
            readers = list_readers()
            if readers is None:
                return False
            return any(VPCD_READER in r for r in readers) if wait_for_vpcd else True

        try:
            wait_until(ready, 10.0, what="pcscd to list the vpcd reader" if wait_for_vpcd else "pcscd to answer")
        except BaseException:
            self.stop()  # no orphan daemon when startup fails
            raise

    def stop(self) -> None:
        """Stop our pcscd (SIGTERM, then SIGKILL) and wait until its socket is gone."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        wait_until(lambda: list_readers() is None, 5.0, what="pcscd to go away")


def _skip_reason() -> str | None:
    if shutil.which("pcscd") is None:
        return "pcscd is not installed (Debian package pcscd; make setup installs it)"
    if not vpcd.VPCD_DRIVER.exists():
        return f"{vpcd.VPCD_DRIVER} missing: Debian package vsmartcard-vpcd is not installed"
    try:
        import smartcard.scard  # noqa: F401
    except ImportError:
        return "pyscard is not installed in this environment"
    return None


def _netns_refused() -> str | None:
    """Root in a container may still be denied namespaces (no CAP_SYS_ADMIN)."""
    p = subprocess.run(["unshare", "--net", "--", "true"], capture_output=True, text=True, timeout=10)
    return f"unshare --net: {p.stderr.strip() or p.returncode}" if p.returncode else None


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory) -> Iterator[Pcscd]:  # noqa: ANN001
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    daemon = Pcscd(tmp_path_factory.mktemp("pcscd"))
    readers = list_readers()
    if readers is not None:  # a daemon not started by us is answering
        pid = _running_pid()
        if not any(VPCD_READER in r for r in readers):
            pytest.skip(f"a pcscd not started by the tests is running (pid {pid}) without the vpcd reader; "
                        "stop it, or restart it after installing vsmartcard-vpcd")
        daemon.external_pid = pid
        yield daemon
        return
    if os.geteuid() != 0:
        pytest.skip("pcscd is not running and starting it needs root (it owns /run/pcscd); CI runs as root")
    reason = vpcd.unavailable_reason() or _netns_refused()
    if reason:
        pytest.skip(f"cannot start pcscd with vpcd in its own network namespace: {reason}")
    daemon.start()
    try:
        yield daemon
    finally:
        daemon.stop()


@pytest.fixture
def owned_pcscd(pcscd: Pcscd) -> Pcscd:
    if not pcscd.owned:
        pytest.skip(f"pcscd was already running (pid {pcscd.external_pid}) when the tests started; the tests "
                    "only kill a pcscd they started themselves")
    return pcscd


def card_present(reader: str) -> bool | None:
    """Does pcscd see a card in `reader` right now? None when pcscd is unreachable."""
    from smartcard import scard

    hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hr != scard.SCARD_S_SUCCESS:
        return None
    try:
        hr, states = scard.SCardGetStatusChange(ctx, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
        if hr != scard.SCARD_S_SUCCESS:
            return None
        return bool(states[0][1] & scard.SCARD_STATE_PRESENT)
    finally:
        scard.SCardReleaseContext(ctx)


class CardSlot:
    """The virtual card plus waits on what pcscd sees, so tests never race its presence poll."""

    def __init__(self, reader: str) -> None:
        from devices.smartcard.virtual_card import VirtualCard

        self.reader = reader
        self.card = VirtualCard()

    def insert(self, name_or_path: str, wait: bool = True, **behaviour) -> None:  # noqa: ANN003
        from devices.smartcard.virtual_card import load_card

        self.remove()
        self.card.set_behaviour(**behaviour)
        self.card.insert(load_card(name_or_path), wait_s=5.0)
        if wait:
            self.wait_present(True)

    def remove(self) -> None:
        was_in = self.card.inserted or self.card.pulled.is_set()
        self.card.remove()
        if was_in:
            self.wait_present(False)

    def wait_present(self, expected: bool, timeout_s: float = 5.0) -> None:
        """Until pcscd's presence poll (every 0.4 s) agrees with what the slot holds."""
        wait_until(lambda: card_present(self.reader) is expected, timeout_s,
                   what="pcscd to see the card" if expected else "pcscd to see the card leave")


@pytest.fixture
def slot(pcscd: Pcscd) -> Iterator[CardSlot]:
    s = CardSlot(pcscd.reader)
    yield s
    s.remove()
