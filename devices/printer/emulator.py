"""A TCP receipt printer that speaks ESC/POS: it answers real-time status (DLE EOT 1-4) from a
state that can change while it runs, "prints" GS v 0 rasters onto a roll, and at every cut
renders the receipt to PNG. The real driver runs against it in the demo and in tests.

States: ok, near_end, paper_out, cover_open, offline, error, silent (answers nothing, prints
nothing: a hung printer). `run_out_after_rows(n)` lets n more raster rows print, then the roll
ends: the rest of the job is lost and the status says paper end from then on, which is how a
receipt gets cut short in real life. `unplug()` pulls the cable (at once, or after n more
raster rows: mid-receipt): connections drop and new ones are refused until `replug()`.
"""
from __future__ import annotations

import dataclasses
import logging
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from devices.printer import escpos

if TYPE_CHECKING:  # Pillow loads with the first receipt, not with the demo's start
    from PIL import Image

log = logging.getLogger(__name__)

# Replies to DLE EOT 1, 2, 3, 4 per state (shape 0xx1xx10, idle 0x12; bits in status.py).
STATUS_BYTES: dict[str, dict[int, int]] = {
    "ok":         {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12},
    "near_end":   {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12 | 0x0C},
    "paper_out":  {1: 0x12 | 0x08, 2: 0x12 | 0x20, 3: 0x12, 4: 0x12 | 0x0C | 0x60},
    "cover_open": {1: 0x12 | 0x08, 2: 0x12 | 0x04, 3: 0x12, 4: 0x12},
    "offline":    {1: 0x12 | 0x08, 2: 0x12, 3: 0x12, 4: 0x12},
    "error":      {1: 0x12 | 0x08, 2: 0x12 | 0x40, 3: 0x12 | 0x08, 4: 0x12},  # autocutter
}
STATES = (*STATUS_BYTES, "silent")
PRINTING_STATES = ("ok", "near_end")
MAX_FEED_ROWS = 400  # a runaway feed does not make a metre-long PNG


@dataclass(frozen=True)
class Receipt:
    index: int
    image: Image.Image | None  # mode "1"; None once older than the newest KEEP_IMAGES
    path: Path | None
    complete: bool  # False: the roll ran out (or the printer stopped) during this receipt
    rows: int  # raster rows that reached the paper


KEEP_RECEIPTS = 100
# Pillow holds a mode "1" image at a byte per dot: a long certificate is over a megabyte, and a
# hundred receipts were 60 MB of a demo terminal's memory. The newest few keep their picture
# (tests and the simulator panel look at the last one); the others keep what came out, and
# their PNG file when there is an output directory.
KEEP_IMAGES = 4


