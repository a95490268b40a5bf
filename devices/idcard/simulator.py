"""A protocol-true ID card reader on a pseudo-terminal: the real driver opens the pty slave like
a USB serial port and speaks GA/T 467 to it, so demo and tests run the production code path.

Control from any thread: present(card), remove(), set_fault(mode), unplug(), replug().
Faults:
  none    a well-behaved module
  noisy   garbage before answers and (now and then, never twice running) inside one; answers
          split into small chunks with small gaps, as USB bridges and long cables deliver them
  badchk  the first answer to each read command has a bad checksum; the resent read is good
  nocard  find always answers 80
  sam     every command answers 60 (SAM self-test failed: reader out of service)
A "late" card (appears only after N more find attempts): present(card, after_finds=N).

Like a real card, a card that was read stays halted (find answers 80) until it is removed and
presented again; halt_after_read=False gives the simpler "find succeeds while it lies there"
behaviour some modules show, which the driver must also debounce.
"""
from __future__ import annotations

import errno
import logging
import os
import random
import select
import threading
import time
import tty
from pathlib import Path
from typing import Any, Mapping

from devices.idcard import codec
from devices.idcard.codec import Command, FrameError, build_response
from devices.idcard.encode import read_answer_data

log = logging.getLogger(__name__)

FAULTS = ("none", "noisy", "badchk", "nocard", "sam")
_SELECT_S = 0.05  # how quickly the serving thread notices stop/unplug
_WRITE_GIVE_UP_S = 1.0  # nobody reading the port: drop the answer like a UART would
_PACE_CHUNK = 64


