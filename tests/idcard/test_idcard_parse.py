"""Text block parsers for the four card types. Blocks here are built at the literal REFERENCE
offsets (not through devices/idcard/layout.py), so a wrong layout table cannot test itself green."""
from __future__ import annotations

import json
from datetime import date

import pytest

from devices.idcard import photo
from devices.idcard.codec import build_response
from devices.idcard.encode import CardSpecError, encode_text, read_answer_data
from devices.idcard.layout import tables
from devices.idcard.parse import (JSON_KEYS, IdRecord, ParseError, id_check_char, id_number_valid,
                                  parse_read_payload, parse_text, split_read_payload)
from tests.support.idcard_cards import CARD_FILES, load_card


def block(**fields: tuple[int, int, str]) -> bytes:
    """A 256-byte UCS-2LE block, space padded, with text put at (offset, size)."""
    b = bytearray(" ".encode("utf-16-le") * 128)
    for offset, size, text in fields.values():
        raw = text.encode("utf-16-le")
        assert len(raw) <= size
        b[offset:offset + len(raw)] = raw
    return bytes(b)


HAN_ID = "11010519491231002X"  # the GB 11643 worked example


def resident_block(valid_until: str = "20350101", number: str = HAN_ID, nation: str = "04") -> bytes:
    return block(name=(0, 30, "扎西"), gender=(30, 2, "2"), nation=(32, 4, nation), birth=(36, 16, "19491231"),
                 address=(52, 70, "四川省甘孜藏族自治州康定市"), number=(122, 36, number),
                 issuer=(158, 30, "康定市公安局"), start=(188, 16, "20150101"), until=(204, 16, valid_until))


def test_resident_card_at_reference_offsets():
    r = parse_text(resident_block())
    assert r.card_type == "resident"
    assert (r.name, r.gender, r.nation, r.nation_code) == ("扎西", "female", "藏", "04")
    assert r.birth_date == date(1949, 12, 31)
    assert (r.address, r.issuer) == ("四川省甘孜藏族自治州康定市", "康定市公安局")
    assert (r.id_number, r.id_number_valid) == (HAN_ID, True)
    assert (r.valid_from, r.valid_until, r.long_term) == (date(2015, 1, 1), date(2035, 1, 1), False)
    assert r.has_photo is False and r.photo is None


def test_long_term_validity():
    r = parse_text(resident_block(valid_until="长期", nation="07"))
    assert (r.valid_until, r.long_term, r.nation) == (None, True, "彝")
    assert r.to_json()["valid_until"] is None and r.to_json()["long_term"] is True


def test_wrong_check_character_is_reported_not_hidden():
    r = parse_text(resident_block(number=HAN_ID[:-1] + "5"))
    assert r.id_number == HAN_ID[:-1] + "5"
    assert r.id_number_valid is False and r.to_json()["id_number_valid"] is False


@pytest.mark.parametrize("number, ok", [
    (HAN_ID, True), ("11010519491231002x", True), ("110105194912310021", False), ("11010519491231002", False),
    ("1101051949123100２X", False), ("ABCDEFGHIJKLMNOPQR", False), ("510104198506120032", True),
])
def test_mod_11_2(number, ok):
    assert id_number_valid(number) is ok


def test_check_character_table():
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("44052418800101001") == "4"


def test_hk_mo_tw_permit_at_reference_offsets():
    text = block(name=(0, 30, "陈嘉欣"), gender=(30, 2, "2"), birth=(36, 16, "19900425"),
                 address=(52, 70, "广东省深圳市福田区"), number=(122, 36, "810000199004250026"),
                 issuer=(158, 30, "深圳市公安局"), start=(188, 16, "20210701"), until=(204, 16, "20260701"),
                 pass_no=(220, 18, "H12345678"), count=(238, 4, "01"), flag=(248, 2, "J"))
    r = parse_text(text)
    assert r.card_type == "hk_mo_tw_permit"
    assert (r.pass_number, r.issue_count, r.id_number_valid) == ("H12345678", "01", True)
    assert r.nation is None and r.nation_code is None
    assert r.to_json() == {
        "card_type": "hk_mo_tw_permit", "name": "陈嘉欣", "gender": "female", "birth_date": "1990-04-25",
        "valid_from": "2021-07-01", "valid_until": "2026-07-01", "long_term": False,
        "id_number": "810000199004250026", "id_number_valid": True, "has_photo": False,
        "address": "广东省深圳市福田区", "issuer": "深圳市公安局", "pass_number": "H12345678", "issue_count": "01"}


