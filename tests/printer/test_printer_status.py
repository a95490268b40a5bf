"""DLE EOT replies: every documented bit, every bad shape, and the judgement never says ok
without three good bytes."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.printer import status as s
from devices.printer.emulator import STATUS_BYTES
from devices.printer.status import PrinterState as P
from devices.status import DEGRADED, FAULT, OK

IDLE = 0x12
FREE_BITS = (2, 3, 5, 6)  # the bits a reply may set; 0, 1, 4, 7 are the fixed shape


def test_exactly_the_0xx1xx10_shape_is_accepted():
    valid = []
    for v in range(256):
        try:
            s.check_shape(v)
            valid.append(v)
        except s.BadStatusByte:
            pass
    assert len(valid) == 16 and IDLE in valid
    assert all(v & 0x01 == 0 and v & 0x02 and v & 0x10 and v & 0x80 == 0 for v in valid)


@pytest.mark.parametrize("bad", [0x00, 0xFF, 0x13, 0x10, 0x02, 0x92, 0x11, 0x32 | 0x80, 0x16 ^ 0x10, 256, -1])
def test_bad_shapes_are_rejected(bad):
    with pytest.raises(s.BadStatusByte):
        s.check_shape(bad)
    for parse in (s.parse_printer, s.parse_offline_cause, s.parse_error_cause, s.parse_paper):
        with pytest.raises(s.BadStatusByte):
            parse(bad)


def test_idle_bytes_mean_nothing_is_wrong():
    assert s.parse_printer(IDLE) == s.PrinterBits(False, False, False, False)
    assert s.parse_offline_cause(IDLE) == s.OfflineCause(False, False, False, False)
    assert s.parse_error_cause(IDLE) == s.ErrorCause(False, False, False)
    assert s.parse_paper(IDLE) == s.PaperSensor(False, False)


@pytest.mark.parametrize("bit, field", [(2, "drawer_pin3"), (3, "offline"), (5, "waiting_recovery"), (6, "feed_button")])
def test_n1_printer_bits(bit, field):
    parsed = s.parse_printer(IDLE | 1 << bit)
    assert getattr(parsed, field) is True
    assert sum(vars(parsed).values()) == 1


@pytest.mark.parametrize("bit, field", [(2, "cover_open"), (3, "feeding_by_button"), (5, "paper_end_stop"), (6, "error")])
def test_n2_offline_cause_bits(bit, field):
    parsed = s.parse_offline_cause(IDLE | 1 << bit)
    assert getattr(parsed, field) is True
    assert sum(vars(parsed).values()) == 1


@pytest.mark.parametrize("bit, field", [(3, "autocutter"), (5, "unrecoverable"), (6, "auto_recoverable")])
def test_n3_error_cause_bits(bit, field):
    parsed = s.parse_error_cause(IDLE | 1 << bit)
    assert getattr(parsed, field) is True
    assert sum(vars(parsed).values()) == 1
    assert field.replace("_", "-") in s.describe_error(IDLE | 1 << bit)


def test_n3_bit2_is_not_an_error_cause():
    assert s.parse_error_cause(IDLE | 0x04) == s.ErrorCause(False, False, False)


@pytest.mark.parametrize("bit, field", [(2, "near_end"), (3, "near_end"), (5, "paper_end"), (6, "paper_end")])
def test_n4_paper_sensor_bits(bit, field):
    parsed = s.parse_paper(IDLE | 1 << bit)
    assert getattr(parsed, field) is True
    assert sum(vars(parsed).values()) == 1


def reply(n1=IDLE, n2=IDLE, n4=IDLE) -> bytes:
    return bytes((n1, n2, n4))


@pytest.mark.parametrize("raw, state", [
    (reply(), P.OK),
    (reply(n4=IDLE | 0x0C), P.NEAR_END),
    (reply(n4=IDLE | 0x04), P.NEAR_END),
    (reply(n4=IDLE | 0x08), P.NEAR_END),
    (reply(n1=IDLE | 0x08, n2=IDLE | 0x20, n4=IDLE | 0x6C), P.PAPER_OUT),
    (reply(n4=IDLE | 0x20), P.PAPER_OUT),  # the sensor alone is enough
    (reply(n4=IDLE | 0x40), P.PAPER_OUT),
    (reply(n2=IDLE | 0x20), P.PAPER_OUT),
    (reply(n1=IDLE | 0x08, n2=IDLE | 0x04), P.COVER_OPEN),
    (reply(n1=IDLE | 0x08, n2=IDLE | 0x24, n4=IDLE | 0x60), P.COVER_OPEN),  # cover first: close it, then paper
    (reply(n1=IDLE | 0x08, n2=IDLE | 0x40), P.ERROR),
    (reply(n1=IDLE | 0x08), P.OFFLINE),
    (reply(n1=IDLE | 0x08, n2=IDLE | 0x08), P.OFFLINE),  # paper fed by the button
    (reply(n1=IDLE | 0x08, n4=IDLE | 0x0C), P.OFFLINE),
    (reply(n1=IDLE | 0x04 | 0x20 | 0x40), P.OK),  # drawer, waiting, button: nothing that stops printing
    (b"", P.NOT_RESPONDING),
    (bytes((IDLE,)), P.UNKNOWN),
    (bytes((IDLE, IDLE)), P.UNKNOWN),
    (bytes((IDLE, IDLE, IDLE, IDLE)), P.UNKNOWN),
    (reply(n1=0x00), P.UNKNOWN),
    (reply(n2=0xFF), P.UNKNOWN),
    (reply(n4=0x13), P.UNKNOWN),
])
def test_classify(raw, state):
    assert s.classify(raw).state is state


@given(st.binary(max_size=5))
def test_never_ok_without_three_good_idle_bytes(raw):
    reading = s.classify(raw)
    if reading.state is P.OK:
        assert len(raw) == 3
        for b in raw:
            s.check_shape(b)
        assert not raw[0] & 0x08 and not raw[1] & 0x64 and not raw[2] & 0x6C


def test_device_status_reasons():
    assert s.device_status(s.Reading(P.OK)).state == OK
    near = s.device_status(s.Reading(P.NEAR_END))
    assert (near.state, near.reason, near.usable) == (DEGRADED, "paper_near_end", True)
    for state, reason in [(P.PAPER_OUT, "paper_out"), (P.COVER_OPEN, "cover_open"), (P.OFFLINE, "offline"),
                          (P.ERROR, "printer_error"), (P.NOT_RESPONDING, "not_responding"),
                          (P.UNKNOWN, "status_unknown")]:
        st_ = s.device_status(s.Reading(state))
        assert (st_.state, st_.reason, st_.usable) == (FAULT, reason, False)


def test_the_query_is_dle_eot_1_2_4():
    assert s.QUERY == b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"


@pytest.mark.parametrize("name", sorted(STATUS_BYTES))
def test_emulator_replies_have_the_shape_and_mean_their_state(name):
    b = STATUS_BYTES[name]
    for v in b.values():
        s.check_shape(v)
    assert s.classify(bytes((b[1], b[2], b[4]))).state.value == name
