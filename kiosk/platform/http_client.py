"""The Platform interface over HTTP (requests).

Every attempt has a connect and a read timeout, because a kiosk worker thread stuck on a dead
socket is a citizen staring at a spinner at 2 a.m. Failures that may be transient (cannot
connect, no answer in time, 5xx) are retried a few times with exponential backoff; refusals
(4xx) and nonsense replies are not, because asking again gets the same answer.

Logs name the method, path and failure only: never payloads or reply bodies, which may carry
personal data.
"""
from __future__ import annotations

import base64
import json
import logging
import re
import threading
import time
import uuid
from typing import Any, Callable
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import ReadTimeoutError

from kiosk.platform import parse
from kiosk.platform.deadline import DeadlineAdapter, deadline
from kiosk.platform.api import (
    ApplicationStatus,
    CertificateType,
    CitizenRef,
    Department,
    ELicence,
    FaceVerdict,
    Guide,
    GuideSummary,
    LicenceDocument,
    PlatformIdentity,
    RealEstateRecord,
    SiCertificate,
    PlatformBadReply,
    PlatformError,
    PlatformRejected,
    PlatformServerError,
    PlatformTimeout,
    PlatformUnavailable,
    QueueType,
    Ticket,
)

log = logging.getLogger(__name__)

MAX_REPLY_BYTES = 2 * 1024 * 1024
_KIND = re.compile(r"^[a-z_]{1,32}$")
# uuid4 strings and similar; bounded and header-safe so a key can never smuggle a header line.
_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_GUIDE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_APPLICATION_NUMBER = re.compile(r"^[A-Z]{2}[0-9]{13}$")
MAX_FACE_JPEG = 1024 * 1024  # a face crop is tens of kilobytes; a megabyte is a camera bug
MAX_TOKEN_LEN = 512
MAX_QUERY_LEN = 64
# Setting a scheme to None removes the proxy requests would take from the environment.
_NO_PROXY: dict[str, str | None] = {"http": None, "https": None, "all": None}


class _Retryable(Exception):
    """An attempt failed in a way worth another attempt; carries the error to raise at the end."""

    def __init__(self, error: PlatformError) -> None:
        super().__init__(str(error))
        self.error = error


