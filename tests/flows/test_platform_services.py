"""The platform calls the 24-hour catalog adds, through the real client against the demo
platform: answers, refusals, and replies parsed strictly (PlatformBadReply naming the field)."""
from __future__ import annotations

import copy
import uuid

import pytest
import requests
from tests.support.flowkit import DEMO_APPLICATION, DEMO_ID, JPEG, NOT_JPEG, citizen

from kiosk.platform import parse
from kiosk.platform.api import CitizenRef, PlatformBadReply, PlatformRejected


@pytest.fixture
def verified(platform) -> CitizenRef:  # noqa: ANN001
    verdict = platform.verify_face(CitizenRef(DEMO_ID), JPEG)
    assert verdict.match and verdict.verification
    return CitizenRef(DEMO_ID, verdict.verification)


def test_identity_by_token(platform):
    ident = platform.identity_by_token(citizen()["identity_token"])
    assert ident.id_number == DEMO_ID and ident.name == citizen()["name"]["zh_CN"]
    assert DEMO_ID not in repr(ident)
    with pytest.raises(PlatformRejected) as e:
        platform.identity_by_token("IDT-NOPE")
    assert e.value.code == "unknown_token"


def test_face_verification(platform, server):
    assert platform.verify_face(CitizenRef(DEMO_ID), NOT_JPEG).match is False
    with pytest.raises(PlatformRejected) as e:
        platform.verify_face(CitizenRef("110101199001011234"), JPEG)
    assert e.value.code == "citizen_not_found"
    with pytest.raises(ValueError):
        platform.verify_face(CitizenRef(DEMO_ID), b"")
    # Nothing in any URL: the photo and the ID number travel in the body only.
    assert all(DEMO_ID not in path for _, path in server.request_log())


def test_personal_calls_need_a_verification(platform):
    for call in (lambda c: platform.si_certificate_types(c), lambda c: platform.real_estate_properties(c),
                 lambda c: platform.elicenses(c)):
        with pytest.raises(PlatformRejected) as e:
            call(CitizenRef(DEMO_ID, "Vforged"))
        assert e.value.code == "verification_required" and e.value.status == 403


def test_si_certificate(platform, verified, server):
    types = {t.id: t for t in platform.si_certificate_types(verified)}
    assert [p.id for p in types["contributions"].periods] == ["2025", "all"]
    cert = platform.si_certificate(verified, "contributions", "2025")
    assert cert.months_paid == 180 and cert.contributions[0].amount_cny == 300
    assert cert.verify_url.startswith(server.url + "/v/")
    page = requests.get(cert.verify_url, timeout=5).text
    assert cert.number in page and DEMO_ID not in page
    with pytest.raises(PlatformRejected) as e:
        platform.si_certificate(verified, "contributions", "1999")
    assert e.value.code == "unknown_period"


def test_a_retried_certificate_request_gets_the_same_number(server, verified):
    body = {"id_number": DEMO_ID, "verification": verified.verification, "type_id": "record", "period_id": "current"}
    key = str(uuid.uuid4())
    url = server.url + "/api/v1/social-insurance/certificates"
    first = requests.post(url, json=body, headers={"Idempotency-Key": key}, timeout=5).json()
    again = requests.post(url, json=body, headers={"Idempotency-Key": key}, timeout=5).json()
    assert first["certificate"]["number"] == again["certificate"]["number"]


def test_real_estate_and_licences(platform, verified):
    record = platform.real_estate_properties(verified)
    assert len(record.properties) == 1 and record.properties[0].mask_location is True
    licences = platform.elicenses(verified)
    assert [x.type for x in licences] == ["resident_id", "household_register", "real_estate_title"]
    doc = platform.elicense_document(verified, "L3")
    assert [f.mask for f in doc.fields] == [True, False, False, False]
    with pytest.raises(PlatformRejected) as e:
        platform.elicense_document(verified, "L9")
    assert e.value.code == "licence_not_found"


def test_application_status(platform, server):
    a = platform.application_status(DEMO_APPLICATION)
    assert a.status == "reviewing" and [e.status for e in a.timeline] == ["submitted", "reviewing"]
    with pytest.raises(PlatformRejected) as e:
        platform.application_status("SC2026000000000")
    assert e.value.code == "application_not_found"
    with pytest.raises(ValueError):
        platform.application_status("SC12")
    assert requests.get(f"{server.url}/a/{DEMO_APPLICATION}", timeout=5).status_code == 200


