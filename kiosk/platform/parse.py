"""Platform replies -> typed results. Pure functions, no I/O.

Every reply is hostile until parsed: a proxy error page, a half-deployed platform version or a
tampered network can put anything here, and a KeyError deep inside a flow would end a citizen's
session with a crash instead of "the service is not available". So each parser checks the type
of every field it reads and raises only PlatformBadReply, with a message naming the field
(`catalog.departments[2].items[0].needs[1]`) so a technician can tell the platform team exactly
what is wrong.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from kiosk.platform.api import (
    ApplicationStatus,
    CatalogItem,
    CertificateType,
    Contribution,
    Department,
    ELicence,
    FaceVerdict,
    Guide,
    GuideSummary,
    LicenceDocument,
    LicenceField,
    LocalText,
    Period,
    PlatformBadReply,
    PlatformIdentity,
    Property,
    QueueType,
    RealEstateRecord,
    SiCertificate,
    Ticket,
    TimelineEntry,
)

# What the kiosk can run; a catalog may name others (a newer platform), and the catalog screen
# shows those as counter-only, so the parser keeps them instead of rejecting the whole catalog.
KNOWN_FLOWS = frozenset(
    {
        "social_insurance_certificate",
        "real_estate_query",
        "application_progress",
        "service_guide",
        "queue_ticket",
        "elicense_print",
        "evaluation",
    }
)
KNOWN_DEVICES = frozenset({"printer", "idcard", "sscard", "scanner", "camera"})

MAX_ID_LEN = 128
MAX_WAITING = 100_000
# A QR code on a 58 mm receipt stays scannable up to a few hundred characters.
MAX_URL_LEN = 512

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TICKET_NUMBER = re.compile(r"^[A-Za-z0-9-]{1,16}$")
_ERROR_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def decode_json(body: bytes, where: str) -> Any:
    """Strict JSON: UTF-8 only, no NaN/Infinity (not JSON, and they break comparisons later)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlatformBadReply(f"{where}: body is not UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise PlatformBadReply(f"{where}: empty body, expected JSON")

    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        return json.loads(text, parse_constant=no_constants)
    except RecursionError:
        raise PlatformBadReply(f"{where}: JSON nested too deeply") from None
    except ValueError as exc:
        snippet = text[:40].replace("\n", " ")
        raise PlatformBadReply(f"{where}: not JSON ({exc.__class__.__name__}); starts with {snippet!r}") from None


def _obj(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise PlatformBadReply(f"{where}: expected an object, got {_kind(raw)}")
    return raw


def _list(raw: Any, where: str) -> list[Any]:
    if not isinstance(raw, list):
        raise PlatformBadReply(f"{where}: expected a list, got {_kind(raw)}")
    return raw


def _kind(raw: Any) -> str:
    if raw is None:
        return "null"
    if isinstance(raw, bool):
        return "boolean"
    if isinstance(raw, (int, float)):
        return "number"
    if isinstance(raw, str):
        return "string"
    if isinstance(raw, list):
        return "list"
    if isinstance(raw, dict):
        return "object"
    return type(raw).__name__


def _field(obj: dict[str, Any], name: str, where: str) -> Any:
    if name not in obj:
        raise PlatformBadReply(f"{where}.{name}: missing")
    return obj[name]


def _str(raw: Any, where: str, max_len: int = 1000) -> str:
    if not isinstance(raw, str):
        raise PlatformBadReply(f"{where}: expected a string, got {_kind(raw)}")
    if len(raw) > max_len:
        raise PlatformBadReply(f"{where}: longer than {max_len} characters")
    return raw


def _ident(raw: Any, where: str) -> str:
    # Ids end up in the journal, logs and dictionary keys: non-empty, bounded, no control chars.
    value = _str(raw, where, MAX_ID_LEN)
    if not value or _CONTROL.search(value):
        raise PlatformBadReply(f"{where}: expected a non-empty id without control characters")
    return value


def _count(raw: Any, where: str) -> int:
    # bool is an int in Python; `true` people waiting is a platform bug, not 1 person.
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise PlatformBadReply(f"{where}: expected an integer, got {_kind(raw)}")
    if not 0 <= raw <= MAX_WAITING:
        raise PlatformBadReply(f"{where}: {raw} is out of range 0..{MAX_WAITING}")
    return raw


def _text(raw: Any, where: str) -> LocalText:
    return LocalText.parse(raw, where)


def _unique(ids: list[str], where: str) -> None:
    seen: set[str] = set()
    for i, value in enumerate(ids):
        if value in seen:
            raise PlatformBadReply(f"{where}[{i}].id: duplicate id {value!r}")
        seen.add(value)


def parse_health(raw: Any) -> dict[str, Any]:
    obj = _obj(raw, "health")
    _ident(_field(obj, "status", "health"), "health.status")
    return dict(obj)


def parse_catalog_item(raw: Any, department: str, where: str) -> CatalogItem:
    obj = _obj(raw, where)
    flow = _field(obj, "flow", where)
    if flow is not None:
        flow = _ident(flow, f"{where}.flow")
    needs_raw = _list(obj.get("needs", []), f"{where}.needs")
    needs = tuple(_ident(n, f"{where}.needs[{i}]") for i, n in enumerate(needs_raw))
    return CatalogItem(
        id=_ident(_field(obj, "id", where), f"{where}.id"),
        title=_text(_field(obj, "title", where), f"{where}.title"),
        department=department,
        flow=flow,
        needs=needs,
    )


def parse_department(raw: Any, where: str) -> Department:
    obj = _obj(raw, where)
    dept_id = _ident(_field(obj, "id", where), f"{where}.id")
    items_raw = _list(obj.get("items", []), f"{where}.items")
    items = tuple(parse_catalog_item(item, dept_id, f"{where}.items[{i}]") for i, item in enumerate(items_raw))
    _unique([item.id for item in items], f"{where}.items")
    return Department(id=dept_id, title=_text(_field(obj, "title", where), f"{where}.title"), items=items)


def parse_catalog(raw: Any) -> list[Department]:
    obj = _obj(raw, "catalog")
    depts_raw = _list(_field(obj, "departments", "catalog"), "catalog.departments")
    depts = [parse_department(d, f"catalog.departments[{i}]") for i, d in enumerate(depts_raw)]
    _unique([d.id for d in depts], "catalog.departments")
    return depts


def parse_queue_type(raw: Any, where: str) -> QueueType:
    obj = _obj(raw, where)
    return QueueType(
        id=_ident(_field(obj, "id", where), f"{where}.id"),
        title=_text(_field(obj, "title", where), f"{where}.title"),
        counter_group=_str(_field(obj, "counter_group", where), f"{where}.counter_group", 64),
        waiting=_count(_field(obj, "waiting", where), f"{where}.waiting"),
    )


def parse_queue_types(raw: Any) -> list[QueueType]:
    obj = _obj(raw, "queue_types")
    types_raw = _list(_field(obj, "queue_types", "queue_types"), "queue_types.queue_types")
    types = [parse_queue_type(t, f"queue_types.queue_types[{i}]") for i, t in enumerate(types_raw)]
    _unique([t.id for t in types], "queue_types.queue_types")
    return types


def _timestamp(raw: Any, where: str) -> str:
    value = _str(raw, where, 64)
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise PlatformBadReply(f"{where}: {value[:40]!r} is not an ISO 8601 time") from None
    return value


def _url(raw: Any, where: str) -> str:
    # It goes into a QR code a citizen's phone will open: only plain http(s), nothing hidden.
    value = _str(raw, where, MAX_URL_LEN)
    if not value.startswith(("https://", "http://")) or _CONTROL.search(value) or " " in value:
        raise PlatformBadReply(f"{where}: expected an http(s) URL")
    return value


def parse_ticket(raw: Any, expected_type: str | None = None) -> Ticket:
    obj = _obj(raw, "ticket_reply")
    t = _obj(_field(obj, "ticket", "ticket_reply"), "ticket")
    number = _str(_field(t, "number", "ticket"), "ticket.number", 16)
    # Printed and spoken digit by digit in every language: ASCII letters, digits, dash only.
    if not _TICKET_NUMBER.match(number):
        raise PlatformBadReply("ticket.number: expected 1-16 ASCII letters, digits or '-'")
    type_id = _ident(_field(t, "type_id", "ticket"), "ticket.type_id")
    if expected_type is not None and type_id != expected_type:
        raise PlatformBadReply(f"ticket.type_id: asked for {expected_type!r}, got {type_id!r}")
    extra = t.get("extra", {})
    if not isinstance(extra, dict):
        raise PlatformBadReply(f"ticket.extra: expected an object, got {_kind(extra)}")
    return Ticket(
        number=number,
        type_id=type_id,
        title=_text(_field(t, "title", "ticket"), "ticket.title"),
        counter_group=_str(_field(t, "counter_group", "ticket"), "ticket.counter_group", 64),
        waiting=_count(_field(t, "waiting", "ticket"), "ticket.waiting"),
        issued_at=_timestamp(_field(t, "issued_at", "ticket"), "ticket.issued_at"),
        verify_url=_url(_field(t, "verify_url", "ticket"), "ticket.verify_url"),
        extra=dict(extra),
    )


def parse_submission(raw: Any, expected_kind: str | None = None) -> dict[str, Any]:
    """The stored record: `id`, `kind`, `received_at`, `duplicate` (this key was seen before)."""
    obj = _obj(raw, "submission_reply")
    s = _obj(_field(obj, "submission", "submission_reply"), "submission")
    _ident(_field(s, "id", "submission"), "submission.id")
    kind = _ident(_field(s, "kind", "submission"), "submission.kind")
    if expected_kind is not None and kind != expected_kind:
        raise PlatformBadReply(f"submission.kind: sent {expected_kind!r}, got {kind!r}")
    _timestamp(_field(s, "received_at", "submission"), "submission.received_at")
    duplicate = _field(s, "duplicate", "submission")
    if not isinstance(duplicate, bool):
        raise PlatformBadReply(f"submission.duplicate: expected a boolean, got {_kind(duplicate)}")
    return dict(s)


def parse_error_code(raw: Any, status: int) -> str:
    """The platform's refusal code from `{"error": {"code": ...}}`; never raises.

    A 4xx whose body is not in shape is still a refusal: the status is the truth, so a mangled
    body falls back to `http_<status>` instead of turning a refusal into a bad-reply fault.
    """
    fallback = f"http_{status}"
    if not isinstance(raw, dict):
        return fallback
    err = raw.get("error")
    if not isinstance(err, dict):
        return fallback
    code = err.get("code")
    if not isinstance(code, str) or not _ERROR_CODE.match(code):
        return fallback
    return code


# -- the 24-hour catalog services ------------------------------------------------------------------
# Same rules as above: every field checked, errors name the field. Personal values (names, ID
# numbers, addresses) never appear in an error message: those end up in logs. Messages name the
# field and what was wrong with its shape only.

MAX_LIST = 500
MAX_AREA_M2 = 1_000_000.0
MAX_CNY = 100_000_000
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_DOC_NUMBER = re.compile(r"^[A-Za-z0-9-]{1,40}$")
_APPLICATION_NUMBER = re.compile(r"^[A-Z]{2}[0-9]{13}$")
_INITIALS = re.compile(r"^[A-Z0-9]{0,64}$")
_PERIOD_KINDS = ("current", "all", "year")


def _bounded_list(raw: Any, where: str) -> list[Any]:
    items = _list(raw, where)
    if len(items) > MAX_LIST:
        raise PlatformBadReply(f"{where}: more than {MAX_LIST} items")
    return items


def _bool(raw: Any, where: str) -> bool:
    if not isinstance(raw, bool):
        raise PlatformBadReply(f"{where}: expected a boolean, got {_kind(raw)}")
    return raw


def _nonempty(raw: Any, where: str, max_len: int = 200) -> str:
    value = _str(raw, where, max_len)
    if not value.strip() or _CONTROL.search(value):
        raise PlatformBadReply(f"{where}: expected a non-empty text without control characters")
    return value


def _date(raw: Any, where: str) -> str:
    value = _str(raw, where, 10)
    try:
        datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise PlatformBadReply(f"{where}: expected a date YYYY-MM-DD") from None
    return value


def _month(raw: Any, where: str) -> str:
    value = _str(raw, where, 7)
    if not _MONTH.match(value):
        raise PlatformBadReply(f"{where}: expected a month YYYY-MM")
    return value


def _amount(raw: Any, where: str) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_CNY:
        raise PlatformBadReply(f"{where}: expected a whole number of yuan 0..{MAX_CNY} or null")
    return raw


def _doc_number(raw: Any, where: str) -> str:
    # Printed as text and as a barcode on receipts: ASCII letters, digits and '-' only.
    value = _str(raw, where, 40)
    if not _DOC_NUMBER.match(value):
        raise PlatformBadReply(f"{where}: expected 1-40 ASCII letters, digits or '-'")
    return value


def _texts(raw: Any, where: str) -> tuple[LocalText, ...]:
    return tuple(_text(t, f"{where}[{i}]") for i, t in enumerate(_bounded_list(raw, where)))


def parse_identity(raw: Any) -> PlatformIdentity:
    obj = _obj(raw, "identity_reply")
    ident = _obj(_field(obj, "identity", "identity_reply"), "identity")
    return PlatformIdentity(
        name=_nonempty(_field(ident, "name", "identity"), "identity.name", 64),
        id_number=_ident(_field(ident, "id_number", "identity"), "identity.id_number"),
    )


def parse_face_verdict(raw: Any) -> FaceVerdict:
    obj = _obj(raw, "face_reply")
    v = _obj(_field(obj, "verdict", "face_reply"), "verdict")
    match = _bool(_field(v, "match", "verdict"), "verdict.match")
    token = _str(_field(v, "verification", "verdict"), "verdict.verification", MAX_ID_LEN)
    if match and (not token or _CONTROL.search(token)):
        raise PlatformBadReply("verdict.verification: a match needs a verification token")
    return FaceVerdict(match=match, verification=token if match else "")


def parse_period(raw: Any, where: str) -> Period:
    obj = _obj(raw, where)
    kind = _ident(_field(obj, "kind", where), f"{where}.kind")
    if kind not in _PERIOD_KINDS:
        raise PlatformBadReply(f"{where}.kind: expected one of {', '.join(_PERIOD_KINDS)}")
    year = obj.get("year")
    if kind == "year":
        if isinstance(year, bool) or not isinstance(year, int) or not 1950 <= year <= 2200:
            raise PlatformBadReply(f"{where}.year: expected a year 1950..2200")
    elif year is not None:
        raise PlatformBadReply(f"{where}.year: only a 'year' period has a year")
    return Period(id=_ident(_field(obj, "id", where), f"{where}.id"), kind=kind, year=year)


def parse_certificate_type(raw: Any, where: str) -> CertificateType:
    obj = _obj(raw, where)
    periods_raw = _bounded_list(_field(obj, "periods", where), f"{where}.periods")
    periods = tuple(parse_period(p, f"{where}.periods[{i}]") for i, p in enumerate(periods_raw))
    _unique([p.id for p in periods], f"{where}.periods")
    available = _bool(obj.get("available", True), f"{where}.available")
    reason_raw = obj.get("reason")
    reason = None if reason_raw is None else _text(reason_raw, f"{where}.reason")
    if available and not periods:
        raise PlatformBadReply(f"{where}.periods: an available type needs at least one period")
    return CertificateType(id=_ident(_field(obj, "id", where), f"{where}.id"),
                           title=_text(_field(obj, "title", where), f"{where}.title"),
                           periods=periods, available=available, reason=reason)


def parse_certificate_types(raw: Any) -> list[CertificateType]:
    obj = _obj(raw, "certificate_types")
    items = _bounded_list(_field(obj, "certificate_types", "certificate_types"), "certificate_types.certificate_types")
    types = [parse_certificate_type(t, f"certificate_types.certificate_types[{i}]") for i, t in enumerate(items)]
    _unique([t.id for t in types], "certificate_types.certificate_types")
    return types


def parse_contribution(raw: Any, where: str) -> Contribution:
    obj = _obj(raw, where)
    employer = obj.get("employer")
    if employer is not None:
        employer = _nonempty(employer, f"{where}.employer")
    start, end = _month(_field(obj, "from", where), f"{where}.from"), _month(_field(obj, "to", where), f"{where}.to")
    if end < start:
        raise PlatformBadReply(f"{where}: 'to' is before 'from'")
    return Contribution(start=start, end=end, base_cny=_amount(obj.get("base_cny"), f"{where}.base_cny"),
                        amount_cny=_amount(obj.get("amount_cny"), f"{where}.amount_cny"), employer=employer)


def parse_si_certificate(raw: Any, expected_type: str | None = None) -> SiCertificate:
    obj = _obj(raw, "certificate_reply")
    c = _obj(_field(obj, "certificate", "certificate_reply"), "certificate")
    type_id = _ident(_field(c, "type_id", "certificate"), "certificate.type_id")
    if expected_type is not None and type_id != expected_type:
        raise PlatformBadReply(f"certificate.type_id: asked for {expected_type!r}, got {type_id!r}")
    employer = c.get("employer")
    if employer is not None:
        employer = _nonempty(employer, "certificate.employer")
    months = _count(_field(c, "months_paid", "certificate"), "certificate.months_paid")
    contributions = _bounded_list(_field(c, "contributions", "certificate"), "certificate.contributions")
    return SiCertificate(
        number=_doc_number(_field(c, "number", "certificate"), "certificate.number"),
        type_id=type_id,
        title=_text(_field(c, "title", "certificate"), "certificate.title"),
        period=parse_period(_field(c, "period", "certificate"), "certificate.period"),
        status=_text(_field(c, "status", "certificate"), "certificate.status"),
        schemes=_texts(_field(c, "schemes", "certificate"), "certificate.schemes"),
        insured_since=_month(_field(c, "insured_since", "certificate"), "certificate.insured_since"),
        months_paid=months,
        employer=employer,
        contributions=tuple(parse_contribution(x, f"certificate.contributions[{i}]") for i, x in enumerate(contributions)),
        issued_at=_timestamp(_field(c, "issued_at", "certificate"), "certificate.issued_at"),
        verify_url=_url(_field(c, "verify_url", "certificate"), "certificate.verify_url"),
    )


def parse_property(raw: Any, where: str) -> Property:
    obj = _obj(raw, where)
    area = _field(obj, "area_m2", where)
    if isinstance(area, bool) or not isinstance(area, (int, float)) or not 0 < area <= MAX_AREA_M2:
        raise PlatformBadReply(f"{where}.area_m2: expected a positive number of square metres")
    return Property(
        id=_ident(_field(obj, "id", where), f"{where}.id"),
        certificate_number=_nonempty(_field(obj, "certificate_number", where), f"{where}.certificate_number", 64),
        location=_nonempty(_field(obj, "location", where), f"{where}.location"),
        mask_location=_bool(_field(obj, "mask_location", where), f"{where}.mask_location"),
        area_m2=float(area),
        use=_text(_field(obj, "use", where), f"{where}.use"),
        share=_text(_field(obj, "share", where), f"{where}.share"),
        registered_on=_date(_field(obj, "registered_on", where), f"{where}.registered_on"),
    )


def parse_real_estate(raw: Any) -> RealEstateRecord:
    obj = _obj(raw, "real_estate_reply")
    q = _obj(_field(obj, "query", "real_estate_reply"), "query")
    items = _bounded_list(_field(q, "properties", "query"), "query.properties")
    props = tuple(parse_property(p, f"query.properties[{i}]") for i, p in enumerate(items))
    _unique([p.id for p in props], "query.properties")
    return RealEstateRecord(
        number=_doc_number(_field(q, "number", "query"), "query.number"),
        properties=props,
        queried_at=_timestamp(_field(q, "queried_at", "query"), "query.queried_at"),
        verify_url=_url(_field(q, "verify_url", "query"), "query.verify_url"),
    )


def parse_licence(raw: Any, where: str) -> ELicence:
    obj = _obj(raw, where)
    valid_until = _field(obj, "valid_until", where)
    return ELicence(
        id=_ident(_field(obj, "id", where), f"{where}.id"),
        type=_ident(_field(obj, "type", where), f"{where}.type"),
        title=_text(_field(obj, "title", where), f"{where}.title"),
        number=_nonempty(_field(obj, "number", where), f"{where}.number", 64),
        issuer=_text(_field(obj, "issuer", where), f"{where}.issuer"),
        issued_on=_date(_field(obj, "issued_on", where), f"{where}.issued_on"),
        valid_until=None if valid_until is None else _date(valid_until, f"{where}.valid_until"),
    )


def parse_licences(raw: Any) -> list[ELicence]:
    obj = _obj(raw, "licences_reply")
    items = _bounded_list(_field(obj, "licences", "licences_reply"), "licences")
    licences = [parse_licence(x, f"licences[{i}]") for i, x in enumerate(items)]
    _unique([x.id for x in licences], "licences")
    return licences


def parse_licence_document(raw: Any, expected_id: str | None = None) -> LicenceDocument:
    obj = _obj(raw, "document_reply")
    d = _obj(_field(obj, "document", "document_reply"), "document")
    licence = parse_licence(_field(d, "licence", "document"), "document.licence")
    if expected_id is not None and licence.id != expected_id:
        raise PlatformBadReply(f"document.licence.id: asked for {expected_id!r}, got {licence.id!r}")
    fields = []
    for i, f in enumerate(_bounded_list(_field(d, "fields", "document"), "document.fields")):
        where = f"document.fields[{i}]"
        fo = _obj(f, where)
        fields.append(LicenceField(label=_text(_field(fo, "label", where), f"{where}.label"),
                                   value=_nonempty(_field(fo, "value", where), f"{where}.value", 500),
                                   mask=_bool(fo.get("mask", False), f"{where}.mask")))
    return LicenceDocument(
        licence=licence,
        fields=tuple(fields),
        document_number=_doc_number(_field(d, "document_number", "document"), "document.document_number"),
        issued_at=_timestamp(_field(d, "issued_at", "document"), "document.issued_at"),
        verify_url=_url(_field(d, "verify_url", "document"), "document.verify_url"),
    )


def parse_application(raw: Any, expected_number: str | None = None) -> ApplicationStatus:
    obj = _obj(raw, "application_reply")
    a = _obj(_field(obj, "application", "application_reply"), "application")
    number = _str(_field(a, "number", "application"), "application.number", 15)
    if not _APPLICATION_NUMBER.match(number):
        raise PlatformBadReply("application.number: expected two capital letters and 13 digits")
    if expected_number is not None and number != expected_number:
        raise PlatformBadReply("application.number: not the number asked for")
    timeline = []
    for i, e in enumerate(_bounded_list(_field(a, "timeline", "application"), "application.timeline")):
        where = f"application.timeline[{i}]"
        eo = _obj(e, where)
        timeline.append(TimelineEntry(
            status=_ident(_field(eo, "status", where), f"{where}.status"),
            title=_text(_field(eo, "title", where), f"{where}.title"),
            at=_timestamp(_field(eo, "at", where), f"{where}.at"),
            office=_text(_field(eo, "office", where), f"{where}.office"),
        ))
    if not timeline:
        raise PlatformBadReply("application.timeline: expected at least one entry")
    return ApplicationStatus(
        number=number,
        service=_text(_field(a, "service", "application"), "application.service"),
        status=_ident(_field(a, "status", "application"), "application.status"),
        status_title=_text(_field(a, "status_title", "application"), "application.status_title"),
        timeline=tuple(timeline),
    )


def parse_guide_summary(raw: Any, where: str) -> GuideSummary:
    obj = _obj(raw, where)
    initials = _str(_field(obj, "initials", where), f"{where}.initials", 64)
    if not _INITIALS.match(initials):
        raise PlatformBadReply(f"{where}.initials: expected upper-case ASCII letters and digits")
    return GuideSummary(
        id=_ident(_field(obj, "id", where), f"{where}.id"),
        department=_ident(_field(obj, "department", where), f"{where}.department"),
        department_title=_text(_field(obj, "department_title", where), f"{where}.department_title"),
        title=_text(_field(obj, "title", where), f"{where}.title"),
        initials=initials,
    )


def parse_guides(raw: Any) -> list[GuideSummary]:
    obj = _obj(raw, "guides_reply")
    items = _bounded_list(_field(obj, "guides", "guides_reply"), "guides")
    guides = [parse_guide_summary(g, f"guides[{i}]") for i, g in enumerate(items)]
    _unique([g.id for g in guides], "guides")
    return guides


def parse_guide(raw: Any, expected_id: str | None = None) -> Guide:
    obj = _obj(raw, "guide_reply")
    g = _obj(_field(obj, "guide", "guide_reply"), "guide")
    summary = parse_guide_summary({**g, "initials": g.get("initials", "")}, "guide")
    if expected_id is not None and summary.id != expected_id:
        raise PlatformBadReply(f"guide.id: asked for {expected_id!r}, got {summary.id!r}")
    return Guide(
        id=summary.id,
        department=summary.department,
        department_title=summary.department_title,
        title=summary.title,
        conditions=_texts(_field(g, "conditions", "guide"), "guide.conditions"),
        materials=_texts(_field(g, "materials", "guide"), "guide.materials"),
        time_limit=_text(_field(g, "time_limit", "guide"), "guide.time_limit"),
        fee=_text(_field(g, "fee", "guide"), "guide.fee"),
        counter=_text(_field(g, "counter", "guide"), "guide.counter"),
        url=_url(_field(g, "url", "guide"), "guide.url"),
    )
