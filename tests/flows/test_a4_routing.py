"""Issue 20 #3: flows choose the printer per document kind ([printing] in the config). An official
document goes to the A4 printer when one is fitted and healthy; otherwise to the receipt printer
(a4_fallback = "receipt") or to nobody, with its QR code on the screen (a4_fallback = "screen");
the screen says which in words. Every job goes through the print journal, nothing twice.

Without Kivy or CUPS: the printers are MemoryPrinters (the real CupsPrinter is tested against a
real cupsd in tests/a4 and in the window in tests/ui/test_a4_certificate_ui.py)."""
from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from devices.printer.memory import MemoryPrinter
from flows.common import can_serve, print_route
from kiosk.core import config as config_mod
from tests.support.flowkit import CONFIG, JPEG, identity


class Printers:
    """The two printers and what the kiosk knows of their state (device_status)."""

    def __init__(self) -> None:
        self.receipt, self.a4 = MemoryPrinter(), MemoryPrinter()

    def status(self, name: str):  # noqa: ANN201 - what the hub answers: None when not fitted
        printer = {"printer": self.receipt, "a4printer": self.a4}.get(name)
        if printer is None:
            return None
        s = printer.status()
        return SimpleNamespace(usable=s.usable, state=s.state, reason=s.reason)


def certificate(harness, printers: Printers, fallback: str = "receipt", kinds=None):  # noqa: ANN001, ANN201
    h = harness("social_insurance_certificate", printer=printers.receipt, device_status=printers.status)
    printing = dataclasses.replace(CONFIG.printing, a4_fallback=fallback,
                                   **({} if kinds is None else {"a4_kinds": kinds}))
    h.ctx.config = dataclasses.replace(CONFIG, printing=printing)
    h.ctx.a4printer = printers.a4
    h.drive(until="preview")
    return h


def jobs(h) -> list[tuple[str, str, str | None]]:  # noqa: ANN001
    return [(r["kind"], r["state"], r["detail"]) for r in h.journal.rows("print_jobs")]


def test_a_healthy_a4_printer_prints_the_certificate(harness):
    printers = Printers()
    h = certificate(harness, printers)
    h.choose("print")
    assert h.step == "printed" and h.view.body.id == "printed.a4.body"
    assert [d.kind for d in printers.a4.printed] == ["si_certificate"] and printers.receipt.printed == []
    assert jobs(h) == [("si_certificate", "done", None)]


def test_a4_down_prints_on_the_receipt_printer_and_says_so(harness):
    printers = Printers()
    printers.a4.state = "paper_out"
    h = certificate(harness, printers)
    h.choose("print")
    assert h.view.title.id == "printed.title" and h.view.body.id == "printed.a4_fallback.body"
    assert printers.a4.printed == [] and [d.kind for d in printers.receipt.printed] == ["si_certificate"]
    assert jobs(h) == [("si_certificate", "done", None)]


def test_a4_down_with_screen_fallback_prints_nothing_and_shows_the_qr(harness):
    printers = Printers()
    printers.a4.state = "offline"
    h = certificate(harness, printers, fallback="screen")
    h.choose("print")
    assert h.step == "printed" and h.view.title.id == "printed.a4_screen.title"
    assert h.view.body.id == "printed.a4_screen.body"
    assert h.view.data["qr"] == h.flow.certificate().verify_url and h.view.data["qr"].startswith(h.server.url)
    assert "reprint" not in h.option_ids()  # nothing can print it now: no button that fails again
    assert printers.a4.printed == printers.receipt.printed == [] and jobs(h) == []
    printers.a4.state = "ok"  # the technician resumed the queue: printing is offered again
    h.send("device_status", name="a4printer", state="ok", reason="")
    assert h.option_ids()[0] == "reprint"
    h.choose("reprint")
    assert h.view.body.id == "printed.a4.body" and len(printers.a4.printed) == 1
    assert jobs(h) == [("si_certificate", "done", None)]


class FailsOnce(MemoryPrinter):
    """An A4 printer whose job fails (paper ran out mid-job) and which then says so."""

    def print_document(self, doc) -> None:  # noqa: ANN001
        from devices.printer.memory import PrintError

        self.state = "paper_out"
        raise PrintError("paper_out", "media-empty during the job")


def test_a4_failing_mid_job_offers_the_receipt_printer_and_prints_once(harness):
    printers = Printers()
    printers.a4 = FailsOnce()
    h = certificate(harness, printers)
    h.choose("print")
    assert h.view.title.id == "printed.failed.title" and h.view.body.id == "printed.a4_failed.body"
    assert h.view.data["print_error"] == "paper_out" and h.view.data["qr"]
    h.choose("reprint")
    assert h.view.body.id == "printed.a4_fallback.body"
    assert [d.kind for d in printers.receipt.printed] == ["si_certificate"]
    # the failed A4 job and the receipt that came out: two rows, one printed
    assert jobs(h) == [("si_certificate", "failed", "paper_out"), ("si_certificate", "done", None)]
    assert "reprint" not in h.option_ids()


