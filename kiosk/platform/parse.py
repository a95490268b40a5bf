"""Platform replies -> typed results, through the one decoder (kiosk/core/decode.py). No I/O.

Every reply is hostile until decoded: a proxy error page, a half-deployed platform version or a
tampered network can put anything here, and a KeyError deep inside a flow would end a citizen's
session with a crash instead of "the service is not available". So each reply is declared below
as records (type, length, range, pattern of every field), and the public `parse_*` functions
raise only PlatformBadReply, naming the field (`catalog.departments[2].items[0].needs[1]`) so a
technician can tell the platform team exactly what is wrong. Personal values (names, ID numbers,
addresses) never appear in a message: those end up in logs.
"""
from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import Annotated, Any, ClassVar

import msgspec
from msgspec import Meta

from kiosk.core import decode
from kiosk.core.decode import Check, DecodeError, Record, integer, number, one_of, text, unique
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
# shows those as counter-only, so the decoder keeps them instead of rejecting the whole catalog.
KNOWN_FLOWS = frozenset({"social_insurance_certificate", "real_estate_query", "application_progress",
                         "service_guide", "queue_ticket", "elicense_print", "evaluation"})
KNOWN_DEVICES = frozenset({"printer", "idcard", "sscard", "scanner", "camera"})

MAX_ID_LEN = 128
MAX_WAITING = 100_000
MAX_URL_LEN = 512  # a QR code on a 58 mm receipt stays scannable up to a few hundred characters
MAX_LIST = 500
MAX_AREA_M2 = 1_000_000.0
MAX_CNY = 100_000_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# -- field kinds -----------------------------------------------------------------------------------
def _local_text(raw: str | dict[str, str]) -> LocalText:
    values = {"zh_CN": raw} if isinstance(raw, str) else raw
    if not values.get("zh_CN"):
        raise DecodeError("", "expected a text with a zh_CN value")
    return LocalText(dict(values))


def _timestamp(value: str) -> str:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise DecodeError("", f"{value[:40]!r} is not an ISO 8601 time") from None
    return value


def _date(value: str) -> str:
    try:
        datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise DecodeError("", "expected a date YYYY-MM-DD") from None
    return value


def _url(value: str) -> str:
    # It goes into a QR code a citizen's phone will open: only plain http(s), nothing hidden.
    if not value.startswith(("https://", "http://")) or _CONTROL.search(value) or " " in value:
        raise DecodeError("", "expected an http(s) URL")
    return value


