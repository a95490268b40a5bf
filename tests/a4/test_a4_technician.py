"""Issue 20: the A4 printer in technician mode (named, a print self-test, its fault codes in words
with its own fixes) and its demo simulator, which starts its cupsd on first use, not at build."""
from __future__ import annotations

import contextlib

import pytest

from devices import registry
from devices.a4printer import localcups
from kiosk.diag import dashboard as tech
from kiosk.i18n.translator import Translator


def test_the_a4_printer_is_named_and_has_a_print_self_test():
    t = Translator()
    assert t.text(tech.device_name("a4printer"), "zh_CN") == "A4 打印机"
    test = tech.DeviceTest("a4printer")
    assert ("run", "tech.test.print") in [(a, m.id) for a, m in test.actions]
    assert test.body.id == "tech.test.body.a4printer"


@pytest.mark.parametrize("reason", ["paper_out", "offline", "not_responding"])
def test_a4_faults_get_the_a4_fix_not_the_receipt_rolls(reason):
    assert tech.fix_for(reason, "a4printer").id == f"tech.fix.a4.{reason}"
    assert tech.fix_for(reason, "printer").id == f"tech.fix.{reason}"
    row = tech.DeviceRow("a4printer", "fault", reason, "2026-01-01 00:00")
    assert dict(row.problem.params)["fix"].id == f"tech.fix.a4.{reason}"


@pytest.mark.parametrize("reason", ["door_open", "paper_jam", "toner_out", "toner_low", "paper_low", "no_queue",
                                    "cups_unavailable", "aborted"])
def test_a4_codes_in_words(reason):
    words = Translator().text(tech.reason_text(reason), "zh_CN")
    assert reason in words and words != reason


def test_sim_starts_its_cupsd_on_first_use(tmp_path):
    if localcups.available():
        pytest.skip(localcups.available())
    with contextlib.ExitStack() as resources:
        ctx = registry.BuildContext("a4printer", resources, sim_dir=tmp_path)
        driver = registry.build("a4printer", registry.SIM, ctx)
        cups = ctx.sims["a4printer"]
        assert not cups.running  # building is cheap: nothing started before the first frame
        assert driver.status().state == "ok" and cups.running
    assert not cups.running  # stopped with the resources


def test_a_cupsd_left_by_a_killed_kiosk_is_stopped_by_the_next_start(tmp_path):
    """kill -9 of the kiosk leaves its private cupsd running (its own session); the next start
    on the same folder stops it instead of leaving one more per restart."""
    import os

    if localcups.available():
        pytest.skip(localcups.available())
    first = localcups.LocalCups(tmp_path)
    first.start()
    stale = first.proc
    first.proc = None  # the kiosk died without stopping it
    second = localcups.LocalCups(tmp_path)
    try:
        second.start()
        stale.wait(5)  # gone: wait() raises TimeoutExpired if it still ran
        assert second.running and second.proc.pid != stale.pid
        assert (tmp_path / "cupsd.pid").read_text().strip() == str(second.proc.pid)
    finally:
        second.stop()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(stale.pid, 9)
