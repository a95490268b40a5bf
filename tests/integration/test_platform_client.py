"""HttpPlatform against the real demo platform server on loopback: the code path `kiosk run` uses.

One server per module (port 0); every test starts from the seed with no fault. Retries sleep
through an injected fake, so only "slow" mode spends real time (three read timeouts of 0.2 s).
"""
from __future__ import annotations

import gzip
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Iterator

import pytest
import requests

from kiosk.demo_platform.server import DemoPlatformServer
from kiosk.platform.api import (
    PlatformBadReply,
    PlatformRejected,
    PlatformServerError,
    PlatformTimeout,
    PlatformUnavailable,
)
from kiosk.platform.http_client import HttpPlatform
from kiosk.platform.parse import KNOWN_FLOWS
from tests.support.fixtures import fresh_platform

BACKOFF = 0.1
RETRIES = 2
DEPARTMENTS = {
    "social_insurance",
    "medical_insurance",
    "real_estate",
    "household",
    "civil_affairs",
    "market_regulation",
    "taxes",
}
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh(server: DemoPlatformServer) -> Iterator[None]:
    yield from fresh_platform(server)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(server: DemoPlatformServer, sleeps: list[float]) -> Iterator[HttpPlatform]:
    c = HttpPlatform(server.url, 1.0, 2.0, RETRIES, BACKOFF, sleep=sleeps.append)
    yield c
    c.close()


def key() -> str:
    return str(uuid.uuid4())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- happy paths --------------------------------------------------------------------------------


def test_health(client: HttpPlatform, server: DemoPlatformServer) -> None:
    h = client.health()
    assert h["status"] == "ok"
    assert h["service"] == "kiosk-demo-platform"
    assert server.request_log() == [("GET", "/api/v1/health")]


def test_catalog_has_every_department_in_three_scripts(client: HttpPlatform) -> None:
    depts = client.catalog()
    assert {d.id for d in depts} == DEPARTMENTS
    assert len(depts) == 7
    for d in depts:
        assert 2 <= len(d.items) <= 4, d.id
        for text in [d.title] + [i.title for i in d.items]:
            assert set(text.values) >= {"zh_CN", "bo", "ii", "en"}
            assert any("\u4e00" <= ch <= "\u9fff" for ch in text.zh)
            assert any("\u0f00" <= ch <= "\u0fff" for ch in text.get("bo"))
            assert any("\ua000" <= ch <= "\ua48f" for ch in text.get("ii"))
        for item in d.items:
            assert item.department == d.id
            assert item.flow is None or item.flow in KNOWN_FLOWS
    flows = {i.flow for d in depts for i in d.items}
    assert flows == KNOWN_FLOWS | {None}
    social = next(d for d in depts if d.id == "social_insurance")
    assert social.title.zh == "社会保险"
    assert social.items[0].needs == ("idcard", "printer")


def test_queue_types(client: HttpPlatform, server: DemoPlatformServer) -> None:
    types = client.queue_types()
    assert 5 <= len(types) <= 7
    by_id = {t.id: t for t in types}
    si = by_id["social_insurance"]
    assert si.title.zh == "社保业务"
    assert si.counter_group == "1-4"
    assert si.waiting == 6
    assert [t.waiting for t in types] == [q["waiting"] for q in server.seed["queue_types"]]


def test_issue_ticket(client: HttpPlatform, server: DemoPlatformServer) -> None:
    t = client.issue_ticket("social_insurance", "demo-0001", key())
    assert t.number == "A001"
    assert t.type_id == "social_insurance"
    assert t.title.zh == "社保业务"
    assert t.counter_group == "1-4"
    assert t.waiting == 6  # people ahead of this ticket
    assert t.verify_url == f"{server.url}/t/A001"
    assert t.extra == {"terminal_id": "demo-0001"}
    assert t.issued_at.endswith("+08:00")
    after = {q.id: q.waiting for q in client.queue_types()}
    assert after["social_insurance"] == 7
    assert after["medical_insurance"] == 3
    page = requests.get(t.verify_url, timeout=2)
    assert page.status_code == 200
    assert page.text.startswith("A001 社保业务 counters 1-4")


