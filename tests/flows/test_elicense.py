"""E-licence print against the demo platform: the list with personal numbers masked, the chosen
licence printed with its verification QR code."""
from __future__ import annotations

from tests.support.flowkit import DEMO_ID, JPEG, identity

from devices.printer.document import QRCode
from flows.engine import COMPLETED

FLOW = "elicense_print"


def to_choice(h) -> None:  # noqa: ANN001
    h.send("card_read", identity=identity())
    h.send("face_captured", jpeg=JPEG)
    assert h.step == "choose"


def test_the_resident_id_licence_number_is_masked_in_the_list(harness):
    h = harness(FLOW)
    to_choice(h)
    assert h.option_ids() == ["L1", "L2", "L3"]
    shown = h.texts()
    assert DEMO_ID not in shown and "513327********0282" in shown


def test_print_a_licence_with_its_verification_code(harness):
    h = harness(FLOW, lang="en")
    to_choice(h)
    h.choose("L3")  # the real estate title: its location is masked on paper
    assert h.step == "printed" and h.view.data["print_error"] is None
    doc = h.printer.printed[-1]
    assert doc.kind == "elicense" and doc.lang == "en"
    values = [getattr(b, "value", "") for b in doc.blocks]
    assert any(v.endswith("****") for v in values) and not any("示范村" in v for v in values)
    qr = [b for b in doc.blocks if isinstance(b, QRCode)]
    assert qr and qr[0].data.startswith(h.server.url + "/v/ELD")
    assert h.finish() == COMPLETED


def test_platform_down_at_the_document_says_so(harness, server):
    h = harness(FLOW)
    to_choice(h)
    server.set_fault("down")
    h.choose("L1")
    assert h.step == "error" and h.view.data["reason"] in ("unreachable", "timeout")
    server.set_fault("none")
    h.choose("retry")
    assert h.step == "printed"
