"""The platform's replies, declared: every field's type, length, range and pattern, decoded by
kiosk/core/decode.py. kiosk/platform/parse.py turns them into the platform interface's types
(same field names; `API` names the type) and raises PlatformBadReply naming the field.

Unknown fields are ignored (a newer platform may add some); every list is bounded.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, ClassVar

import msgspec
from msgspec import Meta

from kiosk.core.decode import Check, DecodeError, Record, integer, number, one_of, text, unique
from kiosk.platform import api

MAX_ID_LEN = 128
MAX_WAITING = 100_000
MAX_URL_LEN = 512  # a QR code on a 58 mm receipt stays scannable up to a few hundred characters
MAX_LIST = 500
MAX_AREA_M2 = 1_000_000.0
MAX_CNY = 100_000_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# -- field kinds -----------------------------------------------------------------------------------
def _local_text(raw: str | dict[str, str]) -> api.LocalText:
    values = {"zh_CN": raw} if isinstance(raw, str) else raw
    if not values.get("zh_CN"):
        raise DecodeError("", "expected a text with a zh_CN value")
    return api.LocalText(dict(values))


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
# Printed and spoken digit by digit in every language: ASCII letters, digits, dash only.
TicketNumber = text(max_len=16, pattern=r"^[A-Za-z0-9-]{1,16}$", means="1-16 ASCII letters, digits or '-'")
ErrorCode = text(max_len=64, pattern=r"^[A-Za-z0-9_.-]{1,64}$")
PeriodKind = one_of("current", "all", "year")
ApplicationNumber = text(max_len=15, pattern=r"^[A-Z]{2}[0-9]{13}$", means="two capital letters and 13 digits")
Initials = text(max_len=64, pattern=r"^[A-Z0-9]{0,64}$", means="upper-case ASCII letters and digits")
_NONEMPTY = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"


def _nonempty(max_len: int = 200) -> Any:
    return text(max_len=max_len, pattern=_NONEMPTY, means="a non-empty text without control characters")


def _many(item: Any) -> Any:
    return Annotated[tuple[item, ...], Meta(max_length=MAX_LIST)]


# -- the replies, declared -------------------------------------------------------------------------
class Health(Record):
    status: Ident


class Item(Record):
    id: Ident
    title: Text
    flow: Ident | None  # required; null: "go to a counter"
    needs: _many(Ident) = ()


class Department(Record):
    id: Ident
    title: Text
    items: _many(Item) = ()

    def check(self) -> None:
        unique([i.id for i in self.items], "items")


class Catalog(Record):
    departments: _many(Department)

    def check(self) -> None:
        unique([d.id for d in self.departments], "departments")


class QueueType(Record):
    API: ClassVar[type] = api.QueueType
    id: Ident
    title: Text
    counter_group: text(max_len=64)
    waiting: Count


class QueueTypes(Record):
    queue_types: _many(QueueType)

    def check(self) -> None:
        unique([t.id for t in self.queue_types], "queue_types")


class Ticket(Record):
    API: ClassVar[type] = api.Ticket
    number: TicketNumber
    type_id: Ident
    title: Text
    counter_group: text(max_len=64)
    waiting: Count
    issued_at: Timestamp
    verify_url: Url
    extra: dict[str, Any] = {}


class TicketReply(Record):
    ticket: Ticket


class Submission(Record):
    id: Ident
    kind: Ident
    received_at: Timestamp
    duplicate: bool


class SubmissionReply(Record):
    submission: Submission


class ErrorBody(Record):
    code: ErrorCode


class ErrorReply(Record):
    error: ErrorBody


class Identity(Record):
    API: ClassVar[type] = api.PlatformIdentity
    name: _nonempty(64)
    id_number: Ident


class IdentityReply(Record):
    identity: Identity


class Verdict(Record):
    match: bool
    verification: text(max_len=MAX_ID_LEN)

    def check(self) -> None:
        if self.match and (not self.verification or _CONTROL.search(self.verification)):
            raise DecodeError("verification", "a match needs a verification token")


class VerdictReply(Record):
    verdict: Verdict


class Period(Record):
    API: ClassVar[type] = api.Period
    id: Ident
    kind: PeriodKind
    year: integer(ge=1950, le=2200) | None = None

    def check(self) -> None:
        if self.kind == "year" and self.year is None:
            raise DecodeError("year", "expected a year 1950..2200")
        if self.kind != "year" and self.year is not None:
            raise DecodeError("year", "only a 'year' period has a year")


class CertificateType(Record):
    API: ClassVar[type] = api.CertificateType
    id: Ident
    title: Text
    periods: _many(Period)
    available: bool = True
    reason: Text | None = None  # why it is not available for this citizen

    def check(self) -> None:
        unique([p.id for p in self.periods], "periods")
        if self.available and not self.periods:
            raise DecodeError("periods", "an available type needs at least one period")


class CertificateTypes(Record):
    certificate_types: _many(CertificateType)

    def check(self) -> None:
        unique([t.id for t in self.certificate_types], "certificate_types")


class Contribution(Record):
    API: ClassVar[type] = api.Contribution
    start: Month = msgspec.field(name="from")
    end: Month = msgspec.field(name="to")
    base_cny: Amount | None = None
    amount_cny: Amount | None = None
    employer: _nonempty() | None = None

    def check(self) -> None:
        if self.end < self.start:
            raise DecodeError("", "'to' is before 'from'")


class Certificate(Record):
    API: ClassVar[type] = api.SiCertificate
    number: DocNumber
    type_id: Ident
    title: Text
    period: Period
    status: Text
    schemes: Texts
    insured_since: Month
    months_paid: Count
    contributions: _many(Contribution)
    issued_at: Timestamp
    verify_url: Url
    employer: _nonempty() | None = None


class CertificateReply(Record):
    certificate: Certificate


class Property(Record):
    API: ClassVar[type] = api.Property
    id: Ident
    certificate_number: _nonempty(64)
    location: _nonempty()
    mask_location: bool
    area_m2: number(gt=0, le=MAX_AREA_M2)
    use: Text
    share: Text
    registered_on: Date


class Query(Record):
    API: ClassVar[type] = api.RealEstateRecord
    number: DocNumber
    properties: _many(Property)
    queried_at: Timestamp
    verify_url: Url

    def check(self) -> None:
        unique([p.id for p in self.properties], "properties")


class QueryReply(Record):
    query: Query


class Licence(Record):
    API: ClassVar[type] = api.ELicence
    id: Ident
    type: Ident
    title: Text
    number: _nonempty(64)
    issuer: Text
    issued_on: Date
    valid_until: Date | None  # required; null: no expiry


class Licences(Record):
    licences: _many(Licence)

    def check(self) -> None:
        unique([x.id for x in self.licences], "licences")


class LicenceField(Record):
    API: ClassVar[type] = api.LicenceField
    label: Text
    value: _nonempty(500)
    mask: bool = False


class Document(Record):
    API: ClassVar[type] = api.LicenceDocument
    licence: Licence
    fields: _many(LicenceField)
    document_number: DocNumber
    issued_at: Timestamp
    verify_url: Url


class DocumentReply(Record):
    document: Document


class TimelineEntry(Record):
    API: ClassVar[type] = api.TimelineEntry
    status: Ident
    title: Text
    at: Timestamp
    office: Text


class Application(Record):
    API: ClassVar[type] = api.ApplicationStatus
    number: ApplicationNumber
    service: Text
    status: Ident
    status_title: Text
    timeline: Annotated[tuple[TimelineEntry, ...], Meta(min_length=1, max_length=MAX_LIST)]


class ApplicationReply(Record):
    application: Application



class GuideSummary(Record):
    API: ClassVar[type] = api.GuideSummary
    id: Ident
    department: Ident
    department_title: Text
    title: Text
    initials: Initials  # pinyin initials of the Chinese title


class Guides(Record):
    guides: _many(GuideSummary)

    def check(self) -> None:
        unique([g.id for g in self.guides], "guides")


class Guide(Record):
    API: ClassVar[type] = api.Guide
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


class GuideReply(Record):
    guide: Guide
