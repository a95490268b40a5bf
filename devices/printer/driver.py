"""The ESC/POS receipt printer driver: status first, raster in bounded fragments, cut, status
again. The same code drives a real printer and the emulator (devices/printer/emulator.py).

A job prints only when the printer says it can: no reply is "not responding" within the status
timeout, never "ok". After the cut the printer is asked again, for as long as the paper takes
to come out, so a roll that ran out in the middle of a receipt is reported as an interrupted job
(PrintError "interrupted:paper_out") and not as a printed one.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from PIL import Image, ImageDraw

from devices.printer import escpos
from devices.printer.document import Document
from devices.printer.layout import LayoutError, Paper
from devices.printer.memory import PrintError
from devices.printer.raster import render
from devices.printer.shaper import TextShaper
from devices.printer.status import QUERY, QUERY_ORDER, PrinterState, Reading, classify, describe_error, device_status
from devices.printer.transport import Transport, TransportError, from_url
from devices.status import DEGRADED, FAULT, DeviceStatus

log = logging.getLogger(__name__)

DOTS_PER_MM = 8.0  # 203 dpi


class EscPosPrinter:
    def __init__(self, url: str, width: int = 576, status_timeout_s: float = 5.0, *,
                 shaper: TextShaper | None = None,
                 write_timeout_s: float = 10.0,
                 feed_dots: int = 160,
                 full_cut: bool = True,
                 paper_speed_mm_s: float = 250.0,
                 settle_poll_s: float = 0.25,
                 transport: Transport | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.url = url
        self.paper = Paper(width=width)
        self.status_timeout_s = status_timeout_s
        self.shaper = shaper
        self.write_timeout_s = write_timeout_s
        self.feed_dots = feed_dots
        self.full_cut = full_cut
        self.paper_speed_mm_s = paper_speed_mm_s
        self.settle_poll_s = settle_poll_s
        self.transport = transport if transport is not None else from_url(url)
        self.monotonic, self.sleep = monotonic, sleep
        self._io = threading.Lock()  # one conversation with the printer at a time
        self._last = DeviceStatus(FAULT, "not_opened", "not asked yet", monotonic())
        self.last_paper_mm = 0.0  # paper fed by the last complete receipt (8 dots per mm)

    @property
    def width(self) -> int:
        return self.paper.width

    # -- lifecycle ----------------------------------------------------------------------------
    def open(self) -> None:
        with self._io:
            self._open()

    def _open(self) -> None:
        try:
            self.transport.open(self.status_timeout_s)
        except TransportError as e:
            raise PrintError("not_responding", str(e)) from e

    def close(self) -> None:
        with self._io:
            self.transport.close()

    # -- status ------------------------------------------------------------------------------
    def status(self) -> DeviceStatus:
        """Ask the printer (DLE EOT 1, 2, 4), at most `status_timeout_s`. While a job is being
        sent the printer is not interrupted: the last known status is returned."""
        if not self._io.acquire(timeout=0):
            return self._last
        try:
            return self._status()
        finally:
            self._io.release()

    def _status(self, reconnect: bool = True) -> DeviceStatus:
        deadline = self.monotonic() + self.status_timeout_s  # connecting included
        try:
            self.transport.open(self.status_timeout_s)
        except TransportError as e:
            return self._remember(device_status(Reading(PrinterState.NOT_RESPONDING, f"{e.reason}: {e}")))
        if not self.transport.readable:
            # A plain file or a one-way link: nothing can be asked, and nothing is claimed.
            return self._remember(DeviceStatus(DEGRADED, "status_unavailable", "write-only connection"))
        reading = self._query(deadline, reconnect)
        if reading.state is PrinterState.ERROR:
            reading = Reading(reading.state, self._error_detail(), reading.raw)
        return self._remember(device_status(reading))

    def _query(self, deadline: float, reconnect: bool = True) -> Reading:
        """One DLE EOT 1/2/4 exchange, over by `deadline`. With `reconnect`, a connection
        the printer closed while idle (many do after a minute or two) gets one fresh try, so a
        healthy printer does not blink "not responding". Never after a job: a new connection
        saying "ok" does not tell whether the receipt sent on the old one came out."""
        first: TransportError | None = None
        while True:
            was_open = self.transport.is_open
            try:
                self.transport.open(max(0.1, deadline - self.monotonic()))
                self.transport.discard_input()
                self.transport.write(QUERY, max(0.1, deadline - self.monotonic()))
                reply = self.transport.read(len(QUERY_ORDER), max(0.0, deadline - self.monotonic()))
                break
            except TransportError as e:
                self.transport.close()
                if reconnect and first is None and was_open and e.reason == "connection_lost":
                    first = e
                    continue
                why = f"{first.reason}: {first}; then {e.reason}: {e}" if first else f"{e.reason}: {e}"
                return Reading(PrinterState.NOT_RESPONDING, why)
        reading = classify(reply)
        if reading.state in (PrinterState.NOT_RESPONDING, PrinterState.UNKNOWN):
            # Start the next conversation from a clean connection: a late reply to this query
            # must not be read as the answer to the next one.
            self.transport.close()
        return reading

    def _error_detail(self) -> str:
        try:
            self.transport.write(escpos.status_query(3), min(1.0, self.status_timeout_s))
            reply = self.transport.read(1, min(1.0, self.status_timeout_s))
        except TransportError:
            return "error (cause unknown)"
        return describe_error(reply[0]) if reply else "error (cause not reported)"

    def _remember(self, status: DeviceStatus) -> DeviceStatus:
        if (status.state, status.reason) != (self._last.state, self._last.reason):
            status = DeviceStatus(status.state, status.reason, status.detail, self.monotonic())
            if status.reason:
                log.info("printer %s: %s", status.state, status.reason)
        else:
            status = DeviceStatus(status.state, status.reason, status.detail, self._last.since)
        self._last = status
        return status

    # -- printing ----------------------------------------------------------------------------
    def print_document(self, doc: Document) -> None:
        """Status first (refuse with PrintError(reason)), then the receipt, cut, and status again
        (PrintError("interrupted:<reason>") when the receipt did not come out whole)."""
        if self.shaper is None:
            raise TypeError("EscPosPrinter needs a shaper to lay out documents (kiosk.i18n.receipt_shaper)")
        with self._io:
            self._check_ready()
            try:
                image = render(doc, self.shaper, self.paper)
            except LayoutError as e:
                raise PrintError(f"layout:{e.reason}", str(e)) from e
            log.info("printing %s: %d rows", doc.kind, image.height)  # the kind only: no content
            self._send(image)

    def print_image(self, image: Image.Image) -> None:
        """A ready 1-bit raster as wide as the paper (self-test pages, tools)."""
        if image.mode != "1" or image.width != self.paper.width:
            raise ValueError(f"need a mode '1' image {self.paper.width} dots wide")
        with self._io:
            self._check_ready()
            self._send(image)

    def _check_ready(self) -> None:
        status = self._status()
        if not status.usable:
            raise PrintError(status.reason, status.detail)

    def _send(self, image: Image.Image) -> None:
        t = self.transport
        try:
            t.write(escpos.INIT, self.write_timeout_s)
            for fragment in escpos.raster_fragments(image):
                t.write(fragment, self.write_timeout_s)
            t.write(escpos.receipt_tail(self.feed_dots, self.full_cut), self.write_timeout_s)
        except TransportError as e:
            # A full buffer (write timeout) usually means the printer stopped. The old stream
            # broke off inside a command, so ask why on a fresh connection.
            self._abandon()
            after = self._status()
            reason = after.reason if not after.usable and after.reason != "not_responding" else e.reason
            raise PrintError(f"interrupted:{reason}", str(e)) from e
        final = self._settle(image.height + self.feed_dots)
        if not final.usable:
            self._abandon()
            raise PrintError(f"interrupted:{_interruption(final)}", final.detail)
        self.last_paper_mm = (image.height + self.feed_dots) / DOTS_PER_MM

    def _settle(self, rows: int) -> DeviceStatus:
        """Watch the status for as long as the paper takes to come out (real-time status is
        answered while the buffer still prints), and once more at the end."""
        paper_s = rows / DOTS_PER_MM / self.paper_speed_mm_s if self.paper_speed_mm_s > 0 else 0.0
        deadline = self.monotonic() + min(paper_s, 30.0)
        while True:
            status = self._status(reconnect=False)
            if not status.usable or status.reason == "status_unavailable" or self.monotonic() >= deadline:
                return status
            self.sleep(min(self.settle_poll_s, max(0.0, deadline - self.monotonic())))

    def _abandon(self) -> None:
        """After an interrupted job: ask the printer to drop what it still holds (so it does not
        finish the old receipt when paper is loaded and a reprint follows), then reconnect
        next time from scratch."""
        try:
            if self.transport.is_open:
                self.transport.write(escpos.CLEAR_BUFFERS, 1.0)
        except TransportError:
            pass
        self.transport.close()

    # -- self-test -----------------------------------------------------------------------------
    def self_test(self, print_page: bool = False) -> DeviceStatus:
        """The status (with the error cause when there is one); with `print_page`, also a ruler
        page that shows the configured width is the printer's width (its edge marks must both
        be on the paper) and that the cutter works."""
        status = self.status()
        if print_page and status.usable:
            self.print_image(ruler(self.paper.width))
            status = self.status()
        return status


def _interruption(status: DeviceStatus) -> str:
    """Why a job stopped: the printer's reason, or the connection's when it went away."""
    if status.reason == "not_responding" and status.detail.startswith("connection_lost"):
        return "connection_lost"
    return status.reason


def ruler(width: int, height: int = 120) -> Image.Image:
    """A frame with tick marks every 8 dots (1 mm): a missing edge means a wrong width."""
    img = Image.new("1", (width, height), 1)
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, width - 1, height - 1), outline=0, width=2)
    for x in range(0, width, 8):
        d.line((x, 0, x, 16 if x % 80 == 0 else 8), fill=0)
    d.line((0, height // 2, width - 1, height // 2), fill=0)
    return img
