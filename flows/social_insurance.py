"""Social insurance record certificate: identify, verify the face, choose the
certificate and its period, preview it (masked), print it with its verification QR code,
offer the evaluation.

The certificate is personal (employer, contribution history): it is kept in the session, not on
the flow, and the preview and the receipt show the holder's name and ID number masked."""
from __future__ import annotations

from typing import Any, Sequence

from devices.printer.document import Divider, Document, Paragraph, QRCode, Title
from flows.base import INPUT, PLATFORM, ServiceFlow
from flows.common import footer, receipt_rows
from flows.engine import Option, View
from flows.evaluate import Evaluate
from flows.identify import IdentifyFace
from flows.printing import Printing
from kiosk.platform.api import CertificateType, Period, SiCertificate
from kiosk.i18n.translator import Msg, Plain, Text


def period_label(period: Period) -> Msg:
    if period.kind == "year" and period.year is not None:
        return Msg("si.period.year", year=Plain(str(period.year)))
    return Msg("si.period.all") if period.kind == "all" else Msg("si.period.current")


class SocialInsuranceCertificateFlow(IdentifyFace, Printing, Evaluate, ServiceFlow):
    id = "social_insurance_certificate"
    title = Msg("flow.social_insurance_certificate.title")
    needs = ("printer", "platform")  # any printer this document may go to (flows/common.can_serve)
    document_kind = "si_certificate"
    initial = "identify"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.types: list[CertificateType] = []
        self.type_id: str | None = None
        self.period_id: str | None = None

    def plan(self) -> Sequence[tuple[str, str]]:
        return (*self.identify_plan(), ("loading_types", PLATFORM), ("choose_type", INPUT),
                ("choose_period", INPUT), ("loading_certificate", PLATFORM), ("preview", INPUT),
                *self.print_plan(), ("error", INPUT), *self.evaluate_plan())

    def after_identified(self) -> None:
        self.goto("loading_types")

    # types -----------------------------------------------------------------------------------
    def enter_loading_types(self) -> View:
        ref = self.citizen_ref()
        self.work(lambda: self.ctx.platform.si_certificate_types(ref))
        return View("waiting", Msg("si.loading.title"), Msg("common.please_wait"))

    def on_loading_types(self, event: str, data: dict[str, Any]) -> None:
        if event == "done":
            self.types = list(data["value"])
            self.goto("choose_type")
        elif event == "failed":
            self.platform_failed(data["error"], "loading_types")

    def enter_choose_type(self) -> View:
        options = tuple(Option(t.id, t.title, enabled=t.available and bool(t.periods), reason=t.reason)
                        for t in self.types)
        return View("choice", Msg("si.type.title"), Msg("si.type.body"), options=options)

    def on_choose_type(self, event: str, data: dict[str, Any]) -> None:
        chosen = next((t for t in self.types if t.id == data.get("option")), None)
        if event != "choose" or chosen is None or not chosen.available or not chosen.periods:
            return
        self.type_id = chosen.id
        if len(chosen.periods) == 1:  # nothing to choose: one tap less for the citizen
            self.period_id = chosen.periods[0].id
            self.goto("loading_certificate")
        else:
            self.goto("choose_period")

    def _type(self) -> CertificateType:
        return next(t for t in self.types if t.id == self.type_id)

    def enter_choose_period(self) -> View:
        options = tuple(Option(p.id, period_label(p)) for p in self._type().periods)
        return View("choice", Msg("si.period.title"), Msg("si.period.body"), options=options)

    def on_choose_period(self, event: str, data: dict[str, Any]) -> None:
        if event == "choose" and any(p.id == data.get("option") for p in self._type().periods):
            self.period_id = data["option"]
            self.goto("loading_certificate")

    # certificate -----------------------------------------------------------------------------
    def enter_loading_certificate(self) -> View:
        ref, type_id, period_id = self.citizen_ref(), self.type_id, self.period_id
        assert type_id is not None and period_id is not None
        self.work(lambda: self.ctx.platform.si_certificate(ref, type_id, period_id))
        return View("waiting", Msg("si.loading_certificate.title"), Msg("common.please_wait"))

    def on_loading_certificate(self, event: str, data: dict[str, Any]) -> None:
        if event == "done":
            self.ctx.session.put_personal(si_certificate=data["value"])
            self.goto("preview")
        elif event == "failed":
            self.platform_failed(data["error"], "loading_certificate")

    def certificate(self) -> SiCertificate:
        return self.ctx.session.personal("si_certificate")

    def rows(self) -> tuple[tuple[Text, Text], ...]:
        c = self.certificate()
        rows: list[tuple[Text, Text]] = [(Msg("si.row.type"), c.title), (Msg("si.row.period"), period_label(c.period)),
                                         *self.personal_rows(), (Msg("si.row.status"), c.status)]
        rows += [(Msg("si.row.scheme"), s) for s in c.schemes]
        rows += [(Msg("si.row.insured_since"), Plain(c.insured_since)),
                 (Msg("si.row.months_paid"), Msg("si.value.months", months=c.months_paid))]
        if c.employer:
            rows.append((Msg("si.row.employer"), Plain(c.employer)))
        for x in c.contributions:
            label = Msg("si.row.contribution", start=Plain(x.start), end=Plain(x.end))
            if x.base_cny is not None:
                rows.append((label, Msg("si.value.base", amount=x.base_cny)))
            elif x.amount_cny is not None:
                rows.append((label, Msg("si.value.amount", amount=x.amount_cny)))
        rows.append((Msg("si.row.number"), Plain(c.number)))
        return tuple(rows)

    def enter_preview(self) -> View:
        return View("result", Msg("si.preview.title"), Msg("si.preview.body"),
                    options=(Option("print", Msg("action.print")), Option("back", Msg("action.back"))),
                    data={"rows": self.rows(), "qr": None})

    def on_preview(self, event: str, data: dict[str, Any]) -> None:
        if event == "choose" and data.get("option") == "print":
            self.service_done = True  # the certificate is issued; printing is how it leaves
            self.start_printing()
        elif event == "choose" and data.get("option") == "back":
            self.goto("choose_type")

    # receipt ---------------------------------------------------------------------------------
    def receipt(self) -> Document:
        ctx, c = self.ctx, self.certificate()
        title, title_zh = ctx.tr_pair(c.title)
        verify, verify_zh = ctx.tr_pair(Msg("receipt.verify_hint"))
        return Document(self.document_kind, ctx.lang, (
            Title(title, title_zh),
            *receipt_rows(ctx, self.rows()[1:]),  # the title already says the type
            Divider(),
            QRCode(c.verify_url),
            Paragraph(verify, verify_zh),
            footer(ctx),
        ))

    def receipt_qr(self) -> str | None:
        return self.certificate().verify_url

