"""APDU building (byte-exact) and the 61xx / 6Cxx loop, against scripted fake cards."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.smartcard.apdu import (MAX_ROUNDS, P2_EF05, P2_EF06, SSSE_DDF_NAME, CardError, CardRemoved,
                                    ProtectedData, ProtocolError, SmartCardError, exchange, get_response,
                                    read_record, select_ssse, with_le)

H = bytes.fromhex


def test_select_ssse_is_byte_exact():
    assert select_ssse() == H("00 A4 04 00 0F 73 78 31 2E 73 68 2E C9 E7 BB E1 B1 A3 D5 CF")
    assert len(SSSE_DDF_NAME) == 0x0F


@pytest.mark.parametrize(("record", "p2", "le", "expected"), [
    (1, P2_EF05, 18, "00 B2 01 2C 12"),
    (7, P2_EF05, 11, "00 B2 07 2C 0B"),
    (1, P2_EF06, 20, "00 B2 01 34 14"),
    (2, P2_EF06, 32, "00 B2 02 34 20"),
    (4, P2_EF06, 0, "00 B2 04 34 00"),
    (6, P2_EF06, 256, "00 B2 06 34 00"),
])
def test_read_record_is_byte_exact(record, p2, le, expected):
    assert read_record(record, p2, le) == H(expected)


def test_p2_values_are_sfi_shifted_with_record_number_flag():
    assert P2_EF05 == (5 << 3) | 4 == 0x2C
    assert P2_EF06 == (6 << 3) | 4 == 0x34


def test_get_response_is_byte_exact():
    assert get_response(0x12) == H("00 C0 00 00 12")
    assert get_response(256) == H("00 C0 00 00 00")


@pytest.mark.parametrize("bad", [(0, P2_EF05, 1), (0xFF, P2_EF05, 1), (1, 0x100, 1), (1, P2_EF05, 257), (1, P2_EF05, -1)])
def test_read_record_rejects_out_of_range_arguments(bad):
    with pytest.raises(ValueError):
        read_record(*bad)


def test_with_le_handles_every_apdu_case():
    assert with_le(H("00 B2 01 2C"), 5) == H("00 B2 01 2C 05")  # case 1
    assert with_le(H("00 B2 01 2C 12"), 6) == H("00 B2 01 2C 06")  # case 2
    assert with_le(H("00 A4 04 00 02 AA BB"), 9) == H("00 A4 04 00 02 AA BB 09")  # case 3
    assert with_le(H("00 A4 04 00 02 AA BB 00"), 9) == H("00 A4 04 00 02 AA BB 09")  # case 4


class ScriptedCard:
    """Answers from a list, records what it was sent."""

    def __init__(self, *answers: str) -> None:
        self.answers = [H(a) for a in answers]
        self.sent: list[bytes] = []

    def __call__(self, apdu: bytes) -> bytes:
        self.sent.append(apdu)
        return self.answers.pop(0)


def test_plain_9000_returns_the_data():
    card = ScriptedCard("01 02 90 00")
    assert exchange(card, read_record(1, P2_EF05, 2)) == H("01 02")
    assert card.sent == [H("00 B2 01 2C 02")]


def test_61xx_sends_get_response_with_that_le_repeatedly():
    card = ScriptedCard("61 06", "AA BB CC 61 03", "DD EE FF 90 00")
    assert exchange(card, read_record(3, P2_EF05, 6)) == H("AA BB CC DD EE FF")
    assert card.sent == [H("00 B2 03 2C 06"), H("00 C0 00 00 06"), H("00 C0 00 00 03")]


def test_6100_means_256_bytes_waiting():
    card = ScriptedCard("61 00", "01" * 256 + "90 00")
    assert len(exchange(card, select_ssse())) == 256
    assert card.sent[1] == H("00 C0 00 00 00")


def test_6cxx_resends_the_same_command_with_the_corrected_le():
    card = ScriptedCard("6C 04", "04 02 30 31 90 00")
    assert exchange(card, read_record(4, P2_EF06, 0)) == H("04 02 30 31")
    assert card.sent == [H("00 B2 04 34 00"), H("00 B2 04 34 04")]


def test_6cxx_on_a_get_response_corrects_the_get_response():
    card = ScriptedCard("61 10", "6C 06", "01 02 03 04 05 06 90 00")
    assert exchange(card, read_record(1, P2_EF05, 18)) == H("01 02 03 04 05 06")
    assert card.sent[1:] == [H("00 C0 00 00 10"), H("00 C0 00 00 06")]


def test_6cxx_then_61xx():
    card = ScriptedCard("6C 06", "61 06", "05 04 20 24 03 15 90 00")
    assert exchange(card, read_record(5, P2_EF05, 0)) == H("05 04 20 24 03 15")
    assert card.sent == [H("00 B2 05 2C 00"), H("00 B2 05 2C 06"), H("00 C0 00 00 06")]


@pytest.mark.parametrize("sw", ["69 82", "69 83", "69 85"])
def test_protection_status_words_raise_protected_data(sw):
    with pytest.raises(ProtectedData) as e:
        exchange(ScriptedCard(sw), read_record(1, P2_EF06, 20), "EF06 record 1")
    assert e.value.sw == int(sw.replace(" ", ""), 16)
    assert isinstance(e.value, CardError)


@pytest.mark.parametrize("sw", ["6A 82", "6A 83", "6D 00", "6F 00", "62 82"])
def test_other_status_words_raise_card_error_with_the_sw(sw):
    with pytest.raises(CardError) as e:
        exchange(ScriptedCard(sw), select_ssse())
    assert not isinstance(e.value, ProtectedData)
    assert e.value.sw == int(sw.replace(" ", ""), 16)
    assert f"{e.value.sw:04X}" in str(e.value)


def test_endless_61xx_is_bounded():
    card = ScriptedCard(*["00 61 01"] * (MAX_ROUNDS + 5))
    with pytest.raises(ProtocolError):
        exchange(card, select_ssse())
    assert len(card.sent) == MAX_ROUNDS


def test_endless_6cxx_is_bounded():
    card = ScriptedCard(*["6C 05"] * (MAX_ROUNDS + 5))
    with pytest.raises(ProtocolError):
        exchange(card, read_record(1, P2_EF05, 5), max_rounds=4)
    assert len(card.sent) == 4


@pytest.mark.parametrize("answer", ["", "90"])
def test_an_answer_without_status_word_is_a_protocol_error(answer):
    with pytest.raises(ProtocolError):
        exchange(ScriptedCard(answer), select_ssse())


def test_card_removed_from_transmit_propagates():
    def pulled(apdu: bytes) -> bytes:
        raise CardRemoved("gone")

    with pytest.raises(CardRemoved):
        exchange(pulled, select_ssse())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(min_size=0, max_size=40), min_size=MAX_ROUNDS + 1, max_size=MAX_ROUNDS + 1))
def test_any_card_answers_end_in_data_or_a_typed_error(answers):
    sent: list[bytes] = []

    def card(apdu: bytes) -> bytes:
        sent.append(apdu)
        return answers[len(sent) - 1]

    try:
        assert isinstance(exchange(card, read_record(1, P2_EF05, 18)), bytes)
    except SmartCardError:
        pass
    assert len(sent) <= MAX_ROUNDS
