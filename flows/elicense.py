"""E-licence print: identify, verify the face, choose one of the citizen's
e-licences, print it with its verification QR code, offer the evaluation.

A licence number that is the holder's ID number (the resident ID e-licence) is shown and printed
masked like any ID number; so is an address the platform marks as personal."""
from __future__ import annotations

from typing import Any, Sequence

from devices.printer.document import Divider, Document, Paragraph, QRCode, Title
from flows.base import INPUT, PLATFORM, RESULT, ServiceFlow
from flows.common import footer, receipt_rows
from flows.engine import Option, View
from flows.evaluate import Evaluate
from flows.identify import IdentifyFace
from flows.printing import Printing
from kiosk.core.privacy import mask_address, mask_id_number
from kiosk.platform.api import ELicence, LicenceDocument
from kiosk.i18n.translator import Msg, Plain, Text


class ELicencePrintFlow(IdentifyFace, Printing, Evaluate, ServiceFlow):
    id = "elicense_print"
    title = Msg("flow.elicense_print.title")
    needs = ("printer", "platform")  # any printer this document may go to (flows/common.can_serve)
    document_kind = "elicense"
    initial = "identify"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.licence_ids: tuple[str, ...] = ()
        self.licence_id: str | None = None

    def plan(self) -> Sequence[tuple[str, str]]:
        return (*self.identify_plan(), ("loading", PLATFORM), ("choose", INPUT), ("none", RESULT),
                ("loading_document", PLATFORM), *self.print_plan(), ("error", INPUT), *self.evaluate_plan())

    def after_identified(self) -> None:
        self.goto("loading")

    # the list --------------------------------------------------------------------------------
    def enter_loading(self) -> View:
        ref = self.citizen_ref()
        self.work(lambda: self.ctx.platform.elicenses(ref))
        return View("waiting", Msg("elic.loading.title"), Msg("common.please_wait"))

    def on_loading(self, event: str, data: dict[str, Any]) -> None:
        if event == "done":
            licences = list(data["value"])
            self.ctx.session.put_personal(elicenses=licences)
            self.licence_ids = tuple(x.id for x in licences)
            if licences:
                self.goto("choose")
            else:
                self.service_done = True
                self.goto("none")
        elif event == "failed":
            self.platform_failed(data["error"], "loading")

    def licences(self) -> list[ELicence]:
        return self.ctx.session.personal("elicenses") or []

    def shown_number(self, licence: ELicence) -> str:
        own = self.ctx.session.personal("id_number") or ""
        return mask_id_number(licence.number) if own and own in licence.number else licence.number

    def enter_choose(self) -> View:
        options = tuple(Option(x.id, x.title, Msg("elic.option.detail", number=Plain(self.shown_number(x)),
                                                  issuer=x.issuer))
                        for x in self.licences())
        return View("choice", Msg("elic.choose.title"), Msg("elic.choose.body"), options=options)

    def on_choose(self, event: str, data: dict[str, Any]) -> None:
        if event == "choose" and data.get("option") in self.licence_ids:
            self.licence_id = data["option"]
            self.goto("loading_document")

    def enter_none(self) -> View:
        return View("result", Msg("elic.none.title"), Msg("elic.none.body"), options=self.final_options(),
                    data={"rows": (), "qr": None})

    def on_none(self, event: str, data: dict[str, Any]) -> None:
        self.handle_final(event, data)

    # the document ----------------------------------------------------------------------------
    def enter_loading_document(self) -> View:
        ref, lid = self.citizen_ref(), self.licence_id
        assert lid is not None
        self.work(lambda: self.ctx.platform.elicense_document(ref, lid))
        return View("waiting", Msg("elic.loading_document.title"), Msg("common.please_wait"))

    def on_loading_document(self, event: str, data: dict[str, Any]) -> None:
        if event == "done":
            self.ctx.session.put_personal(elicense_document=data["value"])
            self.service_done = True
            self.start_printing()
        elif event == "failed":
            self.platform_failed(data["error"], "loading_document")

    def document(self) -> LicenceDocument:
        return self.ctx.session.personal("elicense_document")

    def rows(self) -> tuple[tuple[Text, Text], ...]:
        d = self.document()
        x = d.licence
        rows: list[tuple[Text, Text]] = [*self.personal_rows(), (Msg("elic.row.number"), Plain(self.shown_number(x))),
                                         (Msg("elic.row.issuer"), x.issuer),
                                         (Msg("elic.row.issued_on"), Plain(x.issued_on)),
                                         (Msg("elic.row.valid_until"),
                                          Plain(x.valid_until) if x.valid_until else Msg("elic.value.no_expiry"))]
        for f in d.fields:
            rows.append((f.label, Plain(mask_address(f.value) if f.mask else f.value)))
        rows.append((Msg("elic.row.document_number"), Plain(d.document_number)))
        return tuple(rows)

    def receipt(self) -> Document:
        ctx, d = self.ctx, self.document()
        title, title_zh = ctx.tr_pair(d.licence.title)
        note, note_zh = ctx.tr_pair(Msg("elic.receipt.note"))
        verify, verify_zh = ctx.tr_pair(Msg("receipt.verify_hint"))
        return Document(self.document_kind, ctx.lang, (
            Title(title, title_zh),
            *receipt_rows(ctx, self.rows()),
            Paragraph(note, note_zh),
            Divider(),
            QRCode(d.verify_url),
            Paragraph(verify, verify_zh),
            footer(ctx),
        ))

    def receipt_qr(self) -> str | None:
        return self.document().verify_url