# Ids end up in the journal, logs and dictionary keys: non-empty, bounded, no control characters.
Ident = text(max_len=MAX_ID_LEN, pattern=r"^[^\x00-\x1f\x7f]+$", means="a non-empty id without control characters")
Count = integer(ge=0, le=MAX_WAITING)  # `true` people waiting is a platform bug, not 1 person
Text = Annotated[str | Annotated[dict[str, str], Meta(max_length=32)], Check(_local_text)]
Texts = Annotated[tuple[Text, ...], Meta(max_length=MAX_LIST)]
Timestamp = Annotated[text(max_len=64), Check(_timestamp)]
Date = Annotated[text(max_len=10), Check(_date)]
Url = Annotated[text(max_len=MAX_URL_LEN), Check(_url)]
Month = text(max_len=7, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", means="a month YYYY-MM")
# Printed as text and as a barcode on receipts: ASCII letters, digits and '-' only.
DocNumber = text(max_len=40, pattern=r"^[A-Za-z0-9-]{1,40}$", means="1-40 ASCII letters, digits or '-'")
Amount = integer(ge=0, le=MAX_CNY)
_NONEMPTY = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"


def _nonempty(max_len: int = 200) -> Any:
    return text(max_len=max_len, pattern=_NONEMPTY, means="a non-empty text without control characters")


def _many(item: Any) -> Any:
    return Annotated[tuple[item, ...], Meta(max_length=MAX_LIST)]


# -- the replies, declared -------------------------------------------------------------------------
class _Health(Record):
    status: Ident


class _Item(Record):
    id: Ident
    title: Text
    flow: Ident | None  # required; null: "go to a counter"
    needs: _many(Ident) = ()


class _Department(Record):
    id: Ident
    title: Text
    items: _many(_Item) = ()

    def check(self) -> None:
        unique([i.id for i in self.items], "items")


class _Catalog(Record):
    departments: _many(_Department)

    def check(self) -> None:
        unique([d.id for d in self.departments], "departments")


class _QueueType(Record):
    API: ClassVar[type] = QueueType
    id: Ident
    title: Text
    counter_group: text(max_len=64)
    waiting: Count


class _QueueTypes(Record):
    queue_types: _many(_QueueType)

    def check(self) -> None:
        unique([t.id for t in self.queue_types], "queue_types")


class _Ticket(Record):
    API: ClassVar[type] = Ticket
    # Printed and spoken digit by digit in every language: ASCII letters, digits, dash only.
    number: text(max_len=16, pattern=r"^[A-Za-z0-9-]{1,16}$", means="1-16 ASCII letters, digits or '-'")
    type_id: Ident
    title: Text
    counter_group: text(max_len=64)
    waiting: Count
    issued_at: Timestamp
    verify_url: Url
    extra: dict[str, Any] = {}


class _TicketReply(Record):
    ticket: _Ticket


class _Submission(Record):
    id: Ident
    kind: Ident
    received_at: Timestamp
    duplicate: bool


class _SubmissionReply(Record):
    submission: _Submission


class _ErrorBody(Record):
    code: text(max_len=64, pattern=r"^[A-Za-z0-9_.-]{1,64}$")


class _ErrorReply(Record):
    error: _ErrorBody


class _Identity(Record):
    API: ClassVar[type] = PlatformIdentity
    name: _nonempty(64)
    id_number: Ident


class _IdentityReply(Record):
    identity: _Identity


class _Verdict(Record):
    match: bool
    verification: text(max_len=MAX_ID_LEN)

    def check(self) -> None:
        if self.match and (not self.verification or _CONTROL.search(self.verification)):
            raise DecodeError("verification", "a match needs a verification token")


class _VerdictReply(Record):
    verdict: _Verdict


class _Period(Record):
    API: ClassVar[type] = Period
    id: Ident
    kind: one_of("current", "all", "year")
    year: integer(ge=1950, le=2200) | None = None

    def check(self) -> None:
        if self.kind == "year" and self.year is None:
            raise DecodeError("year", "expected a year 1950..2200")
        if self.kind != "year" and self.year is not None:
            raise DecodeError("year", "only a 'year' period has a year")


class _CertificateType(Record):
    API: ClassVar[type] = CertificateType
    id: Ident
    title: Text
    periods: _many(_Period)
    available: bool = True
    reason: Text | None = None  # why it is not available for this citizen

    def check(self) -> None:
        unique([p.id for p in self.periods], "periods")
        if self.available and not self.periods:
            raise DecodeError("periods", "an available type needs at least one period")


class _CertificateTypes(Record):
    certificate_types: _many(_CertificateType)

    def check(self) -> None:
        unique([t.id for t in self.certificate_types], "certificate_types")


class _Contribution(Record):
    API: ClassVar[type] = Contribution
    start: Month = msgspec.field(name="from")
    end: Month = msgspec.field(name="to")
    base_cny: Amount | None = None
    amount_cny: Amount | None = None
    employer: _nonempty() | None = None

    def check(self) -> None:
        if self.end < self.start:
            raise DecodeError("", "'to' is before 'from'")


class _Certificate(Record):
    API: ClassVar[type] = SiCertificate
    number: DocNumber
    type_id: Ident
    title: Text
    period: _Period
    status: Text
    schemes: Texts
    insured_since: Month
    months_paid: Count
    contributions: _many(_Contribution)
    issued_at: Timestamp
    verify_url: Url
    employer: _nonempty() | None = None


class _CertificateReply(Record):
    certificate: _Certificate


class _Property(Record):
    API: ClassVar[type] = Property
    id: Ident
    certificate_number: _nonempty(64)
    location: _nonempty()
    mask_location: bool
    area_m2: number(gt=0, le=MAX_AREA_M2)
    use: Text
    share: Text
    registered_on: Date


class _Query(Record):
    API: ClassVar[type] = RealEstateRecord
    number: DocNumber
    properties: _many(_Property)
    queried_at: Timestamp
    verify_url: Url

    def check(self) -> None:
        unique([p.id for p in self.properties], "properties")


class _QueryReply(Record):
    query: _Query


class _Licence(Record):
    API: ClassVar[type] = ELicence
    id: Ident
    type: Ident
    title: Text
    number: _nonempty(64)
    issuer: Text
    issued_on: Date
    valid_until: Date | None  # required; null: no expiry


class _Licences(Record):
    licences: _many(_Licence)

    def check(self) -> None:
        unique([x.id for x in self.licences], "licences")


class _LicenceField(Record):
    API: ClassVar[type] = LicenceField
    label: Text
    value: _nonempty(500)
    mask: bool = False


class _Document(Record):
    API: ClassVar[type] = LicenceDocument
    licence: _Licence
    fields: _many(_LicenceField)
    document_number: DocNumber
    issued_at: Timestamp
    verify_url: Url


class _DocumentReply(Record):
    document: _Document


class _TimelineEntry(Record):
    API: ClassVar[type] = TimelineEntry
    status: Ident
    title: Text
    at: Timestamp
    office: Text


class _Application(Record):
    API: ClassVar[type] = ApplicationStatus
    number: text(max_len=15, pattern=r"^[A-Z]{2}[0-9]{13}$", means="two capital letters and 13 digits")
    service: Text
    status: Ident
    status_title: Text
    timeline: Annotated[tuple[_TimelineEntry, ...], Meta(min_length=1, max_length=MAX_LIST)]


class _ApplicationReply(Record):
    application: _Application


Initials = text(max_len=64, pattern=r"^[A-Z0-9]{0,64}$", means="upper-case ASCII letters and digits")


class _GuideSummary(Record):
    API: ClassVar[type] = GuideSummary
    id: Ident
    department: Ident
    department_title: Text
    title: Text
    initials: Initials  # pinyin initials of the Chinese title


class _Guides(Record):
    guides: _many(_GuideSummary)

    def check(self) -> None:
        unique([g.id for g in self.guides], "guides")


class _Guide(Record):
    API: ClassVar[type] = Guide
    id: Ident
    department: Ident
    department_title: Text
    title: Text
    conditions: Texts
    materials: Texts
    time_limit: Text
    fee: Text
    counter: Text
    url: Url
    initials: Initials = ""


class _GuideReply(Record):
    guide: _Guide


# -- decoding and building the platform's types ----------------------------------------------------
def _decode(raw: Any, type_: Any, root: str = "", reply: str = "") -> Any:
    """Decode or raise PlatformBadReply naming the field; `reply` names a reply that is not even
    an object (its fields are named without it, as the flows' messages always did)."""
    try:
        return decode.convert(raw, type_, root)
    except DecodeError as e:
        raise PlatformBadReply(f"{e.field or reply or root or 'reply'}: {e.problem}") from None


def _api(rec: Record, **given: Any) -> Any:
    """A decoded record as the platform interface's dataclass (same field names)."""
    cls = type(rec).API  # type: ignore[attr-defined]
    return cls(**{f.name: given[f.name] if f.name in given else _value(getattr(rec, f.name))
                  for f in dataclasses.fields(cls)})


def _value(v: Any) -> Any:
    if isinstance(v, Record):
        return _api(v)
    if isinstance(v, tuple):
        return tuple(_value(x) for x in v)
    return v


def _expect(field: str, asked: str | None, got: str, verb: str = "asked for") -> None:
    if asked is not None and got != asked:
        raise PlatformBadReply(f"{field}: {verb} {asked!r}, got {got!r}")


def decode_json(body: bytes, where: str) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity/1e999 (not finite numbers break comparisons later),
    integers within 64 bits, bounded nesting."""
    try:
        return decode.loads(body)
    except DecodeError as e:
        raise PlatformBadReply(f"{where}: {e}") from None


def parse_health(raw: Any) -> dict[str, Any]:
    _decode(raw, _Health, "health")
    return dict(raw)


def parse_catalog(raw: Any) -> list[Department]:
    cat = _decode(raw, _Catalog, "catalog")
    return [Department(id=d.id, title=d.title,
                       items=tuple(CatalogItem(id=i.id, title=i.title, department=d.id, flow=i.flow, needs=i.needs)
                                   for i in d.items))
            for d in cat.departments]


def parse_queue_types(raw: Any) -> list[QueueType]:
    return [_api(t) for t in _decode(raw, _QueueTypes, "queue_types").queue_types]


def parse_ticket(raw: Any, expected_type: str | None = None) -> Ticket:
    t = _decode(raw, _TicketReply, reply="ticket_reply").ticket
    _expect("ticket.type_id", expected_type, t.type_id)
    return _api(t, extra=dict(t.extra))


def parse_submission(raw: Any, expected_kind: str | None = None) -> dict[str, Any]:
    """The stored record: `id`, `kind`, `received_at`, `duplicate` (this key was seen before)."""
    s = _decode(raw, _SubmissionReply, reply="submission_reply").submission
    _expect("submission.kind", expected_kind, s.kind, "sent")
    return dict(raw["submission"])


def parse_error_code(raw: Any, status: int) -> str:
    """The platform's refusal code from `{"error": {"code": ...}}`; never raises.

    A 4xx whose body is not in shape is still a refusal: the status is the truth, so a mangled
    body falls back to `http_<status>` instead of turning a refusal into a bad-reply fault.
    """
    try:
        return decode.convert(raw, _ErrorReply).error.code
    except DecodeError:
        return f"http_{status}"


# -- the 24-hour catalog services ------------------------------------------------------------------
def parse_identity(raw: Any) -> PlatformIdentity:
    return _api(_decode(raw, _IdentityReply, reply="identity_reply").identity)


def parse_face_verdict(raw: Any) -> FaceVerdict:
    v = _decode(raw, _VerdictReply, reply="face_reply").verdict
    return FaceVerdict(match=v.match, verification=v.verification if v.match else "")


def parse_certificate_types(raw: Any) -> list[CertificateType]:
    return [_api(t) for t in _decode(raw, _CertificateTypes, "certificate_types").certificate_types]


def parse_si_certificate(raw: Any, expected_type: str | None = None) -> SiCertificate:
    c = _decode(raw, _CertificateReply, reply="certificate_reply").certificate
    _expect("certificate.type_id", expected_type, c.type_id)
    return _api(c)


def parse_real_estate(raw: Any) -> RealEstateRecord:
    return _api(_decode(raw, _QueryReply, reply="real_estate_reply").query)


def parse_licences(raw: Any) -> list[ELicence]:
    return [_api(x) for x in _decode(raw, _Licences, reply="licences_reply").licences]


def parse_licence_document(raw: Any, expected_id: str | None = None) -> LicenceDocument:
    d = _decode(raw, _DocumentReply, reply="document_reply").document
    _expect("document.licence.id", expected_id, d.licence.id)
    return _api(d)


def parse_application(raw: Any, expected_number: str | None = None) -> ApplicationStatus:
    a = _decode(raw, _ApplicationReply, reply="application_reply").application
    if expected_number is not None and a.number != expected_number:
        raise PlatformBadReply("application.number: not the number asked for")
    return _api(a)


def parse_guides(raw: Any) -> list[GuideSummary]:
    return [_api(g) for g in _decode(raw, _Guides, reply="guides_reply").guides]


def parse_guide(raw: Any, expected_id: str | None = None) -> Guide:
    g = _decode(raw, _GuideReply, reply="guide_reply").guide
    _expect("guide.id", expected_id, g.id)
    return _api(g)