def test_foreign_permanent_pre_2023_at_reference_offsets():
    text = block(name_en=(0, 120, "SAMPLE, MARK JOHN"), gender=(120, 2, "1"), number=(122, 30, "CAN110076093001"),
                 nat=(152, 6, "CAN"), name=(158, 30, "马克"), start=(188, 16, "20151012"), until=(204, 16, "20251012"),
                 birth=(220, 16, "19760930"), version=(236, 4, "20"), issuer=(240, 8, "1500"), flag=(248, 2, "I"))
    r = parse_text(text)
    assert r.to_json() == {
        "card_type": "foreign_permanent", "name": "马克", "name_en": "SAMPLE, MARK JOHN", "gender": "male",
        "birth_date": "1976-09-30", "valid_from": "2015-10-12", "valid_until": "2025-10-12", "long_term": False,
        "id_number": "CAN110076093001", "id_number_valid": None, "has_photo": False,
        "nationality": "CAN", "issuer_code": "1500"}


def test_foreign_permanent_2023_at_reference_offsets_with_a_long_english_name():
    long_name = "WILLIAMSON-FITZGERALD, ALEXANDRA CHARLOTTE"  # 42 chars: overflows part 1 (35)
    text = block(name=(0, 30, "韦安妮"), gender=(30, 2, "2"), renewal=(32, 4, "00"), birth=(36, 16, "19880115"),
                 en1=(52, 70, long_name[:35]), number=(122, 36, "931826198801150029"),
                 start=(188, 16, "20240201"), until=(204, 16, "20340201"), en2=(220, 22, long_name[35:]),
                 nat=(242, 6, "GBR"), flag=(248, 2, "Y"), link=(250, 6, "   "))
    r = parse_text(text)
    assert r.to_json() == {
        "card_type": "foreign_permanent_2023", "name": "韦安妮", "name_en": long_name, "gender": "female",
        "birth_date": "1988-01-15", "valid_from": "2024-02-01", "valid_until": "2034-02-01", "long_term": False,
        "id_number": "931826198801150029", "id_number_valid": True, "has_photo": False, "nationality": "GBR"}


def test_short_english_name_on_a_2023_card():
    text = block(name=(0, 30, "韦"), gender=(30, 2, "9"), birth=(36, 16, "19880115"), en1=(52, 70, "LI, ANN"),
                 number=(122, 36, "931826198801150029"), start=(188, 16, "20240201"), until=(204, 16, "20340201"),
                 nat=(242, 6, "GBR"), flag=(248, 2, "Y"))
    r = parse_text(text)
    assert (r.name_en, r.gender) == ("LI, ANN", "unspecified")


@pytest.mark.parametrize("name", CARD_FILES)
def test_sample_cards_round_trip_through_the_wire_layout(name):
    card = load_card(name)
    frame = build_response(0x90, read_answer_data(card))
    r = parse_read_payload(frame[10:-1])
    out = r.to_json()
    assert list(out) == list(JSON_KEYS[card["card_type"]])
    assert {k: v for k, v in card.items() if k in out} == {k: out[k] for k in card if k in out}
    assert out["has_photo"] is True
    assert out["id_number_valid"] is (None if card["card_type"] == "foreign_permanent" else True)
    json.dumps(out)  # plain JSON types only


def test_sample_cards_cover_the_brief():
    cards = [load_card(n) for n in CARD_FILES]
    types = {c["card_type"] for c in cards}
    assert types == {"resident", "hk_mo_tw_permit", "foreign_permanent", "foreign_permanent_2023"}
    residents = {c["nation_code"]: c for c in cards if c["card_type"] == "resident"}
    assert {"01", "04", "07"} <= set(residents)
    assert "甘孜" in residents["04"]["address"]
    assert "凉山" in residents["07"]["address"] and residents["07"]["long_term"] is True


@pytest.mark.parametrize("gender_code, gender", [("0", "unknown"), ("1", "male"), ("2", "female"),
                                                  ("9", "unspecified"), ("7", "unknown")])
def test_gender_codes(gender_code, gender):
    text = bytearray(resident_block())
    text[30:32] = gender_code.encode("utf-16-le")
    assert parse_text(bytes(text)).gender == gender


