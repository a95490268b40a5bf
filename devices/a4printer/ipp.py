"""A small IPP/1.1 client (RFC 8010/8011) for the local cupsd: the five operations the A4 driver
needs, over the cupsd's unix socket or TCP.

Why not pycups: it is a C extension built against libcups (a compiler and libcups2-dev on every
terminal) and keeps the server in process-global state, so two drivers (or a test's own cupsd
beside the system one) cannot talk to two servers. IPP is a plain binary format over HTTP POST;
this module speaks it with the standard library.
"""
from __future__ import annotations

import http.client
import itertools
import socket
import struct
from typing import Any, Iterable

# Operations (RFC 8011 and CUPS)
PRINT_JOB, CANCEL_JOB, GET_JOB_ATTRIBUTES, GET_JOBS, GET_PRINTER_ATTRIBUTES = 0x0002, 0x0008, 0x0009, 0x000A, 0x000B
# Delimiter and value tags
OPERATION_GROUP, JOB_GROUP, END, PRINTER_GROUP = 0x01, 0x02, 0x03, 0x04
INTEGER, BOOLEAN, ENUM = 0x21, 0x22, 0x23
TEXT, NAME, KEYWORD, URI, CHARSET, LANGUAGE, MIME = 0x41, 0x42, 0x44, 0x45, 0x47, 0x48, 0x49
# job-state
JOB_PENDING, JOB_HELD, JOB_PROCESSING, JOB_STOPPED, JOB_CANCELED, JOB_ABORTED, JOB_COMPLETED = range(3, 10)
# printer-state
PRINTER_IDLE, PRINTER_PROCESSING, PRINTER_STOPPED = 3, 4, 5

Attrs = dict[str, list[Any]]
_request_ids = itertools.count(1)


class IppError(Exception):
    """`reason`: not_responding (no server), no_queue (404), ipp_error (any other refusal)."""

    def __init__(self, reason: str, detail: str = "", status: int = 0) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.status = reason, status


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def _attr(tag: int, name: str, values: Iterable[Any]) -> bytes:
    out = b""
    for i, v in enumerate(values):
        if tag in (INTEGER, ENUM):
            raw = struct.pack(">i", int(v))
        elif tag == BOOLEAN:
            raw = b"\x01" if v else b"\x00"
        else:
            raw = str(v).encode("utf-8")
        key = name.encode() if i == 0 else b""
        out += struct.pack(">BH", tag, len(key)) + key + struct.pack(">H", len(raw)) + raw
    return out


def encode(op: int, request_id: int, operation: list[tuple[int, str, list[Any]]]) -> bytes:
    body = struct.pack(">BBHI", 1, 1, op, request_id) + bytes([OPERATION_GROUP])
    body += _attr(CHARSET, "attributes-charset", ["utf-8"]) + _attr(LANGUAGE, "attributes-natural-language", ["en"])
    for tag, name, values in operation:
        body += _attr(tag, name, values)
    return body + bytes([END])


def decode(data: bytes) -> tuple[int, list[tuple[int, Attrs]]]:
    """(status-code, [(group tag, {name: [values]}), ...])."""
    if len(data) < 9:
        raise IppError("ipp_error", "short response")
    status = struct.unpack(">H", data[2:4])[0]
    groups: list[tuple[int, Attrs]] = []
    pos, name = 8, ""
    while pos < len(data):
        tag = data[pos]
        pos += 1
        if tag == END:
            break
        if tag < 0x10:  # a new group
            groups.append((tag, {}))
            continue
        nlen = struct.unpack(">H", data[pos:pos + 2])[0]
        name = data[pos + 2:pos + 2 + nlen].decode("utf-8", "replace") if nlen else name
        pos += 2 + nlen
        vlen = struct.unpack(">H", data[pos:pos + 2])[0]
        raw = data[pos + 2:pos + 2 + vlen]
        pos += 2 + vlen
        if tag in (INTEGER, ENUM) and vlen == 4:
            value: Any = struct.unpack(">i", raw)[0]
        elif tag == BOOLEAN and vlen == 1:
            value = raw != b"\x00"
        elif 0x40 <= tag <= 0x4F:
            value = raw.decode("utf-8", "replace")
        else:
            value = raw
        if groups:
            groups[-1][1].setdefault(name, []).append(value)
    return status, groups