def test_ticket_is_idempotent(client: HttpPlatform) -> None:
    k1 = key()
    first = client.issue_ticket("real_estate", "demo-0001", k1)
    again = client.issue_ticket("real_estate", "demo-0001", k1)
    assert first.number == again.number == "C001"
    assert again.issued_at == first.issued_at
    second = client.issue_ticket("real_estate", "demo-0001", key())
    assert second.number == "C002"
    assert second.waiting == first.waiting + 1
    with pytest.raises(PlatformRejected) as exc:
        client.issue_ticket("taxes", "demo-0001", k1)
    assert (exc.value.status, exc.value.code) == (409, "idempotency_key_reused")


def test_post_without_idempotency_key_is_refused(server: DemoPlatformServer) -> None:
    # The client always sends a key; this is the platform's side of the contract.
    r = requests.post(f"{server.url}/api/v1/queue/tickets", json={"type_id": "general", "terminal_id": "t"}, timeout=2)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "missing_idempotency_key"
    r = requests.post(f"{server.url}/api/v1/submissions/evaluation", json={"level": 5}, timeout=2)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "missing_idempotency_key"


def test_submission_is_stored_once(client: HttpPlatform, server: DemoPlatformServer) -> None:
    k = key()
    payload = {"level": 5, "flow": "queue_ticket", "reasons": ["fast"]}
    first = client.submit("evaluation", payload, k)
    assert first["duplicate"] is False
    assert first["kind"] == "evaluation"
    again = client.submit("evaluation", payload, k)
    assert again["duplicate"] is True
    assert again["id"] == first["id"]
    other = client.submit("evaluation", {"level": 1}, key())
    assert other["id"] != first["id"]
    listed = requests.get(f"{server.url}/api/v1/submissions", timeout=2).json()["submissions"]
    mine = [s for s in listed if s["idempotency_key"] == k]
    assert len(mine) == 1
    assert mine[0]["payload"] == payload
    assert len(listed) == 2


def test_retain_keeps_the_newest_records_only(client: HttpPlatform, server: DemoPlatformServer) -> None:
    """The UI soak lowers the demo platform's bound below its warm-up (DemoPlatformServer.retain):
    tickets, submissions and the request log keep the newest, and what is gone says not found."""
    from kiosk.demo_platform.server import KEEP_RECORDS
    from kiosk.demo_platform.services import KEEP_DOCUMENTS

    server.retain(3)
    try:
        tickets = [client.issue_ticket("social_insurance", "demo-0001", key()) for _ in range(5)]
        for level in range(5):
            client.submit("evaluation", {"level": level + 1}, key())
        assert [s["payload"]["level"] for s in server.submissions()] == [3, 4, 5]
        assert server.ticket_page(tickets[0].number) is None and server.ticket_page(tickets[-1].number)
        assert len(server.request_log()) == 3
    finally:
        server.retain(None)
    assert server.keep == KEEP_RECORDS and server.services.keep_documents == KEEP_DOCUMENTS


def test_submit_checks_kind_before_sending(client: HttpPlatform, server: DemoPlatformServer) -> None:
    for bad in ["", "Evaluation", "../health", "a" * 33, "eval?x=1", "journal-record"]:
        with pytest.raises(ValueError):
            client.submit(bad, {"level": 5}, key())
    with pytest.raises(ValueError):
        client.submit("evaluation", {"level": 5}, "short")
    assert server.request_log() == []


# -- refusals and faults ------------------------------------------------------------------------


