"""What flows need from the world, as interfaces. `kiosk/app.py` supplies the real things."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol

from devices.printer.document import Document
from devices.status import DeviceStatus
from flows.engine import Submit
from kiosk.backend.api import Platform
from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.i18n import Translator
from kiosk.journal import Journal
from kiosk.session import Session


class ReceiptPrinter(Protocol):
    def status(self) -> DeviceStatus: ...

    def print_document(self, doc: Document) -> None:
        """Blocking; raises an exception with a `reason` attribute when the job did not print."""
        ...


@dataclass
class FlowContext:
    config: Config
    platform: Platform
    printer: ReceiptPrinter
    journal: Journal
    session: Session
    clock: Clock
    translator: Translator
    submit: Submit
    device_status: Callable[[str], DeviceStatus | None] = lambda name: None

    @property
    def lang(self) -> str:
        return self.session.language

    def tr(self, t: Any) -> str:
        return self.translator.text(t, self.session.language)

    def tr_pair(self, t: Any) -> tuple[str, str | None]:
        return self.translator.pair(t, self.session.language)
