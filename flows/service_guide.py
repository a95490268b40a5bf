"""Service guide: browse by department or search (pinyin initials, or part of the
title in Chinese, Tibetan, Yi or English), read the guide (conditions, materials, time limit, fee,
counter), carry it away as a QR code, print it if wanted, offer the evaluation.

The guide list is loaded once; searching filters it here as the citizen types (the same matcher
as the platform's search endpoint, kiosk/platform/guides.py), so each key press answers at once
and a slow network does not make typing lag."""
from __future__ import annotations

from typing import Any, Sequence

from devices.printer.document import Divider, Document, Paragraph, QRCode, Title
from flows.base import INPUT, PLATFORM, RESULT, ServiceFlow
from flows.common import footer, receipt_rows, refresh_view
from flows.engine import Option, View
from flows.evaluate import Evaluate
from flows.printing import Printing
from kiosk.platform import guides as guide_search
from kiosk.platform.api import Guide, GuideSummary
from kiosk.i18n.translator import Msg, Text

MAX_QUERY = 20


class ServiceGuideFlow(Printing, Evaluate, ServiceFlow):
    id = "service_guide"
    title = Msg("flow.service_guide.title")
    needs = ("platform",)
    initial = "loading"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.guides: list[GuideSummary] = []
        self.query = ""
        self.department: str | None = None
        self.guide_id: str | None = None
        self.guide: Guide | None = None

    def plan(self) -> Sequence[tuple[str, str]]:
        return (("loading", PLATFORM), ("browse", INPUT), ("department", INPUT), ("loading_guide", PLATFORM),
                ("guide", RESULT), *self.print_plan(), ("error", INPUT), *self.evaluate_plan())

    # loading ---------------------------------------------------------------------------------
    def enter_loading(self) -> View:
        self.work(self.ctx.platform.guides)
        return View("waiting", Msg("guide.loading.title"), Msg("common.please_wait"))

    def on_loading(self, event: str, data: dict[str, Any]) -> None:
        if event == "done":
            self.guides = list(data["value"])
            self.goto("browse")
        elif event == "failed":
            self.platform_failed(data["error"], "loading")

    # browse and search -----------------------------------------------------------------------
    def matches(self) -> list[GuideSummary]:
        return guide_search.search(self.query, self.guides, lambda g: g.title.values, lambda g: g.initials)

    def departments(self) -> list[GuideSummary]:
        """One guide per department, in catalog order: the department's tile."""
        seen: dict[str, GuideSummary] = {}
        for g in self.guides:
            seen.setdefault(g.department, g)
        return list(seen.values())

    def browse_view(self) -> View:
        notice = None
        if self.query:
            found = self.matches()
            options = tuple(Option(f"guide:{g.id}", g.title, g.department_title) for g in found)
            if not found:
                notice = Msg("guide.browse.none")
        else:
            options = tuple(Option(f"dept:{g.department}", g.department_title) for g in self.departments())
        return View("search", Msg("guide.browse.title"), Msg("guide.browse.body"), options=options,
                    data={"query": self.query, "max_len": MAX_QUERY, "keyboard": "initials",
                          "count": len(options) if self.query else 0, "notice": notice})

    def enter_browse(self) -> View:
        return self.browse_view()

    def on_browse(self, event: str, data: dict[str, Any]) -> None:
        if event == "search":
            self.query = str(data.get("query", ""))[:MAX_QUERY]
            refresh_view(self, self.browse_view(), touch=True)
        elif event == "choose":
            self._open(str(data.get("option", "")))

    def _open(self, option: str) -> None:
        kind, _, ident = option.partition(":")
        if kind == "dept" and any(g.department == ident for g in self.guides):
            self.department = ident
            self.goto("department")
        elif kind == "guide" and any(g.id == ident for g in self.guides):
            self.guide_id = ident
            self.goto("loading_guide")
        elif option == "back":
            self.goto("browse")

    # a department ----------------------------------------------------------------------------
    def enter_department(self) -> View:
        inside = [g for g in self.guides if g.department == self.department]
        title = inside[0].department_title if inside else Msg("guide.browse.title")
        options = (*(Option(f"guide:{g.id}", g.title) for g in inside), Option("back", Msg("action.back")))
        return View("choice", title, Msg("guide.department.body"), options=options)

    def on_department(self, event: str, data: dict[str, Any]) -> None:
        if event == "choose":
            self._open(str(data.get("option", "")))

    # the guide -------------------------------------------------------------------------------
    def enter_loading_guide(self) -> View:
        gid = self.guide_id
        assert gid is not None
        self.work(lambda: self.ctx.platform.guide(gid))
        return View("waiting", Msg("guide.loading_guide.title"), Msg("common.please_wait"))

    def on_loading_guide(self, event: str, data: dict[str, Any]) -> None:
        if event == "done":
            self.guide = data["value"]
            self.service_done = True
            self.goto("guide")
        elif event == "failed":
            self.platform_failed(data["error"], "loading_guide")

    def rows(self) -> tuple[tuple[Text, Text], ...]:
        g = self.guide
        assert g is not None
        rows: list[tuple[Text, Text]] = [(Msg("guide.row.department"), g.department_title)]
        rows += [(Msg("guide.row.condition"), c) for c in g.conditions]
        rows += [(Msg("guide.row.material"), m) for m in g.materials]
        rows += [(Msg("guide.row.time_limit"), g.time_limit), (Msg("guide.row.fee"), g.fee),
                 (Msg("guide.row.counter"), g.counter)]
        return tuple(rows)

    def enter_guide(self) -> View:
        g = self.guide
        assert g is not None
        return View("result", g.title, Msg("guide.qr.caption"),
                    options=self.final_options(Option("print", Msg("action.print")), Option("back", Msg("action.back"))),
                    data={"rows": self.rows(), "qr": g.url})

    def on_guide(self, event: str, data: dict[str, Any]) -> None:
        option = data.get("option")
        if event == "choose" and option == "print":
            self.goto("printing")
        elif event == "choose" and option == "back":
            self.goto("department" if self.department and not self.query else "browse")
        else:
            self.handle_final(event, data)

    def receipt(self) -> Document:
        ctx, g = self.ctx, self.guide
        assert g is not None
        title, title_zh = ctx.tr_pair(g.title)
        caption, caption_zh = ctx.tr_pair(Msg("guide.qr.caption"))
        return Document("service_guide", ctx.lang, (
            Title(title, title_zh),
            *receipt_rows(ctx, self.rows()),
            Divider(),
            QRCode(g.url),
            Paragraph(caption, caption_zh),
            footer(ctx),
        ))

    def receipt_qr(self) -> str | None:
        return self.guide.url if self.guide else None