def test_unknown_queue_type_is_rejected_without_retry(client: HttpPlatform, server: DemoPlatformServer, sleeps: list[float]) -> None:
    with pytest.raises(PlatformRejected) as exc:
        client.issue_ticket("passports", "demo-0001", key())
    assert exc.value.status == 404
    assert exc.value.code == "unknown_queue_type"
    assert server.request_count("POST", "/api/v1/queue/tickets") == 1
    assert sleeps == []


def test_down_is_unavailable_after_retries(client: HttpPlatform, server: DemoPlatformServer, sleeps: list[float]) -> None:
    server.set_fault("down")
    with pytest.raises(PlatformUnavailable) as exc:
        client.catalog()
    assert type(exc.value) is PlatformUnavailable  # not the PlatformTimeout subclass
    assert exc.value.reason == "unreachable"
    assert server.request_count("GET", "/api/v1/catalog") == RETRIES + 1
    assert sleeps == [BACKOFF, 2 * BACKOFF]


def test_slow_is_timeout_with_growing_backoff(server: DemoPlatformServer, sleeps: list[float]) -> None:
    server.set_fault("slow")
    c = HttpPlatform(server.url, 1.0, 0.2, RETRIES, BACKOFF, sleep=sleeps.append)
    with pytest.raises(PlatformTimeout) as exc:
        c.queue_types()
    assert exc.value.reason == "timeout"
    assert server.request_count("GET", "/api/v1/queue/types") == RETRIES + 1
    assert sleeps == [BACKOFF, 2 * BACKOFF]
    assert sleeps[1] > sleeps[0]
    c.close()


def test_timed_out_post_retries_never_issue_two_numbers(server: DemoPlatformServer, sleeps: list[float]) -> None:
    server.set_fault("slow")
    c = HttpPlatform(server.url, 1.0, 0.2, 1, BACKOFF, sleep=sleeps.append)
    k = key()
    with pytest.raises(PlatformTimeout):
        c.issue_ticket("household", "demo-0001", k)
    assert server.request_count("POST", "/api/v1/queue/tickets") == 2
    # The platform recovers and finishes the held attempts; the kiosk asks once more, same key.
    server.set_fault("none")
    assert server.wait_idle(5.0)
    t = c.issue_ticket("household", "demo-0001", k)
    assert t.number == "D001"
    assert c.issue_ticket("household", "demo-0001", key()).number == "D002"
    c.close()


def test_error500_is_server_error_after_retries(client: HttpPlatform, server: DemoPlatformServer, sleeps: list[float]) -> None:
    server.set_fault("error500")
    with pytest.raises(PlatformServerError) as exc:
        client.health()
    assert exc.value.status == 500
    assert server.request_count("GET", "/api/v1/health") == RETRIES + 1
    assert sleeps == [BACKOFF, 2 * BACKOFF]


def test_error500_on_post_is_retried_with_the_key(client: HttpPlatform, server: DemoPlatformServer, sleeps: list[float]) -> None:
    server.set_fault("error500")
    with pytest.raises(PlatformServerError):
        client.submit("evaluation", {"level": 4}, key())
    assert server.request_count("POST", "/api/v1/submissions/evaluation") == RETRIES + 1
    assert server.submissions() == []


def test_zero_retries_means_one_attempt(server: DemoPlatformServer, sleeps: list[float]) -> None:
    server.set_fault("error500")
    c = HttpPlatform(server.url, 1.0, 2.0, 0, BACKOFF, sleep=sleeps.append)
    with pytest.raises(PlatformServerError):
        c.catalog()
    assert server.request_count("GET", "/api/v1/catalog") == 1
    assert sleeps == []


