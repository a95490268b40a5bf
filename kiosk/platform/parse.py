"""Platform replies -> typed results, through the one decoder (kiosk/core/decode.py). No I/O.

Every reply is hostile until decoded: a proxy error page, a half-deployed platform version or a
tampered network can put anything here, and a KeyError deep inside a flow would end a citizen's
session with a crash instead of "the service is not available". So each reply is declared in
replies.py (type, length, range, pattern of every field), and the public `parse_*` functions
raise only PlatformBadReply, naming the field (`catalog.departments[2].items[0].needs[1]`) so a
technician can tell the platform team exactly what is wrong. Personal values (names, ID numbers,
addresses) never appear in a message: those end up in logs.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from kiosk.core import decode
from kiosk.core.decode import DecodeError, Record
from kiosk.platform import replies
from kiosk.platform.api import (
    ApplicationStatus,
    CatalogItem,
    CertificateType,
    Department,
    ELicence,
    FaceVerdict,
    Guide,
    GuideSummary,
    LicenceDocument,
    PlatformBadReply,
    PlatformIdentity,
    QueueType,
    RealEstateRecord,
    SiCertificate,
    Ticket,
)

# What the kiosk can run; a catalog may name others (a newer platform), and the catalog screen
# shows those as counter-only, so the decoder keeps them instead of rejecting the whole catalog.
KNOWN_FLOWS = frozenset({"social_insurance_certificate", "real_estate_query", "application_progress",
                         "service_guide", "queue_ticket", "elicense_print", "evaluation"})
KNOWN_DEVICES = frozenset({"printer", "idcard", "sscard", "scanner", "camera"})


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
    _decode(raw, replies.Health, "health")
    return dict(raw)


def parse_catalog(raw: Any) -> list[Department]:
    cat = _decode(raw, replies.Catalog, "catalog")
    return [Department(id=d.id, title=d.title,
                       items=tuple(CatalogItem(id=i.id, title=i.title, department=d.id, flow=i.flow, needs=i.needs)
                                   for i in d.items))
            for d in cat.departments]


def parse_queue_types(raw: Any) -> list[QueueType]:
    return [_api(t) for t in _decode(raw, replies.QueueTypes, "queue_types").queue_types]


def parse_ticket(raw: Any, expected_type: str | None = None) -> Ticket:
    t = _decode(raw, replies.TicketReply, reply="ticket_reply").ticket
    _expect("ticket.type_id", expected_type, t.type_id)
    return _api(t, extra=dict(t.extra))


def parse_submission(raw: Any, expected_kind: str | None = None) -> dict[str, Any]:
    """The stored record: `id`, `kind`, `received_at`, `duplicate` (this key was seen before)."""
    s = _decode(raw, replies.SubmissionReply, reply="submission_reply").submission
    _expect("submission.kind", expected_kind, s.kind, "sent")
    return dict(raw["submission"])


def parse_error_code(raw: Any, status: int) -> str:
    """The platform's refusal code from `{"error": {"code": ...}}`; never raises.

    A 4xx whose body is not in shape is still a refusal: the status is the truth, so a mangled
    body falls back to `http_<status>` instead of turning a refusal into a bad-reply fault.
    """
    try:
        return decode.convert(raw, replies.ErrorReply).error.code
    except DecodeError:
        return f"http_{status}"


# -- the 24-hour catalog services ------------------------------------------------------------------
def parse_identity(raw: Any) -> PlatformIdentity:
    return _api(_decode(raw, replies.IdentityReply, reply="identity_reply").identity)


def parse_face_verdict(raw: Any) -> FaceVerdict:
    v = _decode(raw, replies.VerdictReply, reply="face_reply").verdict
    return FaceVerdict(match=v.match, verification=v.verification if v.match else "")


def parse_certificate_types(raw: Any) -> list[CertificateType]:
    return [_api(t) for t in _decode(raw, replies.CertificateTypes, "certificate_types").certificate_types]


def parse_si_certificate(raw: Any, expected_type: str | None = None) -> SiCertificate:
    c = _decode(raw, replies.CertificateReply, reply="certificate_reply").certificate
    _expect("certificate.type_id", expected_type, c.type_id)
    return _api(c)


def parse_real_estate(raw: Any) -> RealEstateRecord:
    return _api(_decode(raw, replies.QueryReply, reply="real_estate_reply").query)


def parse_licences(raw: Any) -> list[ELicence]:
    return [_api(x) for x in _decode(raw, replies.Licences, reply="licences_reply").licences]


def parse_licence_document(raw: Any, expected_id: str | None = None) -> LicenceDocument:
    d = _decode(raw, replies.DocumentReply, reply="document_reply").document
    _expect("document.licence.id", expected_id, d.licence.id)
    return _api(d)


def parse_application(raw: Any, expected_number: str | None = None) -> ApplicationStatus:
    a = _decode(raw, replies.ApplicationReply, reply="application_reply").application
    if expected_number is not None and a.number != expected_number:
        raise PlatformBadReply("application.number: not the number asked for")
    return _api(a)


def parse_guides(raw: Any) -> list[GuideSummary]:
    return [_api(g) for g in _decode(raw, replies.Guides, reply="guides_reply").guides]


def parse_guide(raw: Any, expected_id: str | None = None) -> Guide:
    g = _decode(raw, replies.GuideReply, reply="guide_reply").guide
    _expect("guide.id", expected_id, g.id)
    return _api(g)