def test_without_an_a4_printer_or_outside_a4_kinds_the_receipt_printer_prints(harness):
    printers = Printers()
    h = certificate(harness, printers, kinds=())
    h.choose("print")
    assert h.view.body.id == "printed.body" and len(printers.receipt.printed) == 1 and printers.a4.printed == []
    h2 = certificate(harness, Printers())
    h2.ctx.a4printer = None  # [devices] a4printer = "none"
    assert print_route(h2.ctx, "si_certificate").device == "printer"


@pytest.mark.parametrize("flow_id,kind", [("elicense_print", "elicense"), ("real_estate_query", "real_estate_query")])
def test_the_other_official_documents_go_to_a4(harness, flow_id, kind):
    printers = Printers()
    h = harness(flow_id, printer=printers.receipt, device_status=printers.status)
    h.ctx.a4printer = printers.a4
    h.send("card_read", identity=identity())
    h.send("face_captured", jpeg=JPEG)
    for _ in range(5):
        if h.step == "printed":
            break
        h.choose("print" if "print" in h.option_ids() else h.option_ids()[0])
    assert h.step == "printed" and [d.kind for d in printers.a4.printed] == [kind]
    assert printers.receipt.printed == []


def test_real_estate_with_both_printers_down_keeps_the_result_on_screen(harness):
    printers = Printers()
    printers.a4.state = printers.receipt.state = "paper_out"
    h = harness("real_estate_query", printer=printers.receipt, device_status=printers.status)
    h.ctx.a4printer = printers.a4
    h.send("card_read", identity=identity())
    h.send("face_captured", jpeg=JPEG)
    assert h.step == "properties" and "print" not in h.option_ids() and h.view.data["qr"]
    printers.a4.state = "ok"
    h.send("device_status", name="a4printer", state="ok", reason="")
    assert h.option_ids()[0] == "print"


def test_start_tile_is_served_by_any_route():
    printers = Printers()
    status = printers.status
    assert can_serve(CONFIG, "si_certificate", status)
    printers.receipt.state = "paper_out"  # the A4 printer still prints certificates
    assert can_serve(CONFIG, "si_certificate", status)
    printers.a4.state = "offline"  # neither: the tile greys
    assert not can_serve(CONFIG, "si_certificate", status)
    screen = dataclasses.replace(CONFIG, printing=dataclasses.replace(CONFIG.printing, a4_fallback="screen"))
    assert can_serve(screen, "si_certificate", status)  # the QR code on the screen serves it
    no_a4 = lambda name: status(name) if name == "printer" else None  # noqa: E731 - not fitted
    assert not can_serve(screen, "si_certificate", no_a4)  # without an A4 printer: receipts as before


def test_printing_config_is_typed_and_errors_name_the_key(tmp_path):
    assert CONFIG.printing.a4_kinds == ("si_certificate", "real_estate_query", "elicense")
    assert CONFIG.printing.a4_fallback == "receipt"
    site = tmp_path / "site.toml"
    site.write_text('profile = "demo"\n[printing]\na4_kinds = ["si_certificate", "queue_ticket"]\n'
                    'a4_fallback = "paper"\n')
    with pytest.raises(config_mod.ConfigError) as e:
        config_mod.load(None, site)
    text = str(e.value)
    assert "printing.a4_kinds[1]: expected one of si_certificate, real_estate_query, elicense" in text
    assert "printing.a4_fallback: expected one of receipt, screen" in text
    site.write_text('profile = "demo"\n[printing]\na4_kinds = ["elicense"]\na4_fallback = "screen"\n')
    assert config_mod.load(None, site).printing == config_mod.PrintingConfig(("elicense",), "screen")


class Aborts(MemoryPrinter):
    """An A4 printer that aborts the job and still calls itself healthy (CUPS after a backend
    error: no printer reason is left)."""

    def print_document(self, doc) -> None:  # noqa: ANN001
        from devices.printer.memory import PrintError

        raise PrintError("aborted", "backend failed")


@pytest.mark.parametrize("fallback", ["receipt", "screen"])
def test_a_job_the_a4_printer_aborted_is_not_sent_to_it_again(harness, fallback):
    printers = Printers()
    printers.a4 = Aborts()
    h = certificate(harness, printers, fallback=fallback)
    h.choose("print")
    assert h.view.data["print_error"] == "aborted" and h.view.data["qr"]
    if fallback == "screen":  # no paper by config: the QR, in words, and no button that fails again
        assert h.view.body.id == "printed.a4_screen.body" and "reprint" not in h.option_ids()
        assert jobs(h) == [("si_certificate", "failed", "aborted")]
        return
    assert h.view.body.id == "printed.a4_failed.body"
    h.choose("reprint")
    assert [d.kind for d in printers.receipt.printed] == ["si_certificate"]
    assert jobs(h) == [("si_certificate", "failed", "aborted"), ("si_certificate", "done", None)]
