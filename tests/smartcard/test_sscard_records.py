"""EF05/EF06 record parsing (hostile input), the read sequence over the virtual card's applet
(no sockets), and the shipped card files."""
from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.smartcard.apdu import SmartCardError
from devices.smartcard.sscard import (SsCardRecord, SscardParseError, encode_bcd_date, encode_record,
                                      parse_bcd_date, parse_name, parse_records, read_sscard, ssn_check_char,
                                      unwrap_record)
from devices.smartcard.virtual_card import (CARDS_DIR, Behaviour, SsCardApplet, card_from_json, load_card,
                                            shipped_cards)

H = bytes.fromhex
JSON_KEYS = ["card_number", "card_id", "spec_version", "issue_date", "expiry_date"]


def good_ef05() -> dict[int, bytes]:
    return {
        1: encode_record(1, b"440300D156000005"),
        3: encode_record(3, b"3.00"),
        5: H("05 04 20 24 03 15"),
        6: H("06 04 20 34 03 15"),
        7: encode_record(7, b"A12345678"),
    }


def good_ef06() -> dict[int, bytes]:
    return {
        1: encode_record(1, b"440303198001151235"),
        2: encode_record(2, "Wang Wu".encode("gbk").ljust(30, b" ")),
        3: encode_record(3, b"1"),
        4: encode_record(4, b"01"),
        6: encode_record(6, H("19 80 01 15")),
    }


def test_parse_a_good_card():
    r = parse_records(good_ef05(), good_ef06())
    assert r.to_json() == {
        "card_number": "A12345678", "card_id": "440300D156000005", "spec_version": "3.00",
        "issue_date": "2024-03-15", "expiry_date": "2034-03-15", "ssn": "440303198001151235", "name": "Wang Wu",
    }
    assert list(r.to_json()) == JSON_KEYS + ["ssn", "name"]
    assert (r.generation, r.sex, r.nation, r.birth_date) == (3, "1", "01", date(1980, 1, 15))


@pytest.mark.parametrize(("version", "generation"), [("1.00", 1), ("2.00", 2), ("3.00", 3)])
def test_spec_version_gives_the_generation(version, generation):
    ef05 = good_ef05() | {3: encode_record(3, version.encode())}
    assert parse_records(ef05).generation == generation


def test_without_ef06_the_holder_keys_are_omitted():
    r = parse_records(good_ef05(), {})
    assert list(r.to_json()) == JSON_KEYS
    assert r.ssn is r.name is None and not r.holder_readable


def test_repr_shows_no_personal_data():
    r = parse_records(good_ef05(), good_ef06())
    text = repr(r) + str(r)
    for secret in ("440303198001151235", "Wang", "A12345678", "440300D156000005"):
        assert secret not in text


def test_gbk_name_with_space_padding_and_a_rare_gb18030_character():
    assert parse_name("\u6cfd\u4ec1\u5353\u739b".encode("gbk").ljust(30, b" ")) == "\u6cfd\u4ec1\u5353\u739b"
    rare = "\u4e00\U00020000".encode("gb18030")  # a CJK Extension B character needs GB18030's 4-byte form
    assert parse_name(rare.ljust(30, b" ")) == "\u4e00\U00020000"


@pytest.mark.parametrize("raw", [b" " * 30, b"\x81" + b" " * 29, b"ab\x07".ljust(30, b" "), b"x" * 29, b"x" * 31])
def test_bad_names_are_rejected(raw):
    with pytest.raises(SscardParseError):
        parse_name(raw)


@pytest.mark.parametrize("value", ["20 24 13 01", "20 24 02 30", "2A 24 01 01", "20 24 01 0F", "00 00 00 00",
                                   "20 24 01", "20 24 01 01 01"])
def test_bad_bcd_dates_are_rejected(value):
    with pytest.raises(SscardParseError):
        parse_bcd_date(H(value))


def test_bcd_date_round_trip():
    assert parse_bcd_date(H("20 24 03 15")) == date(2024, 3, 15)
    assert encode_bcd_date(date(1999, 12, 31)) == H("19 99 12 31")


@pytest.mark.parametrize(("data", "record"), [
    ("", 1), ("01", 1), ("02 01 41", 1),  # too short, tag mismatch
    ("01 05 41 42", 1), ("01 01 41 42", 1),  # length byte disagrees with the data
])
def test_bad_record_framing_is_rejected(data, record):
    with pytest.raises(SscardParseError):
        unwrap_record(H(data), record)


@pytest.mark.parametrize(("record", "value"), [
    (1, b"440300D15600000"),  # 15 chars
    (1, b"44030xD156000005"),  # region code not digits
    (1, b"440300d156000005"),  # lower case
    (3, b"3.0"), (3, b"v3.0"), (3, b"0.00"),
    (5, H("20 24 02 30")),
    (7, b"A1234567"), (7, b"A1234567\xff"),
])
def test_bad_ef05_fields_are_rejected(record, value):
    ef05 = good_ef05() | {record: encode_record(record, value)}
    with pytest.raises(SscardParseError):
        parse_records(ef05)


def test_missing_ef05_record_is_rejected():
    ef05 = good_ef05()
    del ef05[7]
    with pytest.raises(SscardParseError):
        parse_records(ef05)


def test_expiry_before_issue_is_rejected():
    with pytest.raises(SscardParseError):
        parse_records(good_ef05() | {6: H("06 04 20 20 01 01")})


@pytest.mark.parametrize(("record", "value"), [
    (1, b"440303198001151234"),  # wrong check character
    (1, b"44030319800115123"), (1, b"44030319800115123x"),
    (3, b"M"), (3, b"12"), (4, b""), (4, b"0A"), (6, H("19 80 13 01")),
])
def test_bad_ef06_fields_are_rejected(record, value):
    ef06 = good_ef06() | {record: encode_record(record, value)}
    with pytest.raises(SscardParseError):
        parse_records(good_ef05(), ef06)


