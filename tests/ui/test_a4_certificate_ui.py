"""Issue 20: the social insurance certificate finished in the window with the demo's A4 printer
(the private cupsd of devices/a4printer/localcups.py behind the real IPP driver): on A4 when the
printer is healthy; on the receipt printer, said on screen, when its queue is stopped; and after
a job the printer aborts, a reprint tapped on the screen comes out once on the receipt printer.
Taps are real touches; the ID card goes through the simulator and the real serial driver."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from devices.a4printer import localcups
from devices.a4printer.family import SIM_QUEUE

pytestmark = pytest.mark.ui

FLOW = "social_insurance_certificate"


@pytest.fixture
def a4(ui):  # noqa: ANN001, ANN201
    """The demo's A4 printer, ready; put back to healthy afterwards whatever the test did."""
    why = localcups.available()
    if why:
        pytest.skip(why)
    hub = ui.app.services.hub
    ui.pump(lambda: (s := hub.status("a4printer")) is not None and s.state == "ok", frames=1200)
    cups = hub.sims["a4printer"]
    folder = Path(cups.root) / SIM_QUEUE
    yield cups, folder
    (folder / "mode").unlink(missing_ok=True)
    cups.lp("cupsenable", SIM_QUEUE)
    hub.refresh("a4printer")
    ui.pump(frames=2)


def pdfs(folder: Path) -> list[Path]:
    return sorted(folder.glob("job-*.pdf"))


def complete_receipts(ui) -> int:  # noqa: ANN001
    return len([r for r in ui.emulator.receipts if r.complete])


def to_printed(ui) -> None:  # noqa: ANN001
    """From the start screen to the printed step, the citizen's way: tap the tile, the card on
    the reader, the face, the certificate's choices and Print, each a touch on its button."""
    from kiosk.demo.rig import demo_card
    from tests.ui.test_every_flow_ui import demo_inputs

    c = ui.c
    citizen, inputs = demo_inputs(c)
    tile = ui.button(option_id=f"flow:{FLOW}")
    assert tile.enabled
    ui.tap(tile)
    runner = c.runner
    for _ in range(40):
        ui.pump(frames=2)
        assert not runner.ended and runner.step != "failsafe", runner.reason
        if runner.step == "printed":
            return
        view = runner.view
        if view.kind == "identify":
            ui.app.services.hub.sims["idcard"].present(demo_card(citizen))
            ui.pump(lambda: runner.view.kind != "identify", frames=3000)
            ui.app.services.hub.sims["idcard"].remove()
        elif view.kind == "face":
            runner.send("face_captured", jpeg=inputs.jpeg)  # the camera's picture (no face here)
        elif view.kind == "waiting":
            ui.pump(lambda: runner.view is not view or runner.ended, frames=3000)
        elif runner.step == "preview":
            ui.tap(ui.button(option_id="print"))
        else:
            ui.tap(ui.button(option_id=next(o.id for o in view.options if o.enabled)))
    raise AssertionError(f"never printed: at {runner.step}")


def finish(ui) -> None:  # noqa: ANN001
    """Done from the printed step (the evaluation is not this test's subject)."""
    c = ui.c
    runner = c.runner
    ui.tap(ui.button(option_id="done"))
    ui.pump(lambda: c.runner is None)
    assert runner.outcome == "completed"


def jobs(ui) -> list[tuple[str, str, str | None]]:  # noqa: ANN001
    rows = ui.app.services.journal.rows("print_jobs")
    return [(r["kind"], r["state"], r["detail"]) for r in rows if r["flow"] == FLOW]


def test_certificate_prints_on_a4(ui, a4):
    cups, folder = a4
    before_pdfs, before_receipts, before_jobs = pdfs(folder), complete_receipts(ui), jobs(ui)
    to_printed(ui)
    assert "请从 A4 打印机的出纸口取走文件。" in ui.texts()
    assert ui.c.runner.flow.print_error is None
    new = [p for p in pdfs(folder) if p not in before_pdfs]
    assert len(new) == 1 and complete_receipts(ui) == before_receipts  # A4 only, once
    assert jobs(ui)[len(before_jobs):] == [("si_certificate", "done", None)]
    text = subprocess.run(["pdftotext", str(new[0]), "-"], capture_output=True, text=True, timeout=30).stdout
    assert "社会保险" in text.replace(" ", "") or "参保" in text.replace(" ", "")
    finish(ui)


def test_a4_queue_stopped_falls_back_to_the_receipt_printer_and_says_so(ui, a4):
    cups, folder = a4
    cups.lp("cupsdisable", SIM_QUEUE)  # the A4 printer offline, as a technician would see it
    ui.app.services.hub.refresh("a4printer")
    ui.pump(frames=2)
    assert ui.app.services.hub.status("a4printer").reason == "offline"
    before_pdfs, before_receipts, before_jobs = pdfs(folder), complete_receipts(ui), jobs(ui)
    to_printed(ui)
    said = ui.texts()
    assert "A4 打印机暂不可用，已改用凭条打印机打印" in said and "打印完成" in said
    assert pdfs(folder) == before_pdfs and complete_receipts(ui) == before_receipts + 1
    assert jobs(ui)[len(before_jobs):] == [("si_certificate", "done", None)]
    finish(ui)


def test_a4_job_aborted_is_said_and_a_tapped_reprint_comes_out_once_on_receipt(ui, a4):
    cups, folder = a4
    (folder / "mode").write_text("fail")  # the printer aborts the job (backend error)
    before_pdfs, before_receipts, before_jobs = pdfs(folder), complete_receipts(ui), jobs(ui)
    to_printed(ui)
    c = ui.c
    assert c.runner.flow.print_error == "aborted"
    said = ui.texts()
    assert "没有打印出来" in said and "A4 打印机出了问题" in said and "改用凭条打印机打印" in said
    ui.tap(ui.button(option_id="reprint"))
    ui.pump(lambda: c.runner.step == "printed" and c.runner.flow.print_error is None, frames=3000)
    assert "A4 打印机暂不可用，已改用凭条打印机打印" in ui.texts()
    assert pdfs(folder) == before_pdfs and complete_receipts(ui) == before_receipts + 1
    assert jobs(ui)[len(before_jobs):] == [("si_certificate", "failed", "aborted"), ("si_certificate", "done", None)]
    assert not any(o.id == "reprint" for o in c.runner.view.options)
    finish(ui)
