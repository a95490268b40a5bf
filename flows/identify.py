"""Identify the citizen (ID card, social security card or a platform identity code) and verify the
face against the platform, for the flows that release personal records.

Personal data goes to `ctx.session` only (name, id_number, the face verification token); the
flow keeps none of it. The face JPEG is handed to one platform call and dropped when it returns:
not stored, not logged, not kept on the flow. Face verification is never the only way: every
failure says that staff at a counter can help.
"""
from __future__ import annotations

import logging
from typing import Any, Sequence

from flows.base import FACE, INPUT, PLATFORM
from flows.common import citizen, refresh_view
from flows.engine import FAILED, Option, View
from kiosk.platform.api import CitizenRef, PlatformRejected
from kiosk.i18n.translator import Msg, Plain
from kiosk.core.privacy import mask_id_number, mask_name

log = logging.getLogger(__name__)

SOURCES = ("idcard", "sscard", "qrcode")
DEVICE_OF = {"idcard": "idcard", "sscard": "sscard", "qrcode": "scanner"}
FACE_GUIDANCE = ("no_face", "multiple_faces", "too_dark", "move_closer", "move_back", "center", "too_blurry", "ok")
MAX_FACE_ATTEMPTS = 3
# Refusals that mean "that code is not (or no longer) an identity code": show it, ask again.
TOKEN_REFUSALS = ("unknown_token", "token_expired", "bad_request")


