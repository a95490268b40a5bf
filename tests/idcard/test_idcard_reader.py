"""The real driver against the simulator over real pseudo-terminals."""
from __future__ import annotations

import logging
import os
import tty

import pytest
import serial

from devices.idcard import reader as r
from devices.idcard.reader import IdCardReader, read_once
from devices.status import DEGRADED, FAULT, OK
from devices.supervisor import Supervisor
from tests.support.idcard_cards import CARD_FILES, load_card, no_sleep


def expected_json(card: dict) -> dict:
    return {k: v for k, v in card.items() if k not in ("card_version", "renewal_count")}


@pytest.mark.parametrize("fault", ["none", "noisy", "badchk"])
@pytest.mark.parametrize("name", CARD_FILES)
def test_every_card_type_reads_through_every_line_fault(sim_factory, name, fault):
    card = load_card(name)
    sim = sim_factory(card, fault=fault, seed=hash(name) & 0xFFFF)
    record = read_once(sim.path, timeout_s=5, sleep=no_sleep)
    out = record.to_json()
    assert {k: out[k] for k in expected_json(card)} == expected_json(card)
    assert out["has_photo"] is True


def test_noisy_line_really_was_noisy_and_the_driver_says_so(sim_factory):
    sim = sim_factory(load_card("resident_han.json"), fault="noisy", halt_after_read=False, seed=7)
    reader = IdCardReader(sim.path, sleep=no_sleep, removal_polls=1)
    reader.open()
    try:
        for _ in range(12):
            sim.remove()
            reader.poll()
            sim.present(load_card("resident_han.json"))
            assert reader.poll() is not None
        assert reader._decoder.skipped > 0  # garbage was there and was skipped
        assert reader.resends > 0  # and some answers were damaged inside, then resent
        assert reader.status().state in (OK, DEGRADED)
    finally:
        reader.close()


def test_bad_checksum_is_retried_and_bounded(sim_factory):
    sim = sim_factory(load_card("permit_hk.json"), fault="badchk")
    reader = IdCardReader(sim.path, sleep=no_sleep)
    reader.open()
    assert reader.poll() is not None and sim.reads == 1 and reader.resends == 1
    reader.close()
    # With no retries allowed, the damaged first answer is all there is: a typed error.
    sim.present(load_card("permit_hk.json"))
    reader = IdCardReader(sim.path, sleep=no_sleep, retries=0)
    reader.open()
    with pytest.raises(r.LineError):
        reader.poll()
    assert reader.status().reason == "line_errors"
    reader.close()


def test_late_card(sim_factory):
    sim = sim_factory()
    sim.present(load_card("resident_tibetan_garze.json"), after_finds=5)
    record = read_once(sim.path, timeout_s=5, sleep=no_sleep)
    assert record.nation_code == "04" and sim.finds == 6


def test_no_card_times_out_on_an_injected_clock(sim_factory, fake_clock):
    sim = sim_factory(load_card("resident_han.json"), fault="nocard")
    with pytest.raises(r.NoCardTimeout) as e:
        read_once(sim.path, timeout_s=2.0, monotonic=fake_clock.monotonic, sleep=fake_clock.sleep)
    assert e.value.reason == "no_card"
    assert sim.finds >= 10 and sum(fake_clock.sleeps) == pytest.approx(2.0)


def test_sam_out_of_service(sim_factory):
    sim = sim_factory(load_card("resident_han.json"), fault="sam")
    with pytest.raises(r.SamOutOfService) as e:
        read_once(sim.path, timeout_s=1, sleep=no_sleep)
    assert e.value.reason == "sam_out_of_service"
    reader = IdCardReader(sim.path, sleep=no_sleep)
    with pytest.raises(r.SamOutOfService):
        reader.open()
    assert reader.status().state == FAULT and reader.status().reason == "sam_out_of_service"


def test_sam_fault_while_running_and_self_test(sim_factory):
    sim = sim_factory(load_card("resident_han.json"))
    reader = IdCardReader(sim.path, sleep=no_sleep)
    reader.open()
    assert reader.self_test().state == OK
    assert len(reader.sam_id()) == 32
    sim.set_fault("sam")
    assert reader.self_test().reason == "sam_out_of_service"
    with pytest.raises(r.SamOutOfService):
        reader.poll()
    sim.set_fault("none")
    assert reader.self_test().state == OK
    reader.close()


def test_reader_not_answering(tmp_path):
    master, slave = os.openpty()  # a port with nothing behind it
    tty.setraw(slave)
    try:
        with pytest.raises(r.ReaderNotResponding) as e:
            read_once(os.ttyname(slave), timeout_s=0.1)
        assert e.value.reason == "not_responding"
    finally:
        os.close(master)
        os.close(slave)


def test_missing_port_is_reader_gone(tmp_path):
    with pytest.raises(r.ReaderGone):
        read_once(str(tmp_path / "no-such-port"), timeout_s=0.1)


def test_fingerprint_read(sim_factory):
    sim = sim_factory(load_card("resident_yi_liangshan.json"))
    reader = IdCardReader(sim.path, read_fingerprint=True, sleep=no_sleep)
    reader.open()
    record = reader.poll()
    reader.close()
    assert record.long_term and record.valid_until is None
    assert record.fingerprint is not None and len(record.fingerprint) == 512
    assert "fingerprint" not in record.to_json()


@pytest.mark.parametrize("halt_after_read", [True, False])
def test_one_read_per_presentation(sim_factory, halt_after_read):
    card = load_card("resident_han.json")
    sim = sim_factory(card, halt_after_read=halt_after_read)
    cards, removed = [], []
    reader = IdCardReader(sim.path, sleep=no_sleep, on_card=cards.append, on_removed=lambda: removed.append(1))
    reader.open()
    try:
        for _ in range(25):  # the card stays on the reader
            reader.poll()
        assert len(cards) == 1
        sim.remove()
        for _ in range(3):
            reader.poll()
        assert len(removed) == 1
        sim.present(card)
        for _ in range(10):
            reader.poll()
        assert len(cards) == 2
        assert cards[0] == cards[1]
    finally:
        reader.close()


