"""Platform interface used by flows. Flows depend on this module only, never on HTTP.

Errors are typed so a flow can tell the citizen the truth: the platform is unreachable (try
later or go to the counter in staffed hours), it refused (say why), or it answered nonsense
(a fault for the technician; the citizen hears "the service is not available").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol


class PlatformError(Exception):
    """Base of every platform failure. `reason` is a stable machine code for logs and screens."""

    reason = "platform_error"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.reason)
        self.detail = detail


class PlatformUnavailable(PlatformError):
    """Cannot reach the platform (connection refused, DNS, network down)."""

    reason = "unreachable"


class PlatformTimeout(PlatformUnavailable):
    """Reached it, but no answer in time."""

    reason = "timeout"


class PlatformServerError(PlatformError):
    """The platform answered 5xx."""

    reason = "server_error"

    def __init__(self, status: int, detail: str = "") -> None:
        super().__init__(detail or f"HTTP {status}")
        self.status = status


class PlatformRejected(PlatformError):
    """The platform answered 4xx: the request was understood and refused. `code` is the platform's."""

    reason = "rejected"

    def __init__(self, status: int, code: str, detail: str = "") -> None:
        super().__init__(detail or f"HTTP {status} {code}")
        self.status = status
        self.code = code


class PlatformBadReply(PlatformError):
    """The reply is not what the contract says (not JSON, wrong shape, wrong types)."""

    reason = "bad_reply"


@dataclass(frozen=True)
class LocalText:
    """A text the platform provides in several languages; Chinese is always present."""

    values: Mapping[str, str]

    def get(self, lang: str) -> str:
        return self.values.get(lang) or self.values["zh_CN"]

    @property
    def zh(self) -> str:
        return self.values["zh_CN"]

    @classmethod
    def parse(cls, raw: Any, where: str) -> "LocalText":
        if isinstance(raw, str):
            raw = {"zh_CN": raw}
        if not isinstance(raw, dict) or not isinstance(raw.get("zh_CN"), str) or not raw["zh_CN"]:
            raise PlatformBadReply(f"{where}: expected a text with a zh_CN value")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
            raise PlatformBadReply(f"{where}: text values must be strings")
        return cls(dict(raw))


@dataclass(frozen=True)
class CatalogItem:
    id: str
    title: LocalText
    department: str
    flow: str | None  # the kiosk flow that serves it, or None: "go to a counter"
    needs: tuple[str, ...] = ()  # devices the service needs: "printer", "idcard", "scanner", ...


@dataclass(frozen=True)
class Department:
    id: str
    title: LocalText
    items: tuple[CatalogItem, ...] = ()


@dataclass(frozen=True)
class QueueType:
    id: str
    title: LocalText
    counter_group: str
    waiting: int


@dataclass(frozen=True)
class Ticket:
    number: str  # e.g. "A023"; ASCII in every language
    type_id: str
    title: LocalText
    counter_group: str
    waiting: int
    issued_at: str  # ISO 8601 from the platform
    verify_url: str  # what the QR code on screen and paper carries
    extra: dict[str, Any] = field(default_factory=dict)


