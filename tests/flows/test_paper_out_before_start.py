"""Issue 15 #5: with the paper out before the start, the queue ticket and the real-estate query
still run: the number or the result is shown on screen with a QR code to carry on a phone, and
nothing is sent to a printer that cannot print. Printing comes back with the printer."""
from __future__ import annotations

from types import SimpleNamespace

from flows.registry import FLOWS
from tests.support.flowkit import JPEG, identity


def out_of_paper(state: dict[str, bool]):
    return lambda name: SimpleNamespace(usable=state["usable"], state="ok" if state["usable"] else "fault",
                                        reason="" if state["usable"] else "paper_out") if name == "printer" else None


def test_flows_that_can_show_their_result_on_screen_do_not_need_the_printer():
    assert "printer" not in FLOWS["queue_ticket"].needs and "printer" not in FLOWS["real_estate_query"].needs
    # a certificate is the paper: those still need it
    assert "printer" in FLOWS["social_insurance_certificate"].needs
    # every flow that asks the platform says so, so an outage greys it (issue 15 #4)
    assert all("platform" in f.needs for fid, f in FLOWS.items() if fid != "evaluation")


def test_queue_ticket_with_paper_out_shows_the_number_and_qr_without_printing(harness):
    printer = {"usable": False}
    h = harness("queue_ticket", device_status=out_of_paper(printer))
    h.choose(h.option_ids()[0])
    assert h.step == "ticket" and h.view.data["number"] and h.view.data["qr"]
    assert h.view.data["print_error"] == "printer_unavailable"
    assert "reprint" not in h.option_ids() and h.printer.printed == []
    assert h.journal.rows("print_jobs") == []
    printer["usable"] = True  # paper loaded: printing is offered again
    h.send("device_status", name="printer", state="ok", reason="")
    assert h.option_ids()[0] == "reprint"
    h.choose("reprint")
    assert h.printer.printed[-1].kind == "queue_ticket"


def test_real_estate_with_paper_out_shows_the_result_with_its_qr(harness):
    printer = {"usable": False}
    h = harness("real_estate_query", device_status=out_of_paper(printer))
    h.send("card_read", identity=identity())
    h.send("face_captured", jpeg=JPEG)
    assert h.step == "properties"
    assert h.view.data["qr"] and h.view.data["qr"].startswith(h.server.url)
    assert "print" not in h.option_ids() and h.view.body.id == "re.list.no_printer"
    printer["usable"] = True
    h.send("device_status", name="printer", state="ok", reason="")
    assert h.option_ids()[0] == "print" and h.view.data["qr"] is None