def test_poll_paces_itself_when_idle(sim_factory):
    sim = sim_factory()
    sleeps: list[float] = []
    reader = IdCardReader(sim.path, sleep=sleeps.append, poll_interval_s=0.25)
    reader.open()
    assert reader.poll() is None and sleeps == [0.25]
    reader.close()


def test_unplug_raises_a_typed_error(sim_factory):
    sim = sim_factory(load_card("resident_han.json"))
    reader = IdCardReader(sim.path, sleep=no_sleep)
    reader.open()
    assert reader.poll() is not None
    sim.unplug()
    with pytest.raises(r.ReaderGone) as e:
        for _ in range(3):
            reader.poll()
    assert e.value.reason == "disconnected"
    assert reader.status().state == FAULT and reader.status().reason == "disconnected"
    reader.close()


class ExplodingPort:
    """A pyserial port whose USB bridge vanishes on the first read."""

    in_waiting = 0

    def reset_input_buffer(self) -> None:
        pass

    def write(self, data: bytes) -> int:
        return len(data)

    def read(self, n: int) -> bytes:
        raise serial.SerialException("device reports readiness to read but returned no data")

    def close(self) -> None:
        pass


def test_serial_exception_becomes_reader_gone():
    reader = IdCardReader("/dev/ttyFAKE", serial_factory=lambda *a, **k: ExplodingPort(), sleep=no_sleep)
    with pytest.raises(r.ReaderGone):
        reader.open()

    def refuse(*a, **k):
        raise serial.SerialException("could not open port /dev/ttyFAKE")

    with pytest.raises(r.ReaderGone):
        IdCardReader("/dev/ttyFAKE", serial_factory=refuse).open()


def test_supervisor_goes_fault_then_ok_after_the_reader_returns(sim_factory, tmp_path, fake_clock):
    link = tmp_path / "ttyIDCARD"  # a stable name, like a udev symlink
    sim = sim_factory(load_card("resident_han.json"), link=link)
    cards: list = []
    reader = IdCardReader(str(link), sleep=no_sleep, on_card=cards.append)
    changes: list[tuple[str, str]] = []
    sup = Supervisor("idcard", reader, on_status=lambda name, s: changes.append((s.state, s.reason)),
                     monotonic=fake_clock.monotonic, sleep=fake_clock.sleep)
    sup.step()
    assert sup.status.state == OK and len(cards) == 1
    sim.unplug()
    sup.step()
    assert (sup.status.state, sup.status.reason) == (FAULT, "disconnected")
    sup.step()  # still gone: reopening fails, backoff grows (on the fake clock, no waiting)
    assert sup.status.state == FAULT and fake_clock.sleeps[-1] > fake_clock.sleeps[0]
    sim.replug()
    sup.step()
    assert sup.status.state == OK and sup.reopens == 1
    assert changes == [(OK, ""), (FAULT, "disconnected"), (OK, "")]


def test_supervisor_reports_sam_out_of_service(sim_factory, fake_clock):
    sim = sim_factory(load_card("resident_han.json"), fault="sam")
    sup = Supervisor("idcard", IdCardReader(sim.path, sleep=no_sleep),
                     monotonic=fake_clock.monotonic, sleep=fake_clock.sleep)
    sup.step()
    assert (sup.status.state, sup.status.reason) == (FAULT, "sam_out_of_service")
    sim.set_fault("none")
    sup.step()
    assert sup.status.state == OK


def test_port_url_forms():
    assert r.port_from_url("serial:///dev/ttyUSB0?baud=9600") == ("/dev/ttyUSB0", 9600)
    assert r.port_from_url("serial:///dev/ttyUSB0") == ("/dev/ttyUSB0", None)
    assert r.port_from_url("/dev/ttyS1") == ("/dev/ttyS1", None)
    assert IdCardReader("serial:///dev/ttyUSB0?baud=9600").baud == 9600


def test_logs_never_carry_personal_data(sim_factory, caplog):
    caplog.set_level(logging.DEBUG)
    for name in CARD_FILES:
        card = load_card(name)
        sim = sim_factory(card, fault="noisy", seed=3)
        read_once(sim.path, timeout_s=5, sleep=no_sleep)
        sim.set_fault("badchk")
        sim.present(card)
        read_once(sim.path, timeout_s=5, sleep=no_sleep)
        secrets = [card["name"], card["id_number"], card.get("address"), card.get("name_en"),
                   card["birth_date"].replace("-", "")]
        text = caplog.text
        assert not [s for s in secrets if s and s in text]
    assert "read:" in caplog.text  # the log does say what happened


def test_a_second_process_gets_a_busy_error_not_garbled_frames(sim_factory):
    sim = sim_factory(load_card("resident_han.json"))
    first = IdCardReader(sim.path, sleep=no_sleep)
    first.open()
    try:
        with pytest.raises(r.ReaderBusy) as e:
            IdCardReader(sim.path, sleep=no_sleep).open()
        assert e.value.reason == "busy"
    finally:
        first.close()


def test_a_failing_listener_does_not_fault_the_reader(sim_factory):
    sim = sim_factory(load_card("resident_han.json"))

    def broken(record):
        raise RuntimeError("flow bug")

    reader = IdCardReader(sim.path, sleep=no_sleep, on_card=broken)
    reader.open()
    assert reader.poll() is not None and reader.status().state == OK
    reader.close()
