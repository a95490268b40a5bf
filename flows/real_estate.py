"""Real estate registration query: identify, verify the face, list the
properties registered to the citizen (locations masked where the platform says so), print a
query certificate with its verification QR code, offer the evaluation.

"Nothing registered" is an answer too, and printable: such a certificate is what a citizen
often needs (proof of owning no home)."""
from __future__ import annotations

from typing import Any, Sequence

from devices.printer.document import Divider, Document, Paragraph, QRCode, Title
from flows.base import PLATFORM, RESULT, ServiceFlow
from flows.common import A4, RECEIPT, can_print, footer, receipt_rows, refresh_view
from flows.engine import Option, View
from flows.evaluate import Evaluate
from flows.identify import IdentifyFace
from flows.printing import Printing
from kiosk.core.privacy import mask_address
from kiosk.platform.api import Property, RealEstateRecord
from kiosk.i18n.translator import Msg, Plain, Text


def property_rows(n: int, p: Property) -> list[tuple[Text, Text]]:
    location = mask_address(p.location) if p.mask_location else p.location
    return [(Msg("re.row.location", n=Plain(str(n))), Plain(location)),
            (Msg("re.row.certificate"), Plain(p.certificate_number)),
            (Msg("re.row.area"), Msg("re.value.area", area=Plain(f"{p.area_m2:g}"))),
            (Msg("re.row.use"), p.use),
            (Msg("re.row.share"), p.share),
            (Msg("re.row.registered_on"), Plain(p.registered_on))]


class RealEstateQueryFlow(IdentifyFace, Printing, Evaluate, ServiceFlow):
    id = "real_estate_query"
    title = Msg("flow.real_estate_query.title")
    needs = ("platform",)  # paper out: the result on screen with its QR code (issue 15 #5)
    document_kind = "real_estate_query"
    initial = "identify"

    def plan(self) -> Sequence[tuple[str, str]]:
        return (*self.identify_plan(), ("loading", PLATFORM), ("properties", RESULT), *self.print_plan(),
                ("error", "input"), *self.evaluate_plan())

    def after_identified(self) -> None:
        self.goto("loading")

    def enter_loading(self) -> View:
        ref = self.citizen_ref()
        self.work(lambda: self.ctx.platform.real_estate_properties(ref))
        return View("waiting", Msg("re.loading.title"), Msg("common.please_wait"))

    def on_loading(self, event: str, data: dict[str, Any]) -> None:
        if event == "done":
            self.ctx.session.put_personal(real_estate=data["value"])
            self.service_done = True  # the query is answered, whatever the citizen does next
            self.goto("properties")
        elif event == "failed":
            self.platform_failed(data["error"], "loading")

    def record(self) -> RealEstateRecord:
        return self.ctx.session.personal("real_estate")

    def rows(self) -> tuple[tuple[Text, Text], ...]:
        rows: list[tuple[Text, Text]] = [*self.personal_rows()]
        for n, p in enumerate(self.record().properties, 1):
            rows += property_rows(n, p)
        return tuple(rows)

    def enter_properties(self) -> View:
        count = len(self.record().properties)
        body = Msg("re.list.body", count=count) if count else Msg("re.list.none")
        if can_print(self.ctx, self.document_kind):
            return View("result", Msg("re.list.title"), body,
                        options=self.final_options(Option("print", Msg("action.print"))),
                        data={"rows": self.rows(), "qr": None, "count": count})
        # Paper out (issue 15 #5): the result stays on screen with its verification QR code to
        # carry on a phone; printing comes back with the printer (device_status below).
        return View("result", Msg("re.list.title"), Msg("re.list.no_printer", result=body),
                    options=self.final_options(), data={"rows": self.rows(), "qr": self.record().verify_url,
                                                        "count": count})

    def on_properties(self, event: str, data: dict[str, Any]) -> None:
        if event == "choose" and data.get("option") == "print":
            if can_print(self.ctx, self.document_kind):
                self.start_printing()
        elif event == "device_status" and data.get("name") in (RECEIPT, A4):
            refresh_view(self, self.enter_properties())
        else:
            self.handle_final(event, data)

    def receipt(self) -> Document:
        ctx, record = self.ctx, self.record()
        title, title_zh = ctx.tr_pair(Msg("re.receipt.title"))
        verify, verify_zh = ctx.tr_pair(Msg("receipt.verify_hint"))
        blocks: list[Any] = [Title(title, title_zh), *receipt_rows(ctx, self.personal_rows()),
                             *receipt_rows(ctx, ((Msg("re.row.query_number"), Plain(record.number)),)), Divider()]
        if record.properties:
            for n, p in enumerate(record.properties, 1):
                blocks += receipt_rows(ctx, property_rows(n, p))
                blocks.append(Divider())
        else:
            none, none_zh = ctx.tr_pair(Msg("re.receipt.none"))
            blocks += [Paragraph(none, none_zh), Divider()]
        blocks += [QRCode(record.verify_url), Paragraph(verify, verify_zh), footer(ctx)]
        return Document(self.document_kind, ctx.lang, tuple(blocks))

    def receipt_qr(self) -> str | None:
        return self.record().verify_url
