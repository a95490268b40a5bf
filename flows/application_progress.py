"""Application progress: scan the QR code on the acceptance receipt, or type the
application number on the big digit keypad (the hall's prefix SC shown fixed) or, for a number with
other letters, on the on-screen keyboard (digits + Latin, screens/keyboard.py); see where the
application is (a timeline); offer the evaluation.

A code that is not a receipt code, a number in the wrong form and a number the platform does
not know each get their own plain sentence, on the same screen, so the citizen can try again.
Typed digits may be Tibetan or full-width: they are normalised first."""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from flows.base import INPUT, PLATFORM, RESULT, ServiceFlow
from flows.common import refresh_view
from flows.engine import Option, View
from flows.evaluate import Evaluate
from kiosk.i18n.translator import Msg, Plain, Text, normalize_digits
from kiosk.platform.api import ApplicationStatus, PlatformRejected

PREFIX = "SC"  # every application number of this hall's platform starts so; the keypad shows it fixed
DIGITS = 13
_NUMBER_IN_CODE = re.compile(r"(?<![A-Z0-9])([A-Z]{2}[0-9]{13})(?![0-9])")
_TYPED = re.compile(rf"^([A-Z]{{2}})?([0-9]{{{DIGITS}}})$")  # two letters (SC when none) and 13 digits


def number_from_code(text: str) -> str | None:
    """The application number inside a scanned receipt code (a URL or a bare number)."""
    m = _NUMBER_IN_CODE.search(normalize_digits(text).upper())
    return m.group(1) if m else None


def number_from_typed(text: str) -> str | None:
    """A typed number: 13 digits (the keypad shows SC before them) or two letters and 13 digits
    (the keyboard); spaces and dashes between groups, Tibetan or full-width digits allowed."""
    m = _TYPED.match("".join(normalize_digits(text).upper().replace("-", " ").split()))
    return (m.group(1) or PREFIX) + m.group(2) if m else None


def when(iso: str) -> str:
    """2026-11-22T10:15:00+08:00 -> 2026-11-22 10:15: the platform's local time, as printed on receipts."""
    return iso[:16].replace("T", " ")


