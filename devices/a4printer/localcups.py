"""A private cupsd in a folder of its own, for `sim://` and the tests: it listens only on a unix
socket in that folder, and its queues print through `kiosk-pdf`, a backend that writes each job's
PDF into the queue's folder (the CUPS-PDF idea, with a folder we choose).

The backend also plays the printer's faults, read from files in the queue's folder: `mode`
holding `media-empty` (reports media-empty-error and stops the queue, as a laser printer out of
paper does), `fail` (the job aborts), and a `hold` file (the printer is busy: the job stays
processing until the file goes). `cupsdisable` / `cupsenable` with `-h <socket>` take it offline.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

CUPSD = "/usr/sbin/cupsd"
CUPS_LIB = Path("/usr/lib/cups")
BACKEND = "kiosk-pdf"
BACKEND_SCRIPT = r"""#!/bin/sh
# kiosk-pdf: writes the job's PDF as <folder>/job-<id>.pdf; faults from <folder>/mode and <folder>/hold.
if [ $# -eq 0 ]; then echo 'direct kiosk-pdf "Unknown" "Kiosk PDF printer"'; exit 0; fi
dir="${DEVICE_URI#kiosk-pdf:}"
mode=$(cat "$dir/mode" 2>/dev/null)
# Like a network printer's backend: the printer's own state is reported as soon as it answers.
[ "$mode" = media-empty ] || echo "STATE: -media-empty-error" >&2
case "$mode" in
  media-empty) echo "STATE: +media-empty-error" >&2; echo "ERROR: out of paper" >&2; exit 4 ;;
  fail) echo "ERROR: printer failure" >&2; exit 1 ;;
esac
n=0
while [ -f "$dir/hold" ] && [ $n -lt 600 ]; do sleep 0.05; n=$((n+1)); done
out="$dir/job-$1.pdf"
if [ -n "$6" ]; then cp "$6" "$out.part"; else cat > "$out.part"; fi
mv "$out.part" "$out"
exit 0
"""


class CupsUnavailable(Exception):
    """No cupsd here, or it would not start (the message says which)."""

    reason = "cups_unavailable"  # the device status code when the simulator cannot start


def available() -> str | None:
    """Why a private cupsd cannot run here, or None."""
    if not Path(CUPSD).is_file() or shutil.which("lpadmin") is None:
        return "cups is not installed (make setup installs it)"
    if os.geteuid() != 0:
        return "a private cupsd needs root here (it runs its backend as root from its own folder)"
    return None


class LocalCups:
    def __init__(self, root: Path, start_timeout_s: float = 10.0) -> None:
        self.root = Path(root)
        self.socket = str(self.root / "cups.sock")
        self.start_timeout_s = start_timeout_s
        self.proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _write_config(self) -> None:
        r = self.root
        for sub in ("etc/ppd", "spool/tmp", "cache", "state/certs", "log", "bin/backend"):
            (r / sub).mkdir(parents=True, exist_ok=True)
        for sub in ("cgi-bin", "daemon", "filter", "monitor", "notifier", "driver"):
            link = r / "bin" / sub
            if not link.exists() and (CUPS_LIB / sub).exists():
                link.symlink_to(CUPS_LIB / sub)
        backend = r / "bin" / "backend" / BACKEND
        backend.write_text(BACKEND_SCRIPT)
        backend.chmod(0o700)  # 0700: cupsd runs it as root, so it may write into our folder
        (r / "etc" / "cupsd.conf").write_text(
            f"Listen {self.socket}\nLogLevel info\nWebInterface No\nBrowsing No\nDefaultAuthType None\n"
            "ErrorPolicy abort-job\nMaxJobTime 0\nJobRetryInterval 1\n"
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
            "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n")
        (r / "etc" / "cups-files.conf").write_text(
            f"ServerRoot {r}/etc\nRequestRoot {r}/spool\nTempDir {r}/spool/tmp\nCacheDir {r}/cache\n"
            f"StateDir {r}/state\nServerBin {r}/bin\nDataDir /usr/share/cups\n"
            f"AccessLog {r}/log/access_log\nErrorLog {r}/log/error_log\nPageLog {r}/log/page_log\n"
            f"Printcap {r}/state/printcap\nSystemGroup root\nSandboxing Relaxed\n")

    def start(self) -> str:
        """Start cupsd; returns its socket path. Raises CupsUnavailable."""
        why = available()
        if why:
            raise CupsUnavailable(why)
        with self._lock:
            if self.running:
                return self.socket
            return self._start()

    def _stop_stale(self) -> None:
        """A cupsd left running on this folder by a kiosk that was killed (kill -9, power cut of
        the app only): it runs in its own session, so it outlived its parent. Stopped here, or
        every restart would leave one more. Only a process whose command line names this
        folder's config is touched (a pid can be reused)."""
        pid_file = self.root / "cupsd.pid"
        try:
            pid = int(pid_file.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return
        if str(self.root / "etc" / "cupsd.conf").encode() in cmdline:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)

    def _start(self) -> str:
        self._write_config()
        self._stop_stale()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.socket)  # left by a cupsd killed with its kiosk: it would look started
        self.proc = subprocess.Popen([CUPSD, "-f", "-c", str(self.root / "etc" / "cupsd.conf"),
                                      "-s", str(self.root / "etc" / "cups-files.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        (self.root / "cupsd.pid").write_text(f"{self.proc.pid}\n")
        deadline = time.monotonic() + self.start_timeout_s
        while not os.path.exists(self.socket):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode(errors="replace")[-500:] if self.proc.stderr else ""
                self.stop()
                raise CupsUnavailable(f"cupsd did not start: {err or self.log_tail()}")
            time.sleep(0.05)
        return self.socket

    def lp(self, *args: str) -> str:
        """Run a CUPS command-line tool against this cupsd (lpadmin, cupsdisable, cancel, ...)."""
        tool, *rest = args
        done = subprocess.run([tool, "-h", self.socket, *rest], capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            raise CupsUnavailable(f"{tool} failed: {done.stderr.strip()}")
        return done.stdout

    def add_queue(self, name: str) -> Path:
        """A raw queue printing through kiosk-pdf into <root>/<name>/; returns that folder."""
        folder = self.root / name
        folder.mkdir(exist_ok=True)
        self.lp("lpadmin", "-p", name, "-E", "-v", f"{BACKEND}:{folder}", "-m", "raw",
                "-o", "printer-error-policy=abort-job")
        return folder

    def log_tail(self, n: int = 2000) -> str:
        try:
            return (self.root / "log" / "error_log").read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)  # its own session: cupsd and the backends it started
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)

    def __enter__(self) -> "LocalCups":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