class IppClient:
    """One cupsd. `server`: a unix socket path ("/run/cups/cups.sock") or "host:port"."""

    def __init__(self, server: str = "/run/cups/cups.sock", timeout_s: float = 5.0, user: str = "kiosk") -> None:
        self.server, self.timeout_s, self.user = server, timeout_s, user

    def _connection(self) -> http.client.HTTPConnection:
        if self.server.startswith("/"):
            return _UnixConnection(self.server, self.timeout_s)
        host, _, port = self.server.partition(":")
        return http.client.HTTPConnection(host, int(port or 631), timeout=self.timeout_s)

    def printer_uri(self, queue: str) -> str:
        return f"ipp://localhost/printers/{queue}"

    def call(self, op: int, path: str, operation: list[tuple[int, str, list[Any]]], data: bytes = b"") -> list[tuple[int, Attrs]]:
        body = encode(op, next(_request_ids), operation) + data
        conn = self._connection()
        try:
            conn.request("POST", path, body, {"Content-Type": "application/ipp"})
            resp = conn.getresponse()
            payload = resp.read()
        except (OSError, http.client.HTTPException) as e:
            raise IppError("not_responding", f"{self.server}: {e}") from e
        finally:
            conn.close()
        if resp.status != 200:
            raise IppError("not_responding", f"HTTP {resp.status}")
        status, groups = decode(payload)
        if status == 0x0406:  # client-error-not-found
            raise IppError("no_queue", path, status)
        if status >= 0x0400:
            message = next((a.get("status-message", [""])[0] for _, a in groups if "status-message" in a), "")
            raise IppError("ipp_error", f"status 0x{status:04x} {message}", status)
        return groups

    def _base(self, queue: str) -> list[tuple[int, str, list[Any]]]:
        return [(URI, "printer-uri", [self.printer_uri(queue)]), (NAME, "requesting-user-name", [self.user])]

    def printer_attributes(self, queue: str) -> Attrs:
        wanted = ["printer-state", "printer-state-reasons", "printer-is-accepting-jobs", "printer-state-message"]
        groups = self.call(GET_PRINTER_ATTRIBUTES, f"/printers/{queue}",
                           self._base(queue) + [(KEYWORD, "requested-attributes", wanted)])
        return next((a for tag, a in groups if tag == PRINTER_GROUP), {})

    def print_job(self, queue: str, document: bytes, job_name: str, fmt: str = "application/pdf") -> int:
        groups = self.call(PRINT_JOB, f"/printers/{queue}", self._base(queue) + [
            (NAME, "job-name", [job_name]), (MIME, "document-format", [fmt])], document)
        job = next((a for tag, a in groups if tag == JOB_GROUP), {})
        if "job-id" not in job:
            raise IppError("ipp_error", "no job-id in the reply")
        return int(job["job-id"][0])

    def job_attributes(self, queue: str, job_id: int) -> Attrs:
        groups = self.call(GET_JOB_ATTRIBUTES, "/jobs", self._base(queue) + [
            (INTEGER, "job-id", [job_id]),
            (KEYWORD, "requested-attributes", ["job-state", "job-state-reasons", "job-name"])])
        return next((a for tag, a in groups if tag == JOB_GROUP), {})

    def jobs(self, queue: str, which: str = "not-completed") -> list[Attrs]:
        groups = self.call(GET_JOBS, f"/printers/{queue}", self._base(queue) + [
            (KEYWORD, "which-jobs", [which]),
            (KEYWORD, "requested-attributes", ["job-id", "job-name", "job-state"])])
        return [a for tag, a in groups if tag == JOB_GROUP]

    def cancel_job(self, queue: str, job_id: int) -> None:
        self.call(CANCEL_JOB, f"/printers/{queue}", self._base(queue) + [(INTEGER, "job-id", [job_id])])
