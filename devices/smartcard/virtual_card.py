"""A virtual social security card that plugs into real pcscd through Debian's vpcd driver.

vpcd (vsmartcard-vpcd) listens on TCP 35963 (slot 0, "Virtual PCD 00 00") and 35964 (slot 1) on
every interface of its network namespace (no address option), so the project runs pcscd with vpcd
only in a namespace of its own with loopback alone (devices/smartcard/vpcd.py explains). The card
enters the namespace of the pcscd owning /run/pcscd in its connecting thread only, and connects to
127.0.0.1 there. It then answers frames: 2-byte big-endian length
+ payload. A 1-byte payload is a control (0 power off, 1 power on, 2 reset, 4 "send your ATR"); a
longer one is a command APDU, answered with a response APDU. Connecting is inserting the card;
closing the socket is pulling it.

Two parts:
- `SsCardApplet`: pure APDU processing (SELECT SSSE, READ RECORD EF05/EF06, GET RESPONSE) with
  switchable misbehaviour, usable without any socket (unit tests call `process()`).
- `VirtualCard`: the vpcd connection in a thread, with a thread-safe control API
  (`insert`, `remove`, `set_behaviour`). While inserted it reconnects whenever vpcd goes away
  (pcscd restart: into the new daemon's namespace), as a physical card stays in a reader whose
  daemon restarts.

Cards are JSON files (see devices/smartcard/cards/); holder names live there, not in code.
"""
from __future__ import annotations

import dataclasses
import logging
import socket
import struct
import threading
from dataclasses import dataclass
from typing import Any, Callable

from devices.smartcard.apdu import P2_EF05, P2_EF06, SSSE_DDF_NAME
# The card files, re-exported: callers import them from here.
from devices.smartcard.card_data import (CARDS_DIR, DEFAULT_ATR, CardData, card_from_json, load_card,  # noqa: F401
                                         shipped_cards)
from devices.smartcard.vpcd import enter_netns, pcscd_netns

log = logging.getLogger(__name__)

VPCD_HOST = "127.0.0.1"
VPCD_PORT = 35963  # slot 0; slot n listens on 35963 + n
CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4
_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)  # Linux only


@dataclass(frozen=True)
class Behaviour:
    """How the card misbehaves. Replaced as a whole (frozen), so the serving thread always sees
    a consistent set."""

    get_response: bool = False  # answer 61xx instead of data: the host must send GET RESPONSE
    get_response_chunk: int = 0  # >0: GET RESPONSE hands out at most this many bytes, then 61xx again
    answer_6c_first: bool = False  # first READ RECORD of each record gets 6Cxx even with the right Le
    strict_le: bool = True  # T=0 style: any Le other than the record length gets 6Cxx
    protect_ef06: bool = False  # EF06 answers 6982 (security status not satisfied)
    pull_after_apdus: int | None = None  # answer this many APDUs, then vanish mid-command


