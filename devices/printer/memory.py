"""An in-process printer: keeps documents in memory. The stand-in until the ESC/POS driver
lands, and a test double with settable faults that behaves like a printer (status first)."""
from __future__ import annotations

import threading

from devices.printer.document import Document
from devices.status import FAULT, OK, DEGRADED, DeviceStatus


class PrintError(Exception):
    """The job did not (entirely) print; `reason` is a stable code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


class MemoryPrinter:
    def __init__(self) -> None:
        self.printed: list[Document] = []
        self.state = "ok"  # ok | near_end | paper_out | cover_open | offline
        self._lock = threading.Lock()

    def status(self) -> DeviceStatus:
        if self.state == "ok":
            return DeviceStatus(OK)
        if self.state == "near_end":
            return DeviceStatus(DEGRADED, "paper_near_end", "paper is running low")
        return DeviceStatus(FAULT, self.state, f"printer reports {self.state}")

    def print_document(self, doc: Document) -> None:
        status = self.status()
        if not status.usable:
            raise PrintError(status.reason, status.detail)
        with self._lock:
            self.printed.append(doc)

    def close(self) -> None:
        pass
