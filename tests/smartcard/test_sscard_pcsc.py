"""The real path: pyscard -> libpcsclite -> pcscd -> vpcd -> the project's virtual card.

The supervisor is stepped by the test with an injected sleep (recorded, not waited), so
backoff never costs wall time; the only waits are bounded polls on what pcscd reports.
"""
from __future__ import annotations

import json
import time

import pytest

from devices.smartcard.apdu import CardRemoved
from devices.status import FAULT, OK
from devices.supervisor import Supervisor
from devices.smartcard.virtual_card import CARDS_DIR

JSON_KEYS = ["card_number", "card_id", "spec_version", "issue_date", "expiry_date"]


def expected_json(name: str, holder: bool = True) -> dict[str, str]:
    obj = json.loads((CARDS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    out = {k: obj[k] for k in JSON_KEYS}
    if holder and not obj.get("protect_ef06"):
        out |= {"ssn": obj["ssn"], "name": obj["name"]}
    return out


class Events:
    def __init__(self) -> None:
        self.cards: list = []
        self.removed = 0
        self.errors: list[Exception] = []
        self.statuses: list[tuple[str, str]] = []
        self.sleeps: list[float] = []

    def reader(self, reader_name: str):  # noqa: ANN201
        from devices.smartcard.reader import SmartCardReader

        return SmartCardReader(reader_name, on_card=self.cards.append, on_removed=self._removed,
                               on_read_error=self.errors.append, poll_timeout_s=0.1)

    def _removed(self) -> None:
        self.removed += 1

    def supervisor(self, driver) -> Supervisor:  # noqa: ANN001
        return Supervisor("smartcard", driver, on_status=lambda n, s: self.statuses.append((s.state, s.reason)),
                          sleep=self.sleeps.append)


def step_until(sup: Supervisor, predicate, timeout_s: float = 8.0, what: str = "condition") -> None:  # noqa: ANN001
    """Step the supervisor (each poll blocks <= 0.1 s in SCardGetStatusChange) until predicate()."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; status {sup.status}")
        sup.step()
        if sup.status.state == FAULT:
            time.sleep(0.02)  # a faulted step returns at once (sleep is injected): do not spin hot


@pytest.mark.parametrize("name", ["han", "tibetan"])
def test_read_once_through_real_pcscd(pcscd, slot, name):
    from devices.smartcard.reader import read_once

    slot.insert(name)
    record = read_once(slot.reader, 5)
    assert record.to_json() == expected_json(name)
    assert list(record.to_json()) == JSON_KEYS + ["ssn", "name"]


def test_protected_ef06_gives_issuer_data_only(pcscd, slot):
    from devices.smartcard.reader import read_once

    slot.insert("tibetan", protect_ef06=True)
    record = read_once(slot.reader, 5)
    assert record.to_json() == expected_json("tibetan", holder=False)
    assert record.ssn is None and record.name is None
    assert (0xB2, 1, 0x34, 0x6982) in slot.card.apdu_log


def test_61xx_get_response_path_through_pcscd(pcscd, slot):
    from devices.smartcard.reader import read_once

    slot.insert("han", get_response=True, get_response_chunk=7)
    assert read_once(slot.reader, 5).to_json() == expected_json("han")
    log = slot.card.apdu_log
    assert any(sw >> 8 == 0x61 for *_, sw in log)
    get_responses = [e for e in log if e[0] == 0xC0]
    assert len(get_responses) > 10 and any(sw >> 8 == 0x61 for *_, sw in get_responses)  # repeated


def test_6cxx_wrong_le_path_through_pcscd(pcscd, slot):
    from devices.smartcard.reader import read_once

    slot.insert("tibetan", answer_6c_first=True)
    assert read_once(slot.reader, 5).to_json() == expected_json("tibetan")
    log = slot.card.apdu_log
    wrong = [i for i, e in enumerate(log) if e[3] >> 8 == 0x6C]
    assert len(wrong) == 10
    for i in wrong:  # each 6Cxx is followed by the same READ RECORD, answered 9000
        assert log[i + 1][:3] == log[i][:3] and log[i + 1][3] == 0x9000


def test_supervised_reader_reads_once_per_insertion(pcscd, slot):
    ev = Events()
    sup = ev.supervisor(ev.reader(slot.reader))
    sup.step()
    assert sup.status.state == OK
    slot.insert("han")
    step_until(sup, lambda: ev.cards, what="a card event")
    for _ in range(5):  # still in the reader: no second read
        sup.step()
    assert len(ev.cards) == 1 and ev.cards[0].to_json() == expected_json("han")
    slot.remove()
    step_until(sup, lambda: ev.removed, what="the removal event")
    slot.insert("tibetan")
    step_until(sup, lambda: len(ev.cards) == 2, what="the second card")
    assert ev.cards[1].to_json() == expected_json("tibetan")
    assert ev.errors == [] and sup.status.state == OK and ev.sleeps == []
    sup.stop()


def test_card_pulled_mid_read_emits_no_record_and_reader_stays_ok(pcscd, slot):
    ev = Events()
    sup = ev.supervisor(ev.reader(slot.reader))
    sup.step()
    slot.insert("han", pull_after_apdus=4)  # SELECT + 3 EF05 records, then gone
    step_until(sup, lambda: ev.errors and ev.removed, what="the read error and the removal")
    assert ev.cards == []
    assert isinstance(ev.errors[0], CardRemoved)
    assert slot.card.pulled.is_set()
    assert sup.status.state == OK and ev.statuses == [(OK, "")]
    # The next presentation reads normally.
    slot.insert("han", pull_after_apdus=None)
    step_until(sup, lambda: ev.cards, what="a complete read after the pull")
    assert ev.cards[0].to_json() == expected_json("han")
    assert len(ev.errors) == 1 and sup.status.state == OK
    sup.stop()


def test_no_reader_matching_is_a_fault_with_reason(pcscd):
    ev = Events()
    sup = ev.supervisor(ev.reader("No Such Reader 42"))
    sup.step()
    assert (sup.status.state, sup.status.reason) == (FAULT, "no_reader")
    sup.step()
    assert ev.sleeps == [1.0, 2.0]  # backoff went through the injected sleep


def test_self_test_reports_ok_and_no_reader(pcscd):
    from devices.smartcard.reader import SmartCardReader

    assert SmartCardReader(pcscd.reader).self_test().state == OK
    st = SmartCardReader("No Such Reader 42").self_test()
    assert (st.state, st.reason) == (FAULT, "no_reader")


def test_survives_pcscd_restart_and_reader_loss(owned_pcscd, slot, tmp_path):
    """pcscd killed -> fault(pcscd_down); pcscd back without the vpcd reader -> fault(no_reader);
    pcscd back with it -> ok and the card still in the slot is read again. No test code reopens
    anything: the supervisor does, from its own steps."""
    ev = Events()
    reader = ev.reader(slot.reader)
    sup = ev.supervisor(reader)
    slot.insert("tibetan")
    step_until(sup, lambda: ev.cards, what="the first read")

    owned_pcscd.stop()
    step_until(sup, lambda: sup.status.reason == "pcscd_down", what="fault pcscd_down")
    sup.step()  # reopening fails while pcscd is away: still down, backoff grows (injected)
    assert (sup.status.state, sup.status.reason) == (FAULT, "pcscd_down")
    assert len(ev.sleeps) >= 2 and ev.sleeps[1] > ev.sleeps[0]

    empty_conf = tmp_path / "reader.conf.d"
    empty_conf.mkdir()
    owned_pcscd.start(config_dir=empty_conf, wait_for_vpcd=False)  # a daemon with no reader at all
    step_until(sup, lambda: sup.status.reason == "no_reader", what="fault no_reader")

    owned_pcscd.stop()
    owned_pcscd.start()  # the reader is back (the card reconnects to vpcd by itself)
    step_until(sup, lambda: sup.status.state == OK and len(ev.cards) == 2, what="recovery and a second read")
    assert ev.cards[1].to_json() == expected_json("tibetan")
    assert ev.statuses == [(OK, ""), (FAULT, "pcscd_down"), (FAULT, "no_reader"), (OK, "")]
    assert sup.reopens == 1  # the one successful reopen; failed attempts are not counted
    sup.stop()
