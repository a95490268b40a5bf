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

from kiosk.backend.api import (
    CatalogItem,
    Department,
    LocalText,
    PlatformBadReply,
    QueueType,
    Ticket,
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
