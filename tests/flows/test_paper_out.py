"""The demo profile's real print path (ESC/POS over TCP to the printer emulator): the roll runs
out in the middle of a certificate, the citizen is told and can carry it as a QR code; paper is
loaded, the reprint is a new job and comes out whole."""
from __future__ import annotations

import pytest

from devices.printer.driver import EscPosPrinter
from kiosk.i18n.receipt_shaper import SHAPER
from tests.support.flowkit import JPEG, identity


@pytest.fixture
def escpos(emulator):
    p = EscPosPrinter(emulator.url, shaper=SHAPER, status_timeout_s=0.5, paper_speed_mm_s=1e9)
    yield p
    p.close()


def test_paper_out_mid_print_then_reprint(harness, emulator, escpos):
    h = harness("social_insurance_certificate", lang="bo", printer=escpos)
    h.send("card_read", identity=identity())
    h.send("face_captured", jpeg=JPEG)
    h.choose("record")
    emulator.run_out_after_rows(120)  # the roll ends a third of the way down the certificate
    h.choose("print")
    assert h.step == "printed" and h.view.data["print_error"] == "interrupted:paper_out"
    assert h.view.data["qr"].startswith(h.server.url + "/v/SIC")
    receipts = emulator.wait_receipts(1)
    assert not receipts[-1].complete
    emulator.set_state("ok")  # the technician loaded paper
    h.choose("reprint")
    assert h.view.data["print_error"] is None
    receipts = emulator.wait_receipts(2)
    assert receipts[-1].complete and receipts[-1].path.is_file()
    assert [j["state"] for j in h.journal.rows("print_jobs")] == ["failed", "done"]


def test_printer_out_of_paper_before_printing_refuses_without_sending(harness, emulator, escpos):
    emulator.set_state("paper_out")
    h = harness("service_guide", printer=escpos)
    h.send("search", query="sb")
    h.choose(h.option_ids()[0])
    h.choose("print")
    assert h.view.data["print_error"] == "paper_out"
    job = h.journal.rows("print_jobs")[-1]
    assert job["state"] == "failed" and job["attempts"] == 0  # status first: not a byte was sent
    assert emulator.receipts == []


def test_with_the_printer_still_out_no_reprint_is_offered_until_it_is_back(harness, emulator, escpos):
    """Issue 15: "reprint" stayed the first button while the printer was out and failed silently."""
    from types import SimpleNamespace

    printer = {"usable": False}
    h = harness("service_guide", printer=escpos,
                device_status=lambda name: SimpleNamespace(usable=printer["usable"]) if name == "printer" else None)
    emulator.set_state("paper_out")
    h.send("search", query="sb")
    h.choose(h.option_ids()[0])
    h.choose("print")
    assert h.view.data["print_error"] == "paper_out"
    assert "reprint" not in h.option_ids()
    h.choose("reprint")  # a stale tap on a button that is gone does nothing
    assert h.step == "printed" and [j["state"] for j in h.journal.rows("print_jobs")] == ["failed"]
    emulator.set_state("ok")
    printer["usable"] = True
    h.send("device_status", name="printer", state="ok", reason="")
    assert h.option_ids()[0] == "reprint"
