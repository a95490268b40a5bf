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


@dataclass(frozen=True)
class Identity:
    """Who the citizen is, as read from a card or a platform identity code. Lives only in the
    session (see kiosk/session.py); flows show it masked (kiosk.session.mask_*)."""

    source: str  # "idcard" | "sscard" | "qrcode"
    name: str
    id_number: str  # resident ID / permit number / social security number
    card_type: str = ""
    extra: tuple[tuple[str, str], ...] = ()


# Events the app delivers to the running flow (runner.send(event, **data)) while the current
# view asks for them (View.kind):
#   kind "identify": "card_read" {identity: Identity}, "card_removed" {source}, "card_error" {source, reason}
#   kind "scan":     "code_scanned" {symbology: str, text: str}
#   kind "face":     "face_check" {check: str}  (guidance: no_face, move_closer, ... ok),
#                    "face_captured" {jpeg: bytes}  (in memory only; never stored)
#   any kind:        "device_status" {name: str, state: str, reason: str}
# View.data["accept"] on an identify view lists the sources it accepts, e.g. ("idcard", "sscard").
DEVICE_EVENTS = ("card_read", "card_removed", "card_error", "code_scanned", "face_check", "face_captured",
                 "device_status")


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
