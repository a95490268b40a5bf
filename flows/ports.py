"""What flows need from the world, as interfaces. `kiosk/terminal/app.py` supplies the real things.

View kinds and their `View.data` keys (screens render them; every text is a Msg, Plain or a
platform LocalText, and nothing personal appears unmasked):

  instruction, waiting, error, done   no required keys. waiting: "progress" (bool, a bar instead
                                      of a spinner). error: "reason" (str, for logs/technicians).
  choice     options are the choices; tap -> "choose" {option}.
  result     "rows": tuple of (label Text, value Text) pairs, already masked;
             "qr": str | None (a URL to show as a QR code, e.g. a guide or a verification link);
             "print_error": str | None (why the last print failed; the QR is then the fallback).
  ticket     "number", "qr", "type_title", "counters", "waiting", "print_error" (queue_ticket).
  identify   "accept": tuple of sources the step takes, from ("idcard", "sscard", "qrcode"), only
             those whose device works; "notice": Text | None (what went wrong with the last card
             or code, in words); "reason": str | None (its code).
             Events: "card_read" {identity}, "card_removed" {source}, "card_error" {source, reason},
             "code_scanned" {symbology, text} (a platform identity code when "qrcode" is accepted).
  face       "guidance": str | None (the last face_check code: no_face, multiple_faces, too_dark,
             move_closer, move_back, center, too_blurry, ok); "hint": Text | None (that code in
             words); "attempt": int (1-based); "max_attempts": int; "staff": Text (where a person
             can help instead: face is never the only way).
             Events: "face_check" {check}, "face_captured" {jpeg} (bytes, memory only).
  scan       "accept": tuple of symbologies or "any"; "notice": Text | None; "reason": str | None.
             Options: e.g. "keypad" (type the number instead). Event: "code_scanned" {symbology, text}.
  keypad     "input": "digits" | "text" (free text: a keyboard for the citizen's language);
             "letters": str (letter keys to add to the digits, "" for none); "max_len": int;
             "pattern": str (a regex the entry must match, without any prefix); "prefix": str
             (fixed text shown before the entry, e.g. "SC"); "text": str (current entry, e.g. kept
             after a wrong entry); "optional": bool (a "skip" option is offered); "notice": Text |
             None; "reason": str | None. Event: "keypad" {text} (the citizen confirmed the entry).
             Tibetan and full-width digits are accepted (normalised with kiosk.i18n.translator.normalize_digits).
  search     "query": str (the current query); "max_len": int; "keyboard": "initials" (Latin
             letters for pinyin initials) | "any"; "count": int (how many options match);
             "notice": Text | None. Options: the matches (or, with an empty query, departments
             to browse). Event: "search" {query} (send it as the query changes), "choose" {option}.
  evaluation "stage": "level" | "reasons". level: options "5".."1" (very satisfied .. very
             dissatisfied), tap -> "choose" {option}. reasons: "multi": True, "selected": tuple of
             chosen option ids, "required": bool (at least one reason needed before submit);
             tap a reason -> "toggle" {option}; the "submit" option -> "choose" {option: "submit"}.
             Both: "subject": Text (what is being evaluated).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol

from devices.printer.document import Document
from devices.status import DeviceStatus
from flows.engine import Submit
from kiosk.platform.api import Platform
from kiosk.core.clock import Clock
from kiosk.core.config import Config
from kiosk.i18n.translator import Translator
from kiosk.core.journal import Journal
from kiosk.core.session import Session


@dataclass(frozen=True)
class Identity:
    """Who the citizen is, as read from a card or a platform identity code. Lives only in the
    session (see kiosk/core/session.py); flows show it masked (kiosk.core.privacy.mask_*)."""

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
    # One PrintQueue per printer (devices/printer/jobs.py); flows/common.print_journaled makes
    # one when the app does not pass it.
    print_queue: Any = None
    # The A4 printer ([devices] a4printer; None: not fitted), same protocol as `printer`; which
    # documents go to it is flows/common.print_route's choice ([printing] in the config).
    a4printer: ReceiptPrinter | None = None

    @property
    def lang(self) -> str:
        return self.session.language

    def tr(self, t: Any) -> str:
        return self.translator.text(t, self.session.language)

    def tr_pair(self, t: Any) -> tuple[str, str | None]:
        return self.translator.pair(t, self.session.language)