def test_ssn_check_character():
    assert ssn_check_char("11010519491231002") == "X"
    assert ssn_check_char("44030319800115123") == "5"


# ---- hostile bytes: only SscardParseError, never anything else --------------------------------

record_bytes = st.binary(min_size=0, max_size=40)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.sampled_from([1, 3, 5, 6, 7]), record_bytes),
       st.dictionaries(st.sampled_from([1, 2, 3, 4, 6]), record_bytes))
def test_random_records_raise_only_parse_errors(ef05, ef06):
    try:
        r = parse_records(ef05, ef06)
    except SscardParseError:
        return
    assert isinstance(r, SsCardRecord)


@st.composite
def mutated_card(draw):  # noqa: ANN001, ANN201
    """Valid records with a few bytes flipped, cut or appended: reaches the field validators."""
    files = [good_ef05(), good_ef06()]
    for _ in range(draw(st.integers(1, 4))):
        f = files[draw(st.integers(0, 1))]
        n = draw(st.sampled_from(sorted(f)))
        data = bytearray(f[n])
        op = draw(st.sampled_from(["flip", "cut", "append"]))
        if op == "flip" and data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        elif op == "cut" and data:
            del data[draw(st.integers(0, len(data) - 1)):]
        else:
            data += draw(st.binary(min_size=1, max_size=4))
        f[n] = bytes(data)
    return files


@settings(max_examples=500, deadline=None)
@given(mutated_card())
def test_mutated_records_raise_only_parse_errors(files):
    try:
        parse_records(files[0], files[1])
    except SscardParseError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(min_size=0, max_size=40), min_size=1, max_size=60))
def test_read_sequence_against_a_random_card_raises_only_typed_errors(answers):
    it = iter(answers)

    def card(apdu: bytes) -> bytes:
        return next(it, b"\x6f\x00")

    try:
        read_sscard(card)
    except (SmartCardError, SscardParseError):
        pass


# ---- the read sequence over the virtual card's applet ----------------------------------------

def expected_json(name: str) -> dict[str, str]:
    obj = json.loads((CARDS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    out = {k: obj[k] for k in JSON_KEYS}
    if not obj.get("protect_ef06"):
        out |= {"ssn": obj["ssn"], "name": obj["name"]}
    return out


def test_shipped_cards_include_han_tibetan_and_protected():
    assert {"han", "tibetan", "protected"} <= set(shipped_cards())


@pytest.mark.parametrize("name", ["han", "tibetan", "protected", "technician"])
def test_read_each_shipped_card_through_the_applet(name):
    applet = SsCardApplet(load_card(name))
    r = read_sscard(applet.process)
    assert r.to_json() == expected_json(name)
    assert list(r.to_json()) == list(expected_json(name))


def test_tibetan_holder_name_is_the_gbk_chinese_transcription():
    obj = json.loads((CARDS_DIR / "tibetan.json").read_text(encoding="utf-8"))
    card = load_card("tibetan")
    assert card.ef06[2][2:].rstrip(b" ") == obj["name"].encode("gbk")
    assert read_sscard(SsCardApplet(card).process).name == obj["name"]


def test_applet_protected_ef06_answers_6982_and_stops_after_one_refusal():
    applet = SsCardApplet(load_card("han"), Behaviour(protect_ef06=True))
    r = read_sscard(applet.process)
    assert list(r.to_json()) == JSON_KEYS
    ef06_reads = [e for e in applet.log if e[0] == 0xB2 and e[2] == 0x34]
    assert ef06_reads == [(0xB2, 1, 0x34, 0x6982)]


def test_applet_get_response_chunks():
    applet = SsCardApplet(load_card("han"), Behaviour(get_response=True, get_response_chunk=5))
    assert read_sscard(applet.process).to_json() == expected_json("han")
    sws = [e[3] for e in applet.log]
    assert 0x6112 in sws  # EF05 record 1: 18 bytes waiting
    assert sum(1 for e in applet.log if e[0] == 0xC0) > 12  # several GET RESPONSE per record


def test_applet_answers_6c_when_le_is_wrong_and_read_recovers():
    applet = SsCardApplet(load_card("han"), Behaviour(answer_6c_first=True))
    assert read_sscard(applet.process).to_json() == expected_json("han")
    assert sum(1 for e in applet.log if e[3] >> 8 == 0x6C) == 10  # one per record read


def test_applet_rejects_commands_before_select_and_unknown_ones():
    applet = SsCardApplet(load_card("han"))
    assert applet.process(H("00 B2 01 2C 12")) == H("6A 82")
    assert applet.process(H("80 B2 01 2C 12")) == H("6E 00")
    assert applet.process(H("00 FF 00 00")) == H("6D 00")
    assert applet.process(H("00 A4 04 00 03 01 02 03")) == H("6A 82")


def test_card_json_raw_records_describe_a_broken_card():
    obj = json.loads((CARDS_DIR / "han.json").read_text(encoding="utf-8"))
    obj["records_hex"] = {"ef05": {"5": "0504202413FF"}}
    with pytest.raises(SscardParseError):
        read_sscard(SsCardApplet(card_from_json(obj)).process)


def test_card_json_rejects_a_name_longer_than_30_gbk_bytes():
    obj = json.loads((CARDS_DIR / "han.json").read_text(encoding="utf-8"))
    obj["name"] = "\u5f20" * 16
    with pytest.raises(ValueError):
        card_from_json(obj)
