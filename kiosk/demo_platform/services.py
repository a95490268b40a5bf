"""The demo platform's 24-hour catalog services: identity codes, face verification, social
insurance certificates, real estate, e-licences, application progress and service guides, all
answered from the seed citizens (seed.json).

Personal services want the citizen in the request body (`id_number`) and, except for face
verification itself, the `verification` token a successful face check returned for that same
citizen: like a real platform, the data of a card's holder is released only to the holder.

Stdlib only, like demo_server.py, which routes requests here and turns `Refusal` into an HTTP
error reply. No personal value ever goes into a log line or an error message.
"""
from __future__ import annotations

import base64
import binascii
import copy
import secrets
import threading
import time
from typing import Any, Callable

from kiosk.platform import guides as guide_search

VERIFICATION_TTL_S = 15 * 60
# Documents (by idempotency key), their verification pages and live face verifications kept:
# the newest only, so a demo platform that answers a terminal for weeks stays the same size.
# A verification page older than that says "not found", which a demo can live with.
KEEP_DOCUMENTS = 2000
KEEP_VERIFICATIONS = 2000
JPEG_MAGIC = b"\xff\xd8"
_NUMBER_LEN = 15


class Refusal(Exception):
    """An error reply: HTTP status, the platform's stable code, a message without personal data."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


class DemoServices:
    def __init__(self, seed: dict[str, Any], base_url: Callable[[], str], now: Callable[[], str]) -> None:
        self.seed = seed
        self._base_url, self._now = base_url, now
        citizens = seed.get("citizens", [])
        self._by_id = {c["id_number"]: c for c in citizens}
        self._by_token = {c["identity_token"]: c for c in citizens if c.get("identity_token")}
        self._applications = {a["number"]: a for c in citizens for a in c.get("applications", [])}
        self._items: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
            item["id"]: (dept, item) for dept in seed.get("departments", []) for item in dept.get("items", [])}
        self._guides = {g["item"]: g for g in seed.get("guides", [])}
        self._lock = threading.Lock()
        # The bounds above, per instance: DemoPlatformServer.retain lowers them.
        self.keep_documents, self.keep_verifications = KEEP_DOCUMENTS, KEEP_VERIFICATIONS
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._verifications: dict[str, tuple[str, float]] = {}
            self._issued_by_key: dict[str, dict[str, Any]] = {}
            self._pages: dict[str, str] = {}  # document number -> verification page text
            self._seq = 0
            self.face_checks = 0

    # -- routing -------------------------------------------------------------------------------
    POST_ROUTES = {
        "/api/v1/identity/token": "_identity_by_token",
        "/api/v1/identity/face": "_verify_face",
        "/api/v1/social-insurance/certificate-types": "_si_types",
        "/api/v1/social-insurance/certificates": "_si_certificate",
        "/api/v1/real-estate/query": "_real_estate",
        "/api/v1/elicenses/list": "_licences",
        "/api/v1/elicenses/document": "_licence_document",
        "/api/v1/applications/status": "_application",
        "/api/v1/guides/search": "_search_guides",
    }

    def post(self, route: str, req: dict[str, Any], key: str) -> tuple[int, Any]:
        handler: Callable[[dict[str, Any], str], tuple[int, Any]] = getattr(self, self.POST_ROUTES[route])
        return handler(req, key)

    def get(self, route: str) -> tuple[int, Any] | None:
        if route == "/api/v1/guides":
            return 200, {"guides": [self._guide_summary(gid) for gid in self._guides]}
        if route.startswith("/api/v1/guides/"):
            gid = route[len("/api/v1/guides/"):]
            if gid not in self._guides:
                raise Refusal(404, "guide_not_found", "no such guide")
            return 200, {"guide": self._guide(gid)}
        return None

    def page(self, route: str) -> str | None:
        """Plain-text pages the printed and on-screen QR codes open (no personal data)."""
        kind, _, ident = route.lstrip("/").partition("/")
        if kind == "a" and ident in self._applications:
            a = self._applications[ident]
            status = self.seed["application_statuses"].get(a["status"], {}).get("zh_CN", a["status"])
            return f"{ident} {status} {a['timeline'][-1]['at']}\n"
        if kind == "g" and ident in self._guides:
            g = self._guide(ident)
            lines = [g["title"]["zh_CN"], *(c["zh_CN"] for c in g["conditions"]),
                     *(m["zh_CN"] for m in g["materials"]), g["time_limit"]["zh_CN"], g["fee"]["zh_CN"],
                     g["counter"]["zh_CN"]]
            return "\n".join(lines) + "\n"
        if kind == "v":
            with self._lock:
                return self._pages.get(ident)
        return None

    # -- identity ------------------------------------------------------------------------------
    def _identity_by_token(self, req: dict[str, Any], key: str) -> tuple[int, Any]:
        token = req.get("token")
        if not isinstance(token, str) or not token:
            raise Refusal(400, "bad_request", "token must be a non-empty string")
        citizen = self._by_token.get(token.strip())
        if citizen is None:
            raise Refusal(404, "unknown_token", "this identity code is not valid or has expired")
        return 200, {"identity": {"name": citizen["name"]["zh_CN"], "id_number": citizen["id_number"]}}

    def _verify_face(self, req: dict[str, Any], key: str) -> tuple[int, Any]:
        citizen = self._citizen(req)
        raw = req.get("jpeg_b64")
        if not isinstance(raw, str) or not raw:
            raise Refusal(400, "bad_image", "jpeg_b64 must be a non-empty base64 string")
        try:
            jpeg = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise Refusal(400, "bad_image", "jpeg_b64 is not base64") from None
        if not jpeg:
            raise Refusal(400, "bad_image", "the image is empty")
        with self._lock:
            self.face_checks += 1
        # The demo has no face model: any JPEG matches, anything else does not. The image is
        # dropped here; nothing of it is kept.
        match = jpeg.startswith(JPEG_MAGIC)
        del jpeg, raw
        token = ""
        if match:
            token = "V" + secrets.token_hex(12)
            now = time.monotonic()
            with self._lock:
                self._verifications[token] = (citizen["id_number"], now + VERIFICATION_TTL_S)
                # Oldest first (insertion order, one TTL): drop the expired, then any over the bound.
                book = self._verifications
                while book:
                    oldest = next(iter(book))
                    if book[oldest][1] >= now and len(book) <= self.keep_verifications:
                        break
                    del book[oldest]
        return 200, {"verdict": {"match": match, "verification": token}}

    def _citizen(self, req: dict[str, Any]) -> dict[str, Any]:
        number = req.get("id_number")
        if not isinstance(number, str) or not number:
            raise Refusal(400, "bad_request", "id_number must be a non-empty string")
        citizen = self._by_id.get(number)
        if citizen is None:
            raise Refusal(404, "citizen_not_found", "no records for this card")
        return citizen

    def _verified(self, req: dict[str, Any]) -> dict[str, Any]:
        citizen = self._citizen(req)
        token = req.get("verification")
        with self._lock:
            held = self._verifications.get(token) if isinstance(token, str) else None
        if held is None or held[0] != citizen["id_number"] or held[1] < time.monotonic():
            raise Refusal(403, "verification_required", "verify the citizen's face first")
        return citizen

    def _number(self, prefix: str) -> str:
        with self._lock:
            self._seq += 1
            seq = self._seq
        return f"{prefix}{self._now()[:10].replace('-', '')}{seq:06d}"

    def _issue(self, key: str, prefix: str, build: Callable[[str, str], dict[str, Any]], page: str) -> dict[str, Any]:
        """A numbered document, once per idempotency key: a retry gets the same number back."""
        with self._lock:
            seen = self._issued_by_key.get(key)
        if seen is not None:
            return copy.deepcopy(seen)
        number = self._number(prefix)
        doc = build(number, f"{self._base_url()}/v/{number}")
        with self._lock:
            doc = self._issued_by_key.setdefault(key, doc)
            self._pages[number] = f"{number} {page} {self._now()} valid\n"
            for book in (self._issued_by_key, self._pages):
                while len(book) > self.keep_documents:
                    del book[next(iter(book))]
        return copy.deepcopy(doc)

    # -- social insurance ----------------------------------------------------------------------
    def _si_types(self, req: dict[str, Any], key: str) -> tuple[int, Any]:
        citizen = self._verified(req)
        return 200, {"certificate_types": [self._si_type(t, citizen) for t in self.seed["si_certificate_types"]]}

    def _si_type(self, spec: dict[str, Any], citizen: dict[str, Any]) -> dict[str, Any]:
        si = citizen["social_insurance"]
        available = "for_status" not in spec or si["status"] in spec["for_status"]
        periods: list[dict[str, Any]] = []
        for p in spec["periods"]:
            if p == "years":
                periods += [{"id": str(y), "kind": "year", "year": y} for y in self._years(si)]
            else:
                periods.append({"id": p, "kind": p})
        out = {"id": spec["id"], "title": spec["title"], "periods": periods if available else [],
               "available": available}
        if not available and spec.get("unavailable"):
            out["reason"] = spec["unavailable"]
        return out

    @staticmethod
    def _contributions(si: dict[str, Any]) -> list[dict[str, Any]]:
        out = []
        for r in si.get("recent", []):
            if "year" in r:
                out.append({"from": f"{r['year']}-01", "to": f"{r['year']}-12", "base_cny": None,
                            "amount_cny": r.get("amount_cny"), "employer": None})
            else:
                out.append({"from": r["from"], "to": r["to"], "base_cny": r.get("base_cny"), "amount_cny": None,
                            "employer": r.get("employer")})
        return out

    def _years(self, si: dict[str, Any]) -> list[int]:
        years: set[int] = set()
        for c in self._contributions(si):
            years.update(range(int(c["from"][:4]), int(c["to"][:4]) + 1))
        return sorted(years, reverse=True)

    def _si_certificate(self, req: dict[str, Any], key: str) -> tuple[int, Any]:
        citizen = self._verified(req)
        spec = next((t for t in self.seed["si_certificate_types"] if t["id"] == req.get("type_id")), None)
        if spec is None:
            raise Refusal(404, "unknown_certificate_type", "no such certificate type")
        offered = self._si_type(spec, citizen)
        if not offered["available"]:
            raise Refusal(409, "certificate_not_available", "this certificate is not available for this citizen")
        period = next((p for p in offered["periods"] if p["id"] == req.get("period_id")), None)
        if period is None:
            raise Refusal(400, "unknown_period", "no such period for this certificate type")
        si = citizen["social_insurance"]
        contributions = self._contributions(si) if spec["id"] == "contributions" else []
        if period["kind"] == "year":
            y = str(period["year"])
            contributions = [c for c in contributions if c["from"][:4] <= y <= c["to"][:4]]

        def build(number: str, url: str) -> dict[str, Any]:
            return {"number": number, "type_id": spec["id"], "title": spec["title"], "period": period,
                    "status": self.seed["si_statuses"][si["status"]],
                    "schemes": [self.seed["insurance_schemes"][s] for s in si["schemes"]],
                    "insured_since": si["insured_since"], "months_paid": si["months_paid"],
                    "employer": si.get("employer"), "contributions": contributions,
                    "issued_at": self._now(), "verify_url": url}

        return 200, {"certificate": self._issue(key, "SIC", build, f"si:{spec['id']}")}

    # -- real estate ---------------------------------------------------------------------------
    def _real_estate(self, req: dict[str, Any], key: str) -> tuple[int, Any]:
        citizen = self._verified(req)
        titles = [e for e in citizen["elicenses"] if e["type"] == "real_estate_title"]
        properties = [{
            "id": f"P{i + 1}",
            "certificate_number": e["number"],
            "location": e["details"]["location"],
            # Privacy by default: a platform that says nothing gets the location masked.
            "mask_location": bool(e["details"].get("mask_location", True)),
            "area_m2": e["details"]["area_m2"],
            "use": e["details"]["use"],
            "share": e["details"]["share"],
            "registered_on": e["issued_on"],
        } for i, e in enumerate(titles)]

        def build(number: str, url: str) -> dict[str, Any]:
            return {"number": number, "properties": properties, "queried_at": self._now(), "verify_url": url}

        return 200, {"query": self._issue(key, "REQ", build, f"real_estate:{len(properties)}")}

    # -- e-licences ----------------------------------------------------------------------------
    def _licence(self, citizen: dict[str, Any], index: int) -> dict[str, Any]:
        e = citizen["elicenses"][index]
        return {"id": f"L{index + 1}", "type": e["type"], "title": self.seed["licence_types"][e["type"]],
                "number": e["number"], "issuer": e["issuer"], "issued_on": e["issued_on"],
                "valid_until": e["valid_until"]}

    def _licences(self, req: dict[str, Any], key: str) -> tuple[int, Any]:
        citizen = self._verified(req)
        return 200, {"licences": [self._licence(citizen, i) for i in range(len(citizen["elicenses"]))]}

    def _licence_document(self, req: dict[str, Any], key: str) -> tuple[int, Any]:
        citizen = self._verified(req)
        lid = req.get("licence_id")
        ids = [f"L{i + 1}" for i in range(len(citizen["elicenses"]))]
        if lid not in ids:
            raise Refusal(404, "licence_not_found", "no such licence for this citizen")
        index = ids.index(lid)
        details = citizen["elicenses"][index].get("details", {})
        labels = self.seed["licence_detail_labels"]
        fields = []
        for name, value in details.items():
            if name not in labels:
                continue  # flags such as mask_location are not printed
            text = f"{value} m\u00b2" if name == "area_m2" else str(value)
            fields.append({"label": labels[name], "value": text,
                           "mask": name == "location" and bool(details.get("mask_location", True))})
        licence = self._licence(citizen, index)

        def build(number: str, url: str) -> dict[str, Any]:
            return {"licence": licence, "fields": fields, "document_number": number, "issued_at": self._now(),
                    "verify_url": url}

        return 200, {"document": self._issue(key, "ELD", build, f"elicence:{licence['type']}")}

    # -- applications --------------------------------------------------------------------------
    def _application(self, req: dict[str, Any], key: str) -> tuple[int, Any]:
        number = req.get("number")
        if not isinstance(number, str) or len(number) != _NUMBER_LEN or not number[:2].isalpha() \
                or not number[2:].isdigit():
            raise Refusal(400, "bad_number", "an application number is two letters and 13 digits")
        a = self._applications.get(number)
        if a is None:
            raise Refusal(404, "application_not_found", "no application with this number")
        statuses = self.seed["application_statuses"]
        item = self._items.get(a["service"])
        service = item[1]["title"] if item else {"zh_CN": a["service"]}
        return 200, {"application": {
            "number": number, "service": service, "status": a["status"], "status_title": statuses[a["status"]],
            "timeline": [{"status": e["status"], "title": statuses[e["status"]], "at": e["at"], "office": e["office"]}
                         for e in a["timeline"]],
        }}

    # -- service guides ------------------------------------------------------------------------
    def _guide_summary(self, gid: str) -> dict[str, Any]:
        dept, item = self._items[gid]
        return {"id": gid, "department": dept["id"], "department_title": dept["title"], "title": item["title"],
                "initials": self._guides[gid]["initials"]}

    def _guide(self, gid: str) -> dict[str, Any]:
        g = self._guides[gid]
        return {**self._guide_summary(gid), "conditions": g["conditions"], "materials": g["materials"],
                "time_limit": g["time_limit"], "fee": g["fee"], "counter": g["counter"],
                "url": f"{self._base_url()}/g/{gid}"}

    def _search_guides(self, req: dict[str, Any], key: str) -> tuple[int, Any]:
        query = req.get("query")
        if not isinstance(query, str) or len(query) > 64:
            raise Refusal(400, "bad_request", "query must be a string of at most 64 characters")
        found = guide_search.search(query, [self._guide_summary(g) for g in self._guides],
                                    lambda g: g["title"], lambda g: g["initials"])
        return 200, {"guides": found}