def test_garbage_is_bad_reply_without_retry(client: HttpPlatform, server: DemoPlatformServer, sleeps: list[float]) -> None:
    server.set_fault("garbage")
    with pytest.raises(PlatformBadReply) as exc:
        client.catalog()
    assert "not JSON" in str(exc.value)
    assert "GET /api/v1/catalog" in str(exc.value)
    assert server.request_count("GET", "/api/v1/catalog") == 1
    assert sleeps == []


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda c: c.health(), "health.status"),
        (lambda c: c.catalog(), "catalog.departments[0].id"),
        (lambda c: c.queue_types(), "queue_types.queue_types[0].waiting"),
        (lambda c: c.issue_ticket("general", "demo-0001", str(uuid.uuid4())), "ticket.number"),
        (lambda c: c.submit("evaluation", {"level": 3}, str(uuid.uuid4())), "submission.duplicate"),
    ],
)
def test_wrong_shape_is_bad_reply_naming_the_field(client: HttpPlatform, server: DemoPlatformServer, call, field: str) -> None:  # type: ignore[no-untyped-def]
    server.set_fault("wrong_shape")
    with pytest.raises(PlatformBadReply) as exc:
        call(client)
    assert str(exc.value).startswith(field + ":")
    assert len(server.request_log()) == 1


def test_reply_size_is_capped(server: DemoPlatformServer) -> None:
    c = HttpPlatform(server.url, 1.0, 2.0, RETRIES, BACKOFF, sleep=lambda s: None, max_reply_bytes=4096)
    with pytest.raises(PlatformBadReply) as exc:
        c.catalog()
    assert "exceeds 4096" in str(exc.value)
    assert c.health()["status"] == "ok"  # small replies still pass
    c.close()


def one_shot_server(reply: bytes) -> tuple[str, threading.Thread]:
    """A socket that answers one request with exactly these bytes: headers a real server would
    never send (no Content-Length, a gzip bomb) without teaching the demo platform to lie."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(5)

    def serve() -> None:
        with listener:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                try:
                    conn.sendall(reply)
                except OSError:
                    pass  # the client hung up once it had read enough: that is the point

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}", t


@pytest.mark.parametrize(
    "headers, body",
    [
        (b"", b'{"status": "ok", "pad": "' + b"x" * 100_000 + b'"}'),
        (b"Content-Encoding: gzip\r\n", gzip.compress(b'{"status": "ok", "pad": "' + b"0" * 1_000_000 + b'"}')),
    ],
    ids=["undeclared-length", "gzip-bomb"],
)
def test_streamed_reply_size_is_capped(headers: bytes, body: bytes) -> None:
    assert len(body) < 200_000
    reply = b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n" + headers + b"\r\n" + body
    url, thread = one_shot_server(reply)
    c = HttpPlatform(url, 1.0, 2.0, 0, BACKOFF, sleep=lambda s: None, max_reply_bytes=50_000)
    with pytest.raises(PlatformBadReply) as exc:
        c.health()
    assert "exceeds 50000 bytes" in str(exc.value)
    thread.join(timeout=5)
    c.close()


def test_closed_port_is_unavailable(sleeps: list[float]) -> None:
    c = HttpPlatform(f"http://127.0.0.1:{free_port()}", 0.5, 0.5, 1, BACKOFF, sleep=sleeps.append)
    with pytest.raises(PlatformUnavailable) as exc:
        c.health()
    assert type(exc.value) is PlatformUnavailable
    assert sleeps == [BACKOFF]


def test_stopped_server_is_unavailable(sleeps: list[float]) -> None:
    srv = DemoPlatformServer()
    url = srv.start()
    c = HttpPlatform(url, 0.5, 0.5, 0, BACKOFF, sleep=sleeps.append)
    assert c.health()["status"] == "ok"
    srv.stop()
    with pytest.raises(PlatformUnavailable):
        c.health()
    c.close()


def test_module_runs_standalone() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.demo_platform.server", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("demo platform on http://127.0.0.1:"), line
        url = line.split()[3]
        c = HttpPlatform(url, 1.0, 2.0, 0, BACKOFF)
        assert len(c.catalog()) == 7
        c.close()
    finally:
        proc.terminate()
        proc.wait(timeout=5)