class PrinterEmulator:
    def __init__(self, port: int = 0, state: str = "ok", out_dir: str | Path | None = None,
                 host: str = "127.0.0.1", on_receipt: Callable[[Receipt], None] | None = None) -> None:
        self._check(state)
        self.host, self.port = host, port
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.on_receipt = on_receipt
        self._state = state
        self._lock = threading.Condition()
        # The newest receipts only: an emulator left running for days (the demo) must not grow.
        self._receipts: list[Receipt] = []
        self.printed_total = 0
        self._pieces: list[Image.Image] = []  # the receipt being printed
        self._piece_rows = 0
        self._lost = False
        self._run_out_left: int | None = None
        self._unplugged = False
        self._unplug_left: int | None = None
        self._server: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._conns: set[socket.socket] = set()
        self._stopping = threading.Event()
        self.status_requests = 0
        self.clear_requests = 0
        self.unknown_bytes = 0

    # -- control (thread-safe) --------------------------------------------------------------------
    @staticmethod
    def _check(state: str) -> None:
        if state not in STATES:
            raise ValueError(f"printer state {state!r}: one of {', '.join(STATES)}")

    def set_state(self, state: str) -> None:
        self._check(state)
        with self._lock:
            self._state = state
            self._run_out_left = None

    @property
    def state(self) -> str:
        with self._lock:
            return self._state

    def run_out_after_rows(self, rows: int) -> None:
        """Let `rows` more raster rows print, then end the roll (test hook)."""
        with self._lock:
            self._run_out_left = max(0, rows)

    def unplug(self, after_rows: int | None = None) -> None:
        """Pull the cable (test hook): at once, or once `after_rows` more raster rows reached the
        paper. Open connections drop, new ones are refused, the printer's buffer is lost (what
        was printed so far comes out as a partial receipt) until `replug()`."""
        with self._lock:
            if after_rows is not None and not self._unplugged:
                self._unplug_left = max(0, after_rows)
                return
            self._pull()

    def replug(self) -> str:
        """Plug the cable back in: listening again on the same port, state "ok" as at power-on."""
        with self._lock:
            self._unplug_left = None
            if not self._unplugged:
                return self.url
            self._unplugged = False
            self._state, self._run_out_left = "ok", None
            self._pieces, self._piece_rows, self._lost = [], 0, False
            if not self._stopping.is_set():
                self._listen()
        return self.url

    @property
    def unplugged(self) -> bool:
        with self._lock:
            return self._unplugged

    def _pull(self) -> None:
        # Under self._lock (a re-entrant Condition), also from a connection's thread mid-job.
        self._unplugged, self._unplug_left = True, None
        if self._piece_rows:  # the paper that came out before the power went
            self._lost = True
            self._cut()
        self._pieces, self._piece_rows, self._lost = [], 0, False
        srv, self._server = self._server, None
        if srv is not None:
            _close_listener(srv)
        self.drop_connections()

    def drop_connections(self) -> int:
        """Close every client connection, as a printer does after an idle timeout or when its
        cable is pulled (test hook). Returns how many were closed."""
        with self._lock:
            conns = list(self._conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        return len(conns)

    @property
    def receipts(self) -> list[Receipt]:
        with self._lock:
            return list(self._receipts)

    def wait_receipts(self, count: int, timeout_s: float = 5.0) -> list[Receipt]:
        with self._lock:
            self._lock.wait_for(lambda: self.printed_total >= count, timeout_s)
            return list(self._receipts)

    @property
    def url(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    # -- server ----------------------------------------------------------------------------------
    def start(self) -> str:
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self._listen()
        return self.url

    def _listen(self) -> None:
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((self.host, self.port))
        srv.listen(4)
        srv.settimeout(0.2)
        self.port = srv.getsockname()[1]
        self._server = srv
        t = threading.Thread(target=self._accept_loop, args=(srv,), name="printer-emulator", daemon=True)
        t.start()
        self._keep_thread(t)

    def _keep_thread(self, t: threading.Thread) -> None:
        # Finished threads are dropped as new ones start: the list stays as long as the threads
        # alive now, however many connections came and went.
        with self._lock:
            self._threads = [x for x in self._threads if x.is_alive()] + [t]

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            srv, self._server = self._server, None
        if srv is not None:
            _close_listener(srv)
        self.drop_connections()
        with self._lock:
            threads = list(self._threads)
        for t in threads:
            t.join(2.0)

    def __enter__(self) -> "PrinterEmulator":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept_loop(self, srv: socket.socket) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = srv.accept()
            except socket.timeout:
                continue
            except OSError:
                return  # closed: stopped or unplugged
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                if self._server is not srv:  # unplugged while this one was being accepted
                    conn.close()
                    continue
                self._conns.add(conn)
            t = threading.Thread(target=self._serve, args=(conn,), name="printer-emulator-conn", daemon=True)
            t.start()
            self._keep_thread(t)

    def _serve(self, conn: socket.socket) -> None:
        parser = escpos.StreamParser()
        try:
            while not self._stopping.is_set():
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                reply = bytearray()
                for event in parser.feed(data):
                    reply += self.handle(event)
                if reply:
                    try:
                        conn.sendall(reply)
                    except OSError:
                        return
        finally:
            with self._lock:
                self._conns.discard(conn)
            conn.close()

    # -- the printer ---------------------------------------------------------------------------------
    def handle(self, event: escpos.Event) -> bytes:
        """One parsed command; returns the reply bytes (status answers)."""
        with self._lock:
            if self._unplugged:  # bytes still in flight when the cable came out
                return b""
            if isinstance(event, escpos.StatusRequest):
                self.status_requests += 1
                if self._state == "silent" or event.n not in (1, 2, 3, 4):
                    return b""
                return bytes((STATUS_BYTES[self._state][event.n],))
            if isinstance(event, escpos.Raster):
                self._raster(event)
            elif isinstance(event, escpos.Feed):
                self._feed(event.dots)
            elif isinstance(event, escpos.FeedLines):
                self._feed(event.lines * 30)
            elif isinstance(event, escpos.LineFeed):
                self._feed(30)
            elif isinstance(event, escpos.Cut):
                self._cut()
            elif isinstance(event, escpos.ClearBuffers):
                self.clear_requests += 1
            elif isinstance(event, escpos.Unknown):
                self.unknown_bytes += len(event.data)
            return b""

    def _raster(self, r: escpos.Raster) -> None:
        if self._state not in PRINTING_STATES:
            self._lost = True
            return
        image = r.image()
        pull = False
        if self._unplug_left is not None:
            if image.height >= self._unplug_left:
                image = image.crop((0, 0, image.width, self._unplug_left))
                pull = True
            else:
                self._unplug_left -= image.height
        if self._run_out_left is not None:
            if image.height > self._run_out_left:
                image = image.crop((0, 0, image.width, self._run_out_left))
                self._state, self._run_out_left, self._lost = "paper_out", None, True
            else:
                self._run_out_left -= image.height
                if self._run_out_left == 0:  # the roll ends exactly here
                    self._state, self._run_out_left = "paper_out", None
        if image.height:
            self._pieces.append(image)
            self._piece_rows += image.height
        if pull:
            self._pull()

    def _feed(self, dots: int) -> None:
        if self._state in PRINTING_STATES and self._pieces:
            width = self._pieces[-1].width
            from PIL import Image

            self._pieces.append(Image.new("1", (width, min(dots, MAX_FEED_ROWS)), 1))

    def _cut(self) -> None:
        if not self._piece_rows:  # nothing came out: nothing to cut off
            self._pieces, self._lost = [], False
            return
        width = max(p.width for p in self._pieces)
        from PIL import Image

        image = Image.new("1", (width, sum(p.height for p in self._pieces)), 1)
        y = 0
        for p in self._pieces:
            image.paste(p, (0, y))
            y += p.height
        self.printed_total += 1
        index = self.printed_total
        complete = not self._lost
        path = None
        if self.out_dir is not None:
            path = self.out_dir / f"receipt-{index:04d}{'' if complete else '-partial'}.png"
            try:
                image.save(path)
            except OSError as e:  # a full or vanished disk must not stop the printer answering
                log.error("receipt %d not saved: %s", index, e)
                path = None
        receipt = Receipt(index, image, path, complete, self._piece_rows)
        self._receipts.append(receipt)
        del self._receipts[:-KEEP_RECEIPTS]
        if len(self._receipts) > KEEP_IMAGES:
            old = self._receipts[-KEEP_IMAGES - 1]
            if old.image is not None:
                self._receipts[-KEEP_IMAGES - 1] = dataclasses.replace(old, image=None)
        self._pieces, self._piece_rows, self._lost = [], 0, False
        self._lock.notify_all()
        if self.on_receipt is not None:
            try:
                self.on_receipt(receipt)
            except Exception:  # noqa: BLE001 - a listener must not stop the printer
                log.exception("receipt listener failed")


def _close_listener(srv: socket.socket) -> None:
    try:
        srv.shutdown(socket.SHUT_RDWR)  # wakes accept() at once on Linux
    except OSError:
        pass
    srv.close()