def test_guides(platform, server):
    guides = platform.guides()
    assert len(guides) == 11 and all(g.initials.isupper() for g in guides)
    assert [g.id for g in platform.search_guides("bdc")] == ["re_guide", "re_mortgage"]
    guide = platform.guide("si_retirement")
    assert len(guide.conditions) == 2 and guide.url == f"{server.url}/g/si_retirement"
    with pytest.raises(PlatformRejected) as e:
        platform.guide("nope")
    assert e.value.code == "guide_not_found"


@pytest.mark.parametrize("call", ["guides", "application_status", "identity_by_token"])
def test_wrong_shape_is_a_bad_reply(platform, server, call):
    server.set_fault("wrong_shape")
    with pytest.raises(PlatformBadReply):
        {"guides": lambda: platform.guides(),
         "application_status": lambda: platform.application_status(DEMO_APPLICATION),
         "identity_by_token": lambda: platform.identity_by_token("x")}[call]()


CERT = {"certificate": {
    "number": "SIC20261122000001", "type_id": "record", "title": {"zh_CN": "x"},
    "period": {"id": "current", "kind": "current"}, "status": {"zh_CN": "x"}, "schemes": [{"zh_CN": "x"}],
    "insured_since": "2011-01", "months_paid": 12, "employer": None,
    "contributions": [{"from": "2025-01", "to": "2025-12", "base_cny": None, "amount_cny": 300}],
    "issued_at": "2026-11-22T10:00:00+08:00", "verify_url": "https://x.example/v/1"}}


@pytest.mark.parametrize("path,value,field", [
    (("months_paid",), "12", "certificate.months_paid"),
    (("months_paid",), True, "certificate.months_paid"),
    (("insured_since",), "2011-13", "certificate.insured_since"),
    (("period", "kind"), "decade", "certificate.period.kind"),
    (("contributions", 0, "to"), "2024-12", "certificate.contributions[0]"),
    (("contributions", 0, "amount_cny"), -1, "certificate.contributions[0].amount_cny"),
    (("verify_url",), "javascript:alert(1)", "certificate.verify_url"),
    (("number",), "SIC 1", "certificate.number"),
    (("schemes",), "x", "certificate.schemes"),
])
def test_certificate_parser_is_strict(path, value, field):
    raw = copy.deepcopy(CERT)
    node = raw["certificate"]
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    with pytest.raises(PlatformBadReply) as e:
        parse.parse_si_certificate(raw)
    assert field in str(e.value)
    assert parse.parse_si_certificate(CERT).months_paid == 12


@pytest.mark.parametrize("raw,field", [
    ({"verdict": {"match": "yes", "verification": ""}}, "verdict.match"),
    ({"verdict": {"match": True, "verification": ""}}, "verdict.verification"),
    ({"identity": {"name": "", "id_number": "1"}}, "identity.name"),
    ({"query": {"number": "R1", "properties": [{"id": "P1"}], "queried_at": "2026-11-22", "verify_url": "https://x/v"}},
     "query.properties[0]"),
    ({"licences": [{"id": "L1", "type": "t", "title": "x", "number": "1", "issuer": "x", "issued_on": "2020-02-30",
                    "valid_until": None}]}, "licences[0].issued_on"),
    ({"application": {"number": "SC1", "service": "x", "status": "s", "status_title": "x", "timeline": []}},
     "application.number"),
    ({"guides": [{"id": "g", "department": "d", "department_title": "x", "title": "x", "initials": "sb"}]},
     "guides[0].initials"),
    ({"certificate_types": [{"id": "a", "title": "x", "periods": []}]}, "certificate_types.certificate_types[0]"),
])
def test_other_parsers_are_strict(raw, field):
    parser = {"verdict": parse.parse_face_verdict, "identity": parse.parse_identity, "query": parse.parse_real_estate,
              "licences": parse.parse_licences, "application": parse.parse_application, "guides": parse.parse_guides,
              "certificate_types": parse.parse_certificate_types}[next(iter(raw))]
    with pytest.raises(PlatformBadReply) as e:
        parser(raw)
    assert field in str(e.value)
    assert DEMO_ID not in str(e.value)