def test_nation_table_is_gb_3304():
    nations = tables().nations
    assert sorted(nations) == [f"{i:02d}" for i in range(1, 57)] + ["97", "98"]
    assert (nations["01"], nations["04"], nations["07"], nations["56"]) == ("汉", "藏", "彝", "基诺")
    assert tables().long_term == "长期"


def test_unknown_nation_code_keeps_the_code():
    r = parse_text(resident_block(nation="77"))
    assert (r.nation, r.nation_code) == (None, "77")


def test_nul_padding_is_trimmed_too():
    text = bytearray(resident_block())
    text[4:30] = bytes(26)  # name "扎西" then NULs
    assert parse_text(bytes(text)).name == "扎西"


def test_unknown_card_flag_and_bad_dates_are_parse_errors_without_card_content():
    text = bytearray(resident_block())
    text[248:250] = "Q".encode("utf-16-le")
    with pytest.raises(ParseError, match="card type"):
        parse_text(bytes(text))
    with pytest.raises(ParseError) as e:
        parse_text(resident_block(valid_until="20351301"))
    assert "valid_until" in str(e.value) and "2035" not in str(e.value)
    with pytest.raises(ParseError):
        parse_text(resident_block()[:100])


def test_split_read_payload_lengths_and_limits():
    text, pic, fp = bytes(256), bytes(range(256)) * 4, b"\x01" * 512
    p = split_read_payload(bytes.fromhex("0100 0400") + text + pic, with_fingerprint=False)
    assert (p.text, p.photo, p.fingerprint) == (text, pic, b"")
    p = split_read_payload(bytes.fromhex("0100 0400 0200") + text + pic + fp, with_fingerprint=True)
    assert (p.photo, p.fingerprint) == (pic, fp)
    p = split_read_payload(bytes.fromhex("0100 0000") + text, with_fingerprint=False)
    assert p.photo == b""
    for bad in ("0100 0400", "0001 0400", "0100 0800"):
        with pytest.raises(ParseError):
            split_read_payload(bytes.fromhex(bad) + text, with_fingerprint=False)


def test_record_repr_and_json_never_show_personal_data_or_bytes():
    card = load_card("resident_han.json")
    r = parse_read_payload(read_answer_data(card))
    assert card["name"] not in repr(r) and card["id_number"] not in repr(r) and card["name"] not in str(r)
    assert all(not isinstance(v, (bytes, bytearray)) for v in r.to_json().values())
    assert "photo" not in r.to_json() and "fingerprint" not in r.to_json()


class FakeDecoder:
    def __init__(self, fail: bool = False) -> None:
        self.fail, self.calls = fail, 0

    def decode(self, wlt: bytes) -> bytes:
        self.calls += 1
        if self.fail:
            raise RuntimeError("vendor library crashed")
        return b"BM" + bytes(len(wlt) // 16)


@pytest.fixture
def decoder_slot():
    yield
    photo.register_decoder(None)


def test_photo_plugin(decoder_slot):
    data = read_answer_data(load_card("resident_han.json"))
    assert parse_read_payload(data).photo is None
    dec = FakeDecoder()
    photo.register_decoder(dec)
    r = parse_read_payload(data)
    assert dec.calls == 1 and r.photo.startswith(b"BM") and r.has_photo
    assert "photo" not in r.to_json()
    photo.register_decoder(FakeDecoder(fail=True))
    r = parse_read_payload(data)
    assert r.photo is None and r.has_photo is True
    with pytest.raises(TypeError):
        photo.register_decoder(object())


def test_card_without_photo():
    card = dict(load_card("resident_han.json"), has_photo=False)
    assert parse_read_payload(read_answer_data(card)).has_photo is False


def test_encoder_refuses_what_does_not_fit():
    card = load_card("resident_han.json")
    with pytest.raises(CardSpecError, match="address"):
        encode_text(dict(card, address="长" * 36))
    with pytest.raises(CardSpecError):
        encode_text(dict(card, valid_until=None, long_term=False))
    with pytest.raises(CardSpecError):
        encode_text(dict(card, nation="藏"))  # nation_code says 01
    with pytest.raises(CardSpecError):
        encode_text(dict(card, card_type="passport"))


def test_record_is_a_typed_dataclass():
    r = parse_text(resident_block())
    assert isinstance(r, IdRecord)
    with pytest.raises(AttributeError):
        r.name = "x"  # frozen: a record is evidence of what the card said
