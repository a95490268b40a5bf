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