class Platform(Protocol):
    """What flows may ask of the service platform. Every call may raise a PlatformError."""

    def health(self) -> dict[str, Any]: ...

    def catalog(self) -> list[Department]: ...

    def queue_types(self) -> list[QueueType]: ...

    def issue_ticket(self, type_id: str, terminal_id: str, idempotency_key: str) -> Ticket: ...

    def submit(self, kind: str, payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        """Deliver a record (evaluation, journal record). Same key twice = stored once."""
        ...

    # Personal services: about one citizen, who was identified and (where the service requires
    # it) verified by face. Personal data travels in request bodies only, never in URLs.
    def identity_by_token(self, token: str) -> "PlatformIdentity": ...

    def verify_face(self, citizen: "CitizenRef", jpeg: bytes) -> "FaceVerdict":
        """The JPEG is sent once and kept by neither side of the call."""
        ...

    def si_certificate_types(self, citizen: "CitizenRef") -> list["CertificateType"]: ...

    def si_certificate(self, citizen: "CitizenRef", type_id: str, period_id: str) -> "SiCertificate": ...

    def real_estate_properties(self, citizen: "CitizenRef") -> "RealEstateRecord": ...

    def elicenses(self, citizen: "CitizenRef") -> list["ELicence"]: ...

    def elicense_document(self, citizen: "CitizenRef", licence_id: str) -> "LicenceDocument": ...

    # Public services: no identity needed.
    def application_status(self, number: str) -> "ApplicationStatus": ...

    def guides(self) -> list["GuideSummary"]: ...

    def search_guides(self, query: str) -> list["GuideSummary"]: ...

    def guide(self, guide_id: str) -> "Guide": ...


# -- personal services: who is asking, identity, face verification ----------------------------------


@dataclass(frozen=True, repr=False)
class CitizenRef:
    """Whom a personal query is about: the ID number (or social security number, which is the
    same number) and the token a face verification returned. Travels to the platform in request
    bodies only, never in a URL (URLs end up in access logs). repr shows neither."""

    id_number: str
    verification: str = ""

    def __repr__(self) -> str:
        return f"CitizenRef(verified={bool(self.verification)})"


@dataclass(frozen=True, repr=False)
class PlatformIdentity:
    """Who a platform identity code (the QR code of the citizen's government service app) names."""

    name: str
    id_number: str

    def __repr__(self) -> str:
        return "PlatformIdentity(<personal>)"


@dataclass(frozen=True)
class FaceVerdict:
    match: bool
    verification: str  # token for the personal queries that follow; "" when there is no match


# -- social insurance --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """What a certificate covers: "current" (as of today), "all" (every year) or one year."""

    id: str
    kind: str  # current | all | year
    year: int | None = None


@dataclass(frozen=True)
class CertificateType:
    id: str
    title: LocalText
    periods: tuple[Period, ...]
    available: bool = True
    reason: LocalText | None = None  # why it is not available for this citizen


@dataclass(frozen=True)
class Contribution:
    start: str  # YYYY-MM
    end: str  # YYYY-MM
    base_cny: int | None = None  # monthly contribution base (employees)
    amount_cny: int | None = None  # amount paid for the period (residents)
    employer: str | None = None


@dataclass(frozen=True, repr=False)
class SiCertificate:
    number: str
    type_id: str
    title: LocalText
    period: Period
    status: LocalText
    schemes: tuple[LocalText, ...]
    insured_since: str  # YYYY-MM
    months_paid: int
    employer: str | None
    contributions: tuple[Contribution, ...]
    issued_at: str
    verify_url: str

    def __repr__(self) -> str:
        return f"SiCertificate(number={self.number!r}, type_id={self.type_id!r})"


# -- real estate -----------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Property:
    id: str
    certificate_number: str
    location: str
    mask_location: bool  # the platform asks the kiosk to show the location masked
    area_m2: float
    use: LocalText
    share: LocalText
    registered_on: str  # YYYY-MM-DD

    def __repr__(self) -> str:
        return f"Property(id={self.id!r})"


@dataclass(frozen=True, repr=False)
class RealEstateRecord:
    """The answer to one query: the properties registered to the citizen (maybe none), and the
    query's own number and verification link for the printed query certificate."""

    number: str
    properties: tuple[Property, ...]
    queried_at: str
    verify_url: str

    def __repr__(self) -> str:
        return f"RealEstateRecord(number={self.number!r}, properties={len(self.properties)})"


# -- e-licences ------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class ELicence:
    id: str
    type: str
    title: LocalText
    number: str
    issuer: LocalText
    issued_on: str  # YYYY-MM-DD
    valid_until: str | None  # None: no expiry

    def __repr__(self) -> str:
        return f"ELicence(id={self.id!r}, type={self.type!r})"


@dataclass(frozen=True, repr=False)
class LicenceField:
    label: LocalText
    value: str
    mask: bool = False  # personal (an address): the kiosk shows and prints it masked

    def __repr__(self) -> str:
        return "LicenceField(<value>)"


@dataclass(frozen=True, repr=False)
class LicenceDocument:
    """A printable copy of one e-licence with the link its QR code carries for verification."""

    licence: ELicence
    fields: tuple[LicenceField, ...]
    document_number: str
    issued_at: str
    verify_url: str

    def __repr__(self) -> str:
        return f"LicenceDocument(document_number={self.document_number!r})"


# -- applications ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    status: str
    title: LocalText
    at: str  # ISO 8601
    office: LocalText


@dataclass(frozen=True)
class ApplicationStatus:
    number: str
    service: LocalText
    status: str
    status_title: LocalText
    timeline: tuple[TimelineEntry, ...]


# -- service guides --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuideSummary:
    id: str
    department: str
    department_title: LocalText
    title: LocalText
    initials: str  # pinyin initials of the Chinese title, upper case ("SBYWBSZN")


@dataclass(frozen=True)
class Guide:
    id: str
    department: str
    department_title: LocalText
    title: LocalText
    conditions: tuple[LocalText, ...]
    materials: tuple[LocalText, ...]
    time_limit: LocalText
    fee: LocalText
    counter: LocalText
    url: str  # the guide online: what the QR code on screen and paper carries
