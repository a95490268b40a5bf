"""The printer emulator's cable (the soak's printer_unplugged fault): pulled before a job the
driver refuses without sending; pulled in the middle of a receipt the job is reported as
interrupted and the paper that came out is a partial receipt; plugged back in, it prints. And
its memory: only the newest receipts keep their picture."""
from __future__ import annotations

import pytest

from devices.printer.driver import EscPosPrinter, ruler
from devices.printer.memory import PrintError


@pytest.fixture
def printer(emulator):  # `emulator` from tests/printer/conftest.py
    p = EscPosPrinter(emulator.url, status_timeout_s=0.5, paper_speed_mm_s=1e9)
    yield p
    p.close()


def test_unplugged_before_a_job_then_plugged_back(emulator, printer):
    assert printer.status().usable
    port = emulator.port
    emulator.unplug()
    assert emulator.unplugged
    assert printer.status().reason == "not_responding"
    with pytest.raises(PrintError) as e:
        printer.print_image(ruler(printer.width, 300))
    assert e.value.reason == "not_responding"
    assert emulator.receipts == []

    assert emulator.replug() == f"tcp://127.0.0.1:{port}"  # the same address as before
    assert printer.status().usable
    printer.print_image(ruler(printer.width, 300))
    [receipt] = emulator.wait_receipts(1)
    assert receipt.complete and receipt.rows == 300 and receipt.image.height == 300 + printer.feed_dots


def test_unplugged_in_the_middle_of_a_receipt(emulator, printer):
    emulator.unplug(after_rows=100)
    assert not emulator.unplugged  # not yet: 100 more rows first
    with pytest.raises(PrintError) as e:
        printer.print_image(ruler(printer.width, 600))
    assert e.value.reason.startswith("interrupted:")
    assert emulator.unplugged
    [partial] = emulator.receipts
    assert not partial.complete and partial.rows == 100
    assert partial.path is not None and partial.path.name.endswith("-partial.png")

    emulator.replug()
    printer.print_image(ruler(printer.width, 200))
    receipts = emulator.wait_receipts(2)
    assert receipts[-1].complete and receipts[-1].rows == 200


def test_stop_while_unplugged(emulator):
    emulator.unplug()
    emulator.stop()  # nothing left listening, nothing to join forever
    assert emulator.replug().startswith("tcp://")  # after stop: no new listener
    assert emulator._server is None


def test_only_the_newest_receipts_keep_their_picture(emulator, printer):
    from devices.printer.emulator import KEEP_IMAGES

    for _ in range(KEEP_IMAGES + 2):
        printer.print_image(ruler(printer.width, 40))
    receipts = emulator.wait_receipts(KEEP_IMAGES + 2)
    assert [r.index for r in receipts] == list(range(1, KEEP_IMAGES + 3))
    assert [r.image is not None for r in receipts] == [False] * 2 + [True] * KEEP_IMAGES
    assert all(r.complete and r.rows == 40 and r.path.is_file() for r in receipts)