class ApplicationProgressFlow(Evaluate, ServiceFlow):
    id = "application_progress"
    title = Msg("flow.application_progress.title")
    needs = ("platform",)
    initial = "scan"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.number: str | None = None
        self.entry = "scan"  # where the number came from: a refusal goes back there

    def plan(self) -> Sequence[tuple[str, str]]:
        return (("scan", INPUT), ("keypad", INPUT), ("keyboard", INPUT), ("loading", PLATFORM), ("status", RESULT), ("error", INPUT),
                *self.evaluate_plan())

    def scanner_ok(self) -> bool:
        status = self.ctx.device_status("scanner")
        return status is None or status.usable

    # scan ------------------------------------------------------------------------------------
    def scan_view(self, notice: Msg | None = None, reason: str | None = None) -> View:
        return View("scan", Msg("progress.scan.title"), Msg("progress.scan.body"),
                    options=(Option("keypad", Msg("action.type_number")),),
                    data={"accept": "any", "notice": notice, "reason": reason})

    def enter_scan(self, notice: Msg | None = None, reason: str | None = None) -> View:
        self.entry = "scan"
        if not self.scanner_ok():
            self.goto("keypad", notice=notice, reason=reason)
        return self.scan_view(notice, reason)

    def on_scan(self, event: str, data: dict[str, Any]) -> None:
        if event == "code_scanned":
            number = number_from_code(str(data.get("text", "")))
            if number is None:
                refresh_view(self, self.scan_view(Msg("progress.notice.not_receipt"), "not_receipt"), touch=True)
            else:
                self.number = number
                self.goto("loading")
        elif event == "choose" and data.get("option") == "keypad":
            self.goto("keypad")

    # keypad ----------------------------------------------------------------------------------
    def keypad_view(self, notice: Msg | None = None, reason: str | None = None, text: str = "") -> View:
        options = (Option("letters", Msg("progress.action.letters")),
                   *((Option("scan", Msg("action.scan_instead")),) if self.scanner_ok() else ()))
        return View("keypad", Msg("progress.keypad.title"), Msg("progress.keypad.body"), options=options,
                    data={"input": "digits", "letters": "", "max_len": DIGITS, "pattern": f"^[0-9]{{{DIGITS}}}$",
                          "prefix": PREFIX,
                          "text": text, "optional": False, "notice": notice, "reason": reason})

    def enter_keypad(self, notice: Msg | None = None, reason: str | None = None, text: str = "") -> View:
        self.entry = "keypad"
        return self.keypad_view(notice, reason, text)

    def on_keypad(self, event: str, data: dict[str, Any]) -> None:
        if event == "keypad":
            self._typed(str(data.get("text", ""))[:32], self.keypad_view)
        elif event == "choose" and data.get("option") in ("scan", "letters"):
            self.goto("scan" if data["option"] == "scan" else "keyboard")

    def _typed(self, typed: str, again: Any) -> None:
        number = number_from_typed(typed)
        if number is None:
            refresh_view(self, again(Msg("progress.notice.bad_number", digits=DIGITS), "bad_number", typed), touch=True)
        else:
            self.number = number
            self.goto("loading")

    # keyboard: the same number with any letters, on the on-screen keyboard ------------------------
    def keyboard_view(self, notice: Msg | None = None, reason: str | None = None, text: str = "") -> View:
        options = (Option("digits", Msg("progress.action.digits")),
                   *((Option("scan", Msg("action.scan_instead")),) if self.scanner_ok() else ()))
        return View("text", Msg("progress.keypad.title"), Msg("progress.keyboard.body"), options=options,
                    data={"modes": ["latin", "digits"], "mode": "latin",  # Latin has a digit row too
                          "max_len": DIGITS + 4, "text": text, "event": "keypad",
                          "notice": notice, "reason": reason})

    def enter_keyboard(self, notice: Msg | None = None, reason: str | None = None, text: str = "") -> View:
        self.entry = "keyboard"
        return self.keyboard_view(notice, reason, text)

    def on_keyboard(self, event: str, data: dict[str, Any]) -> None:
        if event == "keypad":
            self._typed(str(data.get("text", ""))[:32], self.keyboard_view)
        elif event == "choose" and data.get("option") in ("scan", "digits"):
            self.goto("scan" if data["option"] == "scan" else "keypad")

    # loading ---------------------------------------------------------------------------------
    def enter_loading(self) -> View:
        number = self.number
        assert number is not None
        self.work(lambda: self.ctx.platform.application_status(number))
        return View("waiting", Msg("progress.loading.title"), Msg("common.please_wait"))

    def on_loading(self, event: str, data: dict[str, Any]) -> None:
        if event == "done":
            self.ctx.session.put_personal(application=data["value"])
            self.service_done = True
            self.goto("status")
        elif event == "failed":
            error = data["error"]
            if isinstance(error, PlatformRejected) and error.code in ("application_not_found", "bad_number"):
                notice = Msg("progress.notice.not_found", number=Plain(self.number or ""))
                self.goto(self.entry, notice=notice, reason="not_found")
            else:
                self.platform_failed(error, "loading")

    # status ----------------------------------------------------------------------------------
    def application(self) -> ApplicationStatus:
        return self.ctx.session.personal("application")

    def rows(self) -> tuple[tuple[Text, Text], ...]:
        a = self.application()
        rows: list[tuple[Text, Text]] = [(Msg("progress.row.number"), Plain(a.number)),
                                         (Msg("progress.row.service"), a.service),
                                         (Msg("progress.row.status"), a.status_title)]
        for entry in a.timeline:
            rows.append((entry.title, Msg("progress.timeline.entry", at=Plain(when(entry.at)), office=entry.office)))
        return tuple(rows)

    def enter_status(self) -> View:
        a = self.application()
        return View("result", Msg("progress.status.title"), Msg("progress.status.body", status=a.status_title),
                    options=self.final_options(Option("another", Msg("progress.another"))),
                    data={"rows": self.rows(), "qr": None, "status": a.status})

    def on_status(self, event: str, data: dict[str, Any]) -> None:
        if event == "choose" and data.get("option") == "another":
            self.number = None
            self.goto("scan")
        else:
            self.handle_final(event, data)