class SsCardApplet:
    """The card's APDU logic. Not thread-safe by itself: `VirtualCard` serialises access."""

    def __init__(self, card: CardData, behaviour: Behaviour | None = None) -> None:
        self.card = card
        self.behaviour = behaviour or Behaviour()
        self.log: list[tuple[int, int, int, int]] = []  # (INS, P1, P2, SW): no data, no personal bytes
        self._seen_6c: set[tuple[int, int]] = set()
        self.reset()

    def reset(self) -> None:
        """Power cycle or warm reset: the card forgets its selection and pending answer."""
        self._selected = False
        self._pending = b""

    def process(self, apdu: bytes) -> bytes:
        response = self._process(apdu)
        ins, p1, p2 = (apdu[1], apdu[2], apdu[3]) if len(apdu) >= 4 else (0, 0, 0)
        self.log.append((ins, p1, p2, int.from_bytes(response[-2:], "big")))
        return response

    @staticmethod
    def _sw(sw: int, data: bytes = b"") -> bytes:
        return data + sw.to_bytes(2, "big")

    def _process(self, apdu: bytes) -> bytes:
        if len(apdu) < 4:
            return self._sw(0x6700)
        cla, ins, p1, p2 = apdu[:4]
        if cla != 0x00:
            return self._sw(0x6E00)
        if ins != 0xC0:
            self._pending = b""  # any other command drops an unfetched answer, as cards do
        if ins == 0xA4:
            return self._select(apdu, p1)
        if ins == 0xB2:
            return self._read_record(apdu, p1, p2)
        if ins == 0xC0:
            return self._get_response(apdu)
        return self._sw(0x6D00)

    def _select(self, apdu: bytes, p1: int) -> bytes:
        if len(apdu) < 5 or len(apdu) < 5 + apdu[4]:
            return self._sw(0x6700)
        name = apdu[5:5 + apdu[4]]
        if p1 != 0x04 or name != SSSE_DDF_NAME:
            self._selected = False
            return self._sw(0x6A82)
        self._selected = True
        if self.behaviour.get_response:
            # FCI: 6F { 84 DF-name }, offered through GET RESPONSE as a T=0 card does.
            self._pending = bytes([0x6F, len(name) + 2, 0x84, len(name)]) + name
            return self._sw(0x6100 | len(self._pending))
        return self._sw(0x9000)

    def _read_record(self, apdu: bytes, p1: int, p2: int) -> bytes:
        if len(apdu) != 5:
            return self._sw(0x6700)  # READ RECORD is case 2: header + Le
        if not self._selected:
            return self._sw(0x6A82)
        if p2 & 0x07 != 0x04:
            return self._sw(0x6A86)
        if p2 == P2_EF05:
            records = self.card.ef05
        elif p2 == P2_EF06:
            if self.behaviour.protect_ef06 or self.card.protect_ef06:
                return self._sw(0x6982)
            records = self.card.ef06
        else:
            return self._sw(0x6A82)
        record = records.get(p1)
        if record is None:
            return self._sw(0x6A83)
        le = apdu[4] or 256
        b = self.behaviour
        if b.get_response:
            self._pending = record
            return self._sw(0x6100 | (len(record) & 0xFF))
        if b.answer_6c_first and (p2, p1) not in self._seen_6c:
            self._seen_6c.add((p2, p1))
            return self._sw(0x6C00 | (len(record) & 0xFF))
        if le != len(record) and (b.strict_le or le < len(record)):
            return self._sw(0x6C00 | (len(record) & 0xFF))
        return self._sw(0x9000, record)

    def _get_response(self, apdu: bytes) -> bytes:
        if not self._pending:
            return self._sw(0x6F00)
        if len(apdu) != 5:
            return self._sw(0x6700)
        le = apdu[4] or 256
        if le > len(self._pending):
            return self._sw(0x6C00 | (len(self._pending) & 0xFF))
        n = min(le, self.behaviour.get_response_chunk or le)
        out, self._pending = self._pending[:n], self._pending[n:]
        if self._pending:
            return self._sw(0x6100 | (len(self._pending) & 0xFF), out)
        return self._sw(0x9000, out)