class IdentifyFace:
    """Mixin for a ServiceFlow. Set `accept` and write `after_identified()` (goes to the
    service's first step)."""

    accept: tuple[str, ...] = SOURCES
    retry_to = {"resolving": "identify", "verifying": "face"}
    ctx: Any
    face_attempts: int = 0

    def identify_plan(self) -> Sequence[tuple[str, str]]:
        return (("identify", INPUT), ("resolving", PLATFORM), ("face", FACE), ("verifying", PLATFORM),
                ("face_failed", INPUT))

    def after_identified(self) -> None:
        raise NotImplementedError

    # identify -------------------------------------------------------------------------------
    def accepted(self) -> tuple[str, ...]:
        """The sources whose device works now (all of them when the app does not say)."""
        ok = []
        for source in self.accept:
            status = self.ctx.device_status(DEVICE_OF[source])
            if status is None or status.usable:
                ok.append(source)
        return tuple(ok) or tuple(self.accept)

    def identify_view(self, notice: Msg | None = None, reason: str | None = None) -> View:
        accept = self.accepted()
        if accept == ("idcard",):
            title, body = Msg("identify.idcard.title"), Msg("identify.idcard.body")
        else:
            title, body = Msg("identify.any.title"), Msg("identify.any.body")
        return View("identify", title, body, data={"accept": accept, "notice": notice, "reason": reason})

    def enter_identify(self, notice: Msg | None = None, reason: str | None = None) -> View:
        self.ctx.session.put_personal(name=None, id_number=None, verification=None)
        return self.identify_view(notice, reason)

    def on_identify(self, event: str, data: dict[str, Any]) -> None:
        accept = self.accepted()
        if event == "card_read":
            identity = data.get("identity")
            if identity is None or identity.source not in accept or not identity.id_number:
                self._notice("not_accepted")
                return
            self.ctx.session.put_personal(name=identity.name, id_number=identity.id_number,
                                          id_source=identity.source)
            log.info("%s: identified by %s", self.id, identity.source)  # the source, never who
            self.goto("face")
        elif event == "card_error":
            self._notice("read_failed")
        elif event == "card_removed":
            # Taken away before a read finished (a read card is already past this step).
            self._notice("removed")
        elif event == "device_status":
            # A reader went away or came back: say at once what works now, keeping any notice
            # (the step's deadline keeps running: nobody touched anything).
            shown = self.runner.view.data if self.runner is not None and self.runner.view is not None else {}
            if tuple(shown.get("accept", ())) != accept:
                refresh_view(self, self.identify_view(shown.get("notice"), shown.get("reason")))
        elif event == "code_scanned":
            if "qrcode" not in accept:
                self._notice("not_accepted")
            elif not str(data.get("text", "")).strip():
                self._notice("bad_code")
            else:
                self.goto("resolving", token=str(data["text"]))

    def _notice(self, reason: str) -> None:
        refresh_view(self, self.identify_view(Msg(f"identify.notice.{reason}"), reason), touch=True)

    # resolving: a platform identity code -> who ------------------------------------------------
    def enter_resolving(self, token: str) -> View:
        # The token is a credential: it lives in this closure until the call returns, nowhere else.
        self.work(lambda: self.ctx.platform.identity_by_token(token))
        return View("waiting", Msg("identify.resolving.title"), Msg("common.please_wait"))

    def on_resolving(self, event: str, data: dict[str, Any]) -> None:
        if event == "done":
            ident = data["value"]
            self.ctx.session.put_personal(name=ident.name, id_number=ident.id_number, id_source="qrcode")
            log.info("%s: identified by qrcode", self.id)
            self.goto("face")
        elif event == "failed":
            error = data["error"]
            if isinstance(error, PlatformRejected) and error.code in TOKEN_REFUSALS:
                self.goto("identify", notice=Msg("identify.notice.unknown_token"), reason="unknown_token")
            else:
                self.platform_failed(error, "resolving")

    # face ------------------------------------------------------------------------------------
    def face_view(self, guidance: str | None = None) -> View:
        hint = Msg(f"face.guidance.{guidance}") if guidance in FACE_GUIDANCE else None
        return View("face", Msg("face.title"), Msg("face.body"), data={
            "guidance": guidance if guidance in FACE_GUIDANCE else None, "hint": hint,
            "attempt": self.face_attempts + 1, "max_attempts": MAX_FACE_ATTEMPTS,
            "staff": Msg("face.staff", hours=self.ctx.config.terminal.staffed_hours),
        })

    def enter_face(self) -> View:
        return self.face_view()

    def on_face(self, event: str, data: dict[str, Any]) -> None:
        if event == "face_check":
            # Guidance only: the step's deadline keeps running (the face must be found in time).
            refresh_view(self, self.face_view(str(data.get("check", ""))))
        elif event == "face_captured":
            jpeg = data.get("jpeg")
            if isinstance(jpeg, (bytes, bytearray)) and jpeg:
                self.goto("verifying", jpeg=jpeg)

    def timeout_face(self) -> None:
        self.face_attempts += 1
        self.goto("face_failed", reason="no_face")

    # verifying -------------------------------------------------------------------------------
    def enter_verifying(self, jpeg: bytes | bytearray) -> View:
        ref = citizen(self.ctx)
        holder = [jpeg]

        def verify() -> Any:
            try:
                return self.ctx.platform.verify_face(ref, holder[0])
            finally:
                photo = holder.pop()
                if isinstance(photo, bytearray):  # overwrite what Python lets us overwrite
                    photo[:] = b"\0" * len(photo)

        self.work(verify)
        return View("waiting", Msg("face.verifying.title"), Msg("common.please_wait"))

    def on_verifying(self, event: str, data: dict[str, Any]) -> None:
        if event == "done":
            verdict = data["value"]
            if verdict.match:
                self.ctx.session.put_personal(verification=verdict.verification)
                log.info("%s: face verified", self.id)
                self.after_identified()
            else:
                self.face_attempts += 1
                log.info("%s: face did not match (attempt %d)", self.id, self.face_attempts)
                self.goto("face_failed", reason="mismatch")
        elif event == "failed":
            self.platform_failed(data["error"], "verifying")

    # face_failed -----------------------------------------------------------------------------
    def enter_face_failed(self, reason: str) -> View:
        hours = self.ctx.config.terminal.staffed_hours
        options = [Option("home", Msg("action.back_to_start"))]
        if self.face_attempts < MAX_FACE_ATTEMPTS:
            options.insert(0, Option("retry", Msg("action.retry")))
        title = Msg("face.failed.no_face.title") if reason == "no_face" else Msg("face.failed.mismatch.title")
        body = Msg("face.failed.no_face.body", hours=hours) if reason == "no_face" \
            else Msg("face.failed.mismatch.body", hours=hours)
        return View("error", title, body, options=tuple(options), data={"reason": f"face:{reason}"})

    def on_face_failed(self, event: str, data: dict[str, Any]) -> None:
        if event != "choose":
            return
        if data.get("option") == "retry" and self.face_attempts < MAX_FACE_ATTEMPTS:
            self.goto("face")
        elif data.get("option") in ("home", "ok"):
            self.finish(FAILED)

    def personal_rows(self) -> tuple[tuple[Msg, Any], ...]:
        """Name and ID number, masked, for result views and receipts."""
        s = self.ctx.session
        return ((Msg("row.name"), Plain(mask_name(s.personal("name") or ""))),
                (Msg("row.id_number"), Plain(mask_id_number(s.personal("id_number") or ""))))

    def citizen_ref(self) -> CitizenRef:
        return citizen(self.ctx)