class HttpPlatform:
    """Platform client. Thread-safe: each thread gets its own requests.Session unless one is given."""

    def __init__(
        self,
        base_url: str,
        connect_timeout_s: float,
        read_timeout_s: float,
        retries: int,
        backoff_s: float,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
        *,
        max_reply_bytes: int = MAX_REPLY_BYTES,
        user_agent: str = "kiosk/0.1",
        total_timeout_s: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        deadline_timer: Callable[[float, Callable[[], None]], Any] | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"platform URL must be http(s)://host[:port][/prefix], got {base_url!r}")
        if connect_timeout_s <= 0 or read_timeout_s <= 0:
            raise ValueError("timeouts must be positive")
        if retries < 0 or backoff_s < 0:
            raise ValueError("retries and backoff_s must not be negative")
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout_s, read_timeout_s)
        # One call's whole budget, retries and their waits included: a trickling server (one
        # byte a second never trips a per-read timeout) cannot hold a worker longer than this.
        self.total_timeout_s = (total_timeout_s if total_timeout_s is not None
                                else connect_timeout_s + 2 * read_timeout_s)
        if not self.total_timeout_s > 0:
            raise ValueError("total_timeout_s must be positive")
        self._monotonic = monotonic
        self._deadline_timer = deadline_timer
        self.retries = retries
        self.backoff_s = backoff_s
        self.max_reply_bytes = max_reply_bytes
        self._sleep = sleep
        self._given_session = session
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        self._headers = {"Accept": "application/json", "User-Agent": user_agent}
        # The embedded demo platform is on loopback: a proxy configured for the hall network
        # must not swallow those requests.
        self._proxies = _NO_PROXY if parts.hostname in _LOOPBACK else None

    # -- Platform ---------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return parse.parse_health(self._call("GET", "/api/v1/health"))

    def catalog(self) -> list[Department]:
        return parse.parse_catalog(self._call("GET", "/api/v1/catalog"))

    def queue_types(self) -> list[QueueType]:
        return parse.parse_queue_types(self._call("GET", "/api/v1/queue/types"))

    def issue_ticket(self, type_id: str, terminal_id: str, idempotency_key: str) -> Ticket:
        if not isinstance(type_id, str) or not type_id:
            raise ValueError("type_id must be a non-empty string")
        if not isinstance(terminal_id, str) or not terminal_id:
            raise ValueError("terminal_id must be a non-empty string")
        body = {"type_id": type_id, "terminal_id": terminal_id}
        raw = self._call("POST", "/api/v1/queue/tickets", body=body, idempotency_key=idempotency_key)
        return parse.parse_ticket(raw, expected_type=type_id)

    def submit(self, kind: str, payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        # kind becomes a path segment: a strict pattern keeps "../" and "?" out of the URL.
        if not isinstance(kind, str) or not _KIND.match(kind):
            raise ValueError(f"submission kind must match {_KIND.pattern}, got {kind!r}")
        if not isinstance(payload, dict):
            raise ValueError("payload must be a dict")
        raw = self._call("POST", f"/api/v1/submissions/{kind}", body=payload, idempotency_key=idempotency_key)
        return parse.parse_submission(raw, expected_kind=kind)

    # -- personal services -----------------------------------------------------------------
    # Each is a POST with the citizen in the body: ID numbers and tokens must never be part of a
    # URL, which proxies, the platform's access log and our own retry warnings would record.
    # The key is fresh per call and shared by that call's retries, so a retried certificate
    # request that reached the platform the first time gets the same certificate number back.

    def identity_by_token(self, token: str) -> PlatformIdentity:
        if not isinstance(token, str) or not token.strip() or len(token) > MAX_TOKEN_LEN:
            raise ValueError("token must be a non-empty string")
        return parse.parse_identity(self._query("/api/v1/identity/token", {"token": token.strip()}))

    def verify_face(self, citizen: CitizenRef, jpeg: bytes) -> FaceVerdict:
        if not isinstance(jpeg, (bytes, bytearray)) or not jpeg:
            raise ValueError("jpeg must be non-empty bytes")
        if len(jpeg) > MAX_FACE_JPEG:
            raise ValueError(f"jpeg larger than {MAX_FACE_JPEG} bytes")
        body = self._citizen(citizen)
        body["jpeg_b64"] = base64.b64encode(bytes(jpeg)).decode("ascii")
        try:
            return parse.parse_face_verdict(self._query("/api/v1/identity/face", body))
        finally:
            body.clear()  # the only copy this client made of the photo

    def si_certificate_types(self, citizen: CitizenRef) -> list[CertificateType]:
        return parse.parse_certificate_types(
            self._query("/api/v1/social-insurance/certificate-types", self._citizen(citizen)))

    def si_certificate(self, citizen: CitizenRef, type_id: str, period_id: str) -> SiCertificate:
        _require_id(type_id, "type_id")
        _require_id(period_id, "period_id")
        body = self._citizen(citizen) | {"type_id": type_id, "period_id": period_id}
        return parse.parse_si_certificate(self._query("/api/v1/social-insurance/certificates", body),
                                          expected_type=type_id)

    def real_estate_properties(self, citizen: CitizenRef) -> RealEstateRecord:
        return parse.parse_real_estate(self._query("/api/v1/real-estate/query", self._citizen(citizen)))

    def elicenses(self, citizen: CitizenRef) -> list[ELicence]:
        return parse.parse_licences(self._query("/api/v1/elicenses/list", self._citizen(citizen)))

    def elicense_document(self, citizen: CitizenRef, licence_id: str) -> LicenceDocument:
        _require_id(licence_id, "licence_id")
        body = self._citizen(citizen) | {"licence_id": licence_id}
        return parse.parse_licence_document(self._query("/api/v1/elicenses/document", body), expected_id=licence_id)

    # -- public services ---------------------------------------------------------------------

    def application_status(self, number: str) -> ApplicationStatus:
        if not isinstance(number, str) or not _APPLICATION_NUMBER.match(number):
            raise ValueError("application number must be two capital letters and 13 digits")
        # In the body too: an application number is the key to someone's file.
        return parse.parse_application(self._query("/api/v1/applications/status", {"number": number}),
                                       expected_number=number)

    def guides(self) -> list[GuideSummary]:
        return parse.parse_guides(self._call("GET", "/api/v1/guides"))

    def search_guides(self, query: str) -> list[GuideSummary]:
        if not isinstance(query, str) or len(query) > MAX_QUERY_LEN:
            raise ValueError(f"query must be a string of at most {MAX_QUERY_LEN} characters")
        # A body, not ?q=: whatever a citizen types (a name, by mistake) stays out of access logs.
        return parse.parse_guides(self._query("/api/v1/guides/search", {"query": query}))

    def guide(self, guide_id: str) -> Guide:
        if not isinstance(guide_id, str) or not _GUIDE_ID.match(guide_id):
            raise ValueError("guide_id must be 1-64 of [A-Za-z0-9_-]")
        return parse.parse_guide(self._call("GET", f"/api/v1/guides/{guide_id}"), expected_id=guide_id)

    @staticmethod
    def _citizen(citizen: CitizenRef) -> dict[str, Any]:
        if not isinstance(citizen, CitizenRef) or not isinstance(citizen.id_number, str) or not citizen.id_number:
            raise ValueError("citizen must be a CitizenRef with an id_number")
        return {"id_number": citizen.id_number, "verification": citizen.verification}

    def _query(self, path: str, body: dict[str, Any]) -> Any:
        return self._call("POST", path, body=body, idempotency_key=str(uuid.uuid4()))

    def close(self) -> None:
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for s in sessions:
            s.close()

    # -- transport --------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        if self._given_session is not None:
            return self._given_session
        # requests.Session is not documented as thread-safe and flows call from a worker pool.
        s: requests.Session | None = getattr(self._local, "session", None)
        if s is None:
            s = requests.Session()
            adapter = DeadlineAdapter()  # its connections can be cut when the call's deadline passes
            s.mount("http://", adapter)
            s.mount("https://", adapter)
            self._local.session = s
            with self._sessions_lock:
                self._sessions.append(s)
        return s

    def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        headers = dict(self._headers)
        data: bytes | None = None
        if method == "POST":
            if not isinstance(idempotency_key, str) or not _IDEMPOTENCY_KEY.match(idempotency_key):
                raise ValueError(f"idempotency_key must match {_IDEMPOTENCY_KEY.pattern}")
            # POSTs are retried too. That is safe only because the key travels with every
            # attempt: when an attempt times out after the platform has already stored the
            # ticket or record, the retry carries the same key and the platform answers with
            # what it stored instead of issuing a second queue number or a second evaluation.
            headers["Idempotency-Key"] = idempotency_key
            headers["Content-Type"] = "application/json; charset=utf-8"
            try:
                data = json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
            except (TypeError, ValueError) as exc:
                raise ValueError(f"request body is not JSON-serialisable: {exc}") from None

        url = self.base_url + path
        attempts = self.retries + 1
        ends_at = self._monotonic() + self.total_timeout_s
        for attempt in range(attempts):
            remaining = ends_at - self._monotonic()
            if remaining <= 0:
                raise PlatformTimeout(f"{method} {path}: no complete answer within {self.total_timeout_s:g} s")
            try:
                with deadline(remaining, self._deadline_timer) as watch:
                    try:
                        return self._attempt(method, url, path, headers, data,
                                             (min(self.timeout[0], remaining), min(self.timeout[1], remaining)))
                    except (_Retryable, PlatformError):
                        if watch.expired:  # we cut it: whatever the socket said, it was the deadline
                            raise PlatformTimeout(
                                f"{method} {path}: no complete answer within {self.total_timeout_s:g} s") from None
                        raise
            except _Retryable as failure:
                if attempt + 1 >= attempts:
                    raise failure.error from None
                delay = min(self.backoff_s * (2**attempt), max(0.0, ends_at - self._monotonic()))
                # No jitter: in-call retries are few and short; spreading load after an outage
                # is the outbox's job (it schedules resends per record).
                log.warning(
                    "platform %s %s attempt %d/%d failed (%s); retrying in %.2f s",
                    method, path, attempt + 1, attempts, failure.error.reason, delay,
                )
                self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, method: str, url: str, path: str, headers: dict[str, str], data: bytes | None,
                 timeout: tuple[float, float] | None = None) -> Any:
        try:
            resp = self._session().request(
                method,
                url,
                headers=headers,
                data=data,
                timeout=timeout or self.timeout,
                stream=True,
                # A JSON API does not redirect; following one would turn a POST into a GET
                # somewhere we did not choose.
                allow_redirects=False,
                proxies=self._proxies,
            )
        except requests.exceptions.ConnectTimeout as exc:
            # Never reached the platform: that is "unreachable", not "slow to answer".
            raise _Retryable(PlatformUnavailable(f"{method} {path}: connect timeout: {_short(exc)}")) from None
        except requests.exceptions.Timeout as exc:
            raise _Retryable(PlatformTimeout(f"{method} {path}: no answer in time: {_short(exc)}")) from None
        except requests.exceptions.ConnectionError as exc:
            raise _Retryable(PlatformUnavailable(f"{method} {path}: {_short(exc)}")) from None
        except requests.exceptions.RequestException as exc:
            # InvalidURL, InvalidHeader...: our side is wrong, retrying will not help.
            raise PlatformUnavailable(f"{method} {path}: {_short(exc)}") from None

        with resp:
            status = resp.status_code
            body = self._read_body(resp, method, path)
        where = f"{method} {path}"
        if 200 <= status < 300:
            return parse.decode_json(body, where)
        if 500 <= status < 600:
            raise _Retryable(PlatformServerError(status, f"{where}: HTTP {status}"))
        if 400 <= status < 500:
            try:
                raw: Any = parse.decode_json(body, where)
            except PlatformBadReply:
                raw = None
            code = parse.parse_error_code(raw, status)
            # The platform's message text is not copied into the error: it may echo what the
            # citizen sent, and errors end up in logs. Screens explain the code instead.
            raise PlatformRejected(status, code, f"{where}: HTTP {status} {code}")
        raise PlatformBadReply(f"{where}: unexpected HTTP status {status}")

    def _read_body(self, resp: requests.Response, method: str, path: str) -> bytes:
        where = f"{method} {path}"
        declared = resp.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_reply_bytes:
            raise PlatformBadReply(f"{where}: reply of {declared} bytes exceeds {self.max_reply_bytes}")
        chunks: list[bytes] = []
        size = 0
        try:
            # Counted after decompression, so a small gzip bomb is caught as well.
            for chunk in resp.iter_content(chunk_size=65536):
                size += len(chunk)
                if size > self.max_reply_bytes:
                    raise PlatformBadReply(f"{where}: reply exceeds {self.max_reply_bytes} bytes")
                chunks.append(chunk)
        except requests.exceptions.ConnectionError as exc:
            # requests reports a read timeout during the body as a ConnectionError wrapping it.
            if exc.args and isinstance(exc.args[0], ReadTimeoutError):
                raise _Retryable(PlatformTimeout(f"{where}: reply stalled: {_short(exc)}")) from None
            raise _Retryable(PlatformUnavailable(f"{where}: connection lost mid-reply: {_short(exc)}")) from None
        except requests.exceptions.ChunkedEncodingError as exc:
            raise _Retryable(PlatformUnavailable(f"{where}: connection lost mid-reply: {_short(exc)}")) from None
        except requests.exceptions.ContentDecodingError:
            raise PlatformBadReply(f"{where}: reply body does not decompress") from None
        return b"".join(chunks)


def _require_id(value: Any, name: str) -> None:
    if not isinstance(value, str) or not value or len(value) > 128:
        raise ValueError(f"{name} must be a non-empty string")


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 200 else text[:200] + "..."