class VirtualCard:
    """A card in vpcd's slot. Thread-safe: control calls may come from any thread."""

    def __init__(self, host: str = VPCD_HOST, port: int = VPCD_PORT, behaviour: Behaviour | None = None,
                 netns: Callable[[], str | None] | str | None = pcscd_netns) -> None:
        # netns: vpcd's network namespace (/proc/<pid>/ns/net), or a function giving it at each
        # attempt (default: that of the pcscd owning /run/pcscd, followed across restarts).
        self.host, self.port = host, port
        self.netns = netns
        self._netns_error = ""  # last setns failure, logged once
        self._lock = threading.RLock()
        self._behaviour = behaviour or Behaviour()
        self._applet: SsCardApplet | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._sock: socket.socket | None = None
        self._apdus = 0
        self.pulled = threading.Event()  # set when the card pulled itself mid-read
        self.connections = 0  # how many times vpcd accepted us (a pcscd restart adds one)

    # ---- control API --------------------------------------------------------------------

    @property
    def inserted(self) -> bool:
        with self._lock:
            return self._thread is not None and not self._stop.is_set()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    @property
    def apdu_log(self) -> list[tuple[int, int, int, int]]:
        with self._lock:
            return list(self._applet.log) if self._applet else []

    def set_behaviour(self, **changes: Any) -> Behaviour:
        """Change behaviour fields (see `Behaviour`); applies from the next APDU."""
        with self._lock:
            self._behaviour = dataclasses.replace(self._behaviour, **changes)
            if self._applet is not None:
                self._applet.behaviour = self._behaviour
            return self._behaviour

    def insert(self, card: CardData, wait_s: float = 5.0) -> bool:
        """Put `card` in the slot (pulling any card already there). Returns whether vpcd took
        the connection within `wait_s` (pcscd may be down: the card keeps trying)."""
        self.remove()
        with self._lock:
            self._applet = SsCardApplet(card, self._behaviour)
            self._apdus = 0
            self._stop = threading.Event()
            self.pulled.clear()
            self._thread = threading.Thread(target=self._run, args=(self._stop,), name="virtual-sscard", daemon=True)
            self._thread.start()
        return self._connected.wait(wait_s) if wait_s > 0 else self.connected

    def remove(self) -> None:
        """Pull the card: close the vpcd connection and stop trying."""
        with self._lock:
            self._stop.set()
            thread, self._thread = self._thread, None
            self._shutdown_socket()
        if thread is not None and thread is not threading.current_thread():
            thread.join(5.0)
        self._connected.clear()

    def wait_connected(self, timeout_s: float) -> bool:
        return self._connected.wait(timeout_s)

    close = remove

    # ---- vpcd connection ----------------------------------------------------------------

    def _shutdown_socket(self) -> None:
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _connect(self) -> socket.socket:
        """Enter vpcd's namespace (this thread only), then connect. Raises OSError."""
        path = self.netns() if callable(self.netns) else self.netns
        if path is None and self.netns is pcscd_netns:
            raise ConnectionRefusedError("no pcscd running")
        if path is not None:
            try:
                enter_netns(path)
            except OSError as e:
                if str(e) != self._netns_error:  # once per kind of failure, not every 50 ms
                    self._netns_error = str(e)
                    log.warning("virtual card: cannot enter pcscd's network namespace (%s)", e)
                raise
        return socket.create_connection((self.host, self.port), timeout=1.0)

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                sock = self._connect()
            except OSError:
                stop.wait(0.05)  # no vpcd (pcscd down): a card in a dead reader just waits
                continue
            with self._lock:
                if stop.is_set():
                    sock.close()
                    return
                self._sock = sock
                self.connections += 1
            self._connected.set()
            try:
                self._serve(sock, stop)
            except OSError as e:
                log.debug("virtual card: connection ended (%s)", type(e).__name__)
            finally:
                self._connected.clear()
                with self._lock:
                    self._sock = None
                sock.close()
            if self.pulled.is_set():
                stop.set()
                return
            stop.wait(0.05)

    @staticmethod
    def _recv_exact(sock: socket.socket, n: int, stop: threading.Event) -> bytes | None:
        buf = bytearray()
        while len(buf) < n:
            if stop.is_set():
                return None
            if _QUICKACK is not None:
                # vpcd writes the length and the APDU as two segments with Nagle on; our
                # delayed ACK would hold the second one back ~40 ms per APDU. Linux resets
                # QUICKACK after use, hence before every recv.
                sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
            try:
                chunk = sock.recv(n - len(buf))
            except socket.timeout:
                continue
            if not chunk:
                return None  # vpcd closed the connection (pcscd stopped)
            buf += chunk
        return bytes(buf)

    def _serve(self, sock: socket.socket, stop: threading.Event) -> None:
        sock.settimeout(0.2)  # wake up now and then to notice remove()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            head = self._recv_exact(sock, 2, stop)
            if head is None:
                return
            (length,) = struct.unpack(">H", head)
            payload = self._recv_exact(sock, length, stop) if length else b""
            if payload is None:
                return
            reply = self._handle(payload)
            if reply is None:
                continue
            if reply is _PULL:
                self.pulled.set()
                return
            sock.sendall(struct.pack(">H", len(reply)) + reply)

    def _handle(self, payload: bytes) -> bytes | None:
        with self._lock:
            applet = self._applet
            if applet is None:
                return None
            if len(payload) == 1:
                ctrl = payload[0]
                if ctrl == CTRL_ATR:
                    return applet.card.atr
                if ctrl in (CTRL_OFF, CTRL_ON, CTRL_RESET):
                    applet.reset()
                return None  # controls other than ATR get no answer
            limit = self._behaviour.pull_after_apdus
            if limit is not None and self._apdus >= limit:
                log.info("virtual card: pulled after %d APDUs", self._apdus)
                return _PULL
            self._apdus += 1
            return applet.process(payload)


_PULL = b"\x00pull"  # sentinel (identity-compared): vanish instead of answering