class IdCardSimulator:
    def __init__(self, card: Mapping[str, Any] | None = None, fault: str = "none", *,
                 pace_baud: int | None = None, link: str | os.PathLike[str] | None = None,
                 halt_after_read: bool = True, seed: int = 0) -> None:
        """pace_baud: sleep as long as the bytes take on a UART at that rate (None: as fast as
        the pty goes). link: keep a symlink at this path pointing at the current pty, so a
        replugged simulator reappears under the same name (like a udev rule)."""
        self.pace_baud = pace_baud
        self.link = Path(link) if link is not None else None
        self.halt_after_read = halt_after_read
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._fault = "none"
        self._card: dict[str, Any] | None = None
        self._answers: dict[tuple[int, int], bytes] = {}
        self._late = 0
        self._found = self._selected = self._halted = False
        self._badchk_armed = True
        self._noise_inside_last = False
        self._master = self._slave = -1
        self._slave_name = ""
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.finds = 0  # find commands answered (tests wait on it)
        self.reads = 0  # read answers sent with status 90
        self.set_fault(fault)
        if card is not None:
            self.present(card)

    # --- control API (any thread) ---

    @property
    def path(self) -> str:
        """What a driver should open: the link if one was asked for, else the pty slave."""
        return str(self.link) if self.link is not None else self._slave_name

    def present(self, card: Mapping[str, Any], after_finds: int = 0) -> None:
        answers = {codec.READ_TEXT_PHOTO: read_answer_data(card),
                   codec.READ_TEXT_PHOTO_FP: read_answer_data(card, fingerprint=True)}
        with self._lock:
            self._card, self._answers, self._late = dict(card), answers, max(0, after_finds)
            self._found = self._selected = self._halted = False

    def remove(self) -> None:
        with self._lock:
            self._card, self._answers = None, {}
            self._found = self._selected = self._halted = False

    def set_fault(self, mode: str) -> None:
        if mode not in FAULTS:
            raise ValueError(f"fault must be one of {', '.join(FAULTS)}")
        with self._lock:
            self._fault = mode
            self._badchk_armed = True

    @property
    def fault(self) -> str:
        return self._fault

    def start(self) -> str:
        """Open a pty and serve it; returns the path to open."""
        self._open_pty()
        return self.path

    def stop(self) -> None:
        self._close_pty()

    def unplug(self) -> None:
        """Pull the cable: the pty goes away (the host's reads/writes fail) and the link vanishes."""
        self._close_pty()

    def replug(self) -> str:
        self._open_pty()
        return self.path

    def __enter__(self) -> "IdCardSimulator":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- pty plumbing ---

    def _open_pty(self) -> None:
        if self._thread is not None:
            return
        master, slave = os.openpty()
        tty.setraw(slave)  # binary frames: no echo, no CR/LF translation before the host configures
        os.set_blocking(master, False)
        self._master, self._slave, self._slave_name = master, slave, os.ttyname(slave)
        if self.link is not None:
            tmp = self.link.with_name(self.link.name + ".tmp")
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(self._slave_name)
            os.replace(tmp, self.link)
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="idcard-sim", daemon=True)
        self._thread.start()

    def _close_pty(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        thread.join(2.0)
        if self.link is not None:
            self.link.unlink(missing_ok=True)
        for fd in (self._master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass
        self._master = self._slave = -1

    def _serve(self) -> None:
        decoder = codec.command_decoder()
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self._master], [], [], _SELECT_S)
                if not ready:
                    continue
                data = os.read(self._master, 4096)
            except BlockingIOError:
                continue
            except OSError as e:
                if e.errno == errno.EIO:  # no slave open right now; keep listening
                    time.sleep(_SELECT_S)
                    continue
                log.warning("simulator pty read failed: %s", e)
                return
            # One absolute schedule per burst (the command's own wire time, then each answer
            # chunk back to back), so sleep overshoot does not add up over a long answer.
            due = time.monotonic() + self._wire_s(len(data))
            for item in decoder.feed(data):
                for chunk, gap in self._shape(self._answer(item)):
                    due += gap + self._wire_s(len(chunk))
                    delay = due - time.monotonic()
                    if delay > 0 and (gap or self.pace_baud):
                        time.sleep(delay)
                    self._write(chunk)

    def _wire_s(self, n: int) -> float:
        return n * 10 / self.pace_baud if self.pace_baud else 0.0

    def _write(self, data: bytes) -> None:
        give_up = time.monotonic() + _WRITE_GIVE_UP_S
        view = memoryview(data)
        while view and not self._stop.is_set():
            try:
                view = view[os.write(self._master, view):]
            except BlockingIOError:
                if time.monotonic() > give_up:
                    return
                select.select([], [self._master], [], _SELECT_S)
            except OSError:
                return

    # --- the module ---

    def _answer(self, item: Command | FrameError) -> bytes:
        if isinstance(item, FrameError):
            sw = codec.SW_CHECKSUM if isinstance(item, codec.ChecksumError) else codec.SW_LENGTH
            return build_response(sw)
        with self._lock:
            if self._fault == "sam":
                return build_response(codec.SW_SAM_SELF_TEST)
            code = item.code
            if code in (codec.SAM_STATUS, codec.RESET_SAM):
                return build_response(codec.SW_OK)
            if code == codec.SAM_ID:
                return build_response(codec.SW_OK, bytes(range(0x05, 0x15)))
            if code == codec.FIND_CARD:
                self.finds += 1
                return build_response(codec.SW_FIND_OK, bytes(4)) if self._find() else build_response(codec.SW_FIND_FAILED)
            if code == codec.SELECT_CARD:
                self._selected = self._found
                return build_response(codec.SW_OK, bytes(8)) if self._selected else build_response(codec.SW_SELECT_FAILED)
            if code in (codec.READ_TEXT_PHOTO, codec.READ_TEXT_PHOTO_FP):
                return self._read(code)
            if code == codec.READ_NEW_ADDRESS:
                return build_response(codec.SW_NO_ITEM)
            return build_response(codec.SW_BAD_COMMAND)

    def _find(self) -> bool:
        if self._fault == "nocard" or self._card is None or self._halted:
            self._found = False
            return False
        if self._late:
            self._late -= 1
            return False
        self._found = True
        return True

    def _read(self, code: tuple[int, int]) -> bytes:
        if not self._selected:
            return build_response(codec.SW_READ_FAILED)
        frame = build_response(codec.SW_OK, self._answers[code])
        self._halted = self.halt_after_read
        if self._fault == "badchk":
            self._badchk_armed = not self._badchk_armed
            if not self._badchk_armed:  # just disarmed: this is the first answer, damage it
                return frame[:-1] + bytes((frame[-1] ^ 0x5A,))
        self.reads += 1
        return frame

    def _shape(self, frame: bytes) -> list[tuple[bytes, float]]:
        """How the answer travels: whole (well-behaved) or noisy, split and delayed."""
        with self._lock:
            noisy = self._fault == "noisy"
        if not noisy:
            if self.pace_baud and len(frame) > _PACE_CHUNK:  # arrive progressively, like a UART
                return [(frame[i:i + _PACE_CHUNK], 0.0) for i in range(0, len(frame), _PACE_CHUNK)]
            return [(frame, 0.0)]
        rng = self._rng
        wire = self._garbage_prefix(frame) + self._maybe_noise_inside(frame)
        chunks: list[tuple[bytes, float]] = []
        i = 0
        while i < len(wire):
            n = rng.randint(1, 48)
            chunks.append((wire[i:i + n], rng.choice((0.0, 0.0, 0.0005, 0.001))))
            i += n
        return chunks

    def _garbage_prefix(self, frame: bytes) -> bytes:
        # Biased towards preamble bytes so the host's resynchronisation is really exercised;
        # never a whole preamble, which would be a (false) frame rather than noise.
        for _ in range(20):
            junk = bytes(self._rng.choice((0xAA, 0x96, 0x69, 0x00, 0xFF, self._rng.randrange(256)))
                         for _ in range(self._rng.randint(0, 12)))
            if (junk + frame[:len(codec.PREAMBLE)]).find(codec.PREAMBLE) == len(junk):
                return junk
        return b""

    def _maybe_noise_inside(self, frame: bytes) -> bytes:
        # Never two damaged answers in a row: the driver's bounded retry must be able to win.
        if self._noise_inside_last or self._rng.random() >= 0.25:
            self._noise_inside_last = False
            return frame
        for _ in range(20):
            at = self._rng.randint(len(codec.PREAMBLE) + 2, len(frame) - 1)
            junk = bytes(self._rng.randrange(256) for _ in range(self._rng.randint(1, 6)))
            damaged = frame[:at] + junk + frame[at:]
            check = codec.response_decoder().feed(damaged)
            if not any(isinstance(x, codec.Response) for x in check):  # guaranteed to be caught
                self._noise_inside_last = True
                return damaged
        return frame
