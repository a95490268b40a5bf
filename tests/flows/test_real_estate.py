"""Real estate query against the demo platform: the list (masked where the platform says so), the
printed query certificate, "nothing registered", and platform trouble."""
from __future__ import annotations

from tests.support.flowkit import JPEG, identity, secrets_of

from flows.engine import COMPLETED

FLOW = "real_estate_query"


def to_properties(h, id_number=None) -> None:  # noqa: ANN001
    h.send("card_read", identity=identity(id_number) if id_number else identity())
    h.send("face_captured", jpeg=JPEG)
    assert h.step == "properties", h.step


def test_properties_are_listed_masked_and_printed_as_a_certificate(harness):
    h = harness(FLOW, lang="ii")
    to_properties(h)
    shown = h.texts()
    assert "炉霍县新都镇****" in shown  # the platform asked for this location to be masked
    assert "示范村2组15号" not in shown
    for secret in secrets_of():
        assert secret not in shown
    assert h.view.data["count"] == 1
    h.choose("print")
    assert h.step == "printed" and h.view.data["print_error"] is None
    doc = h.printer.printed[-1]
    assert doc.kind == "real_estate_query" and doc.lang == "ii"
    printed_rows = [getattr(b, "value", "") for b in doc.blocks]
    assert "炉霍县新都镇****" in printed_rows and not any("示范村" in v for v in printed_rows)
    assert h.finish() == COMPLETED


def test_a_location_the_platform_does_not_mask_is_shown_in_full(harness):
    h = harness(FLOW, id_number="513401195803120465")
    to_properties(h, "513401195803120465")
    assert "西昌市长安街道示范社区3组27号" in h.texts()


def test_nothing_registered_is_an_answer_and_printable(harness):
    h = harness(FLOW, id_number="513431195509170136")  # no real estate in the seed
    to_properties(h, "513431195509170136")
    assert h.view.data["count"] == 0 and "没有查到登记在您名下的不动产" in h.texts()
    h.choose("print")
    assert h.printer.printed[-1].kind == "real_estate_query"
    h.choose("done")
    assert h.outcome == COMPLETED


def test_paper_out_then_reprint_is_a_second_job(harness):
    h = harness(FLOW)
    to_properties(h)
    h.printer.state = "paper_out"
    h.choose("print")
    assert h.step == "printed" and h.view.data["print_error"] == "paper_out"
    assert h.view.data["qr"].startswith(h.server.url + "/v/REQ")  # carry it on a phone instead
    assert "reprint" in h.option_ids()
    h.printer.state = "ok"
    h.choose("reprint")
    assert h.view.data["print_error"] is None and len(h.printer.printed) == 1
    assert [j["state"] for j in h.journal.rows("print_jobs")] == ["failed", "done"]


def test_a_print_that_never_answers_times_out_with_a_reprint(harness):
    h = harness(FLOW)
    to_properties(h)
    h.drive(until="printing")
    h.expire()
    assert h.step == "printed" and h.view.data["print_error"] == "timeout"


def test_platform_error500_at_loading(harness, server):
    h = harness(FLOW)
    h.send("card_read", identity=identity())
    h.switch.hold.add("loading")
    h.send("face_captured", jpeg=JPEG)
    server.set_fault("error500")
    h.switch.release()
    assert h.step == "error" and h.view.data["reason"] == "server_error"
    assert h.option_ids() == ["retry", "home"]
