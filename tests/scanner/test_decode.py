"""Decoder: exact text for every payload and condition, nothing on code-free frames."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.scanner import testmaterial as M
from devices.scanner.decode import Code, Decoder, DecoderConfig, decode_text
from devices.scanner.finders import find_finder_patterns
from devices.scanner.errors import ScannerError

PAYLOADS = M.payloads()


@pytest.fixture(scope="module")
def decoder():
    # Generous credit: these tests are about what the passes can do, not about rationing them.
    with Decoder(DecoderConfig(extra_share=10.0, budget_ms=200)) as d:
        yield d


@pytest.mark.parametrize("variant", M.VARIANTS)
@pytest.mark.parametrize("p", PAYLOADS, ids=[p.id for p in PAYLOADS])
def test_every_payload_decodes_to_the_exact_text(decoder, p, variant):
    codes = decoder.decode(M.scene(p, variant))
    assert [(c.symbology, c.text, c.raw) for c in codes] == [(p.symbology, p.text, p.raw)]


def test_encodings_are_reported(decoder):
    got = {p.kind: decoder.decode(M.scene(p, "plain"))[0].encoding for p in PAYLOADS if p.symbology == "QRCODE"}
    assert got == {"ascii": "utf-8", "utf8": "utf-8", "gbk": "gb18030", "gb18030": "gb18030"}


def test_gbk_payload_is_not_zbar_mojibake(decoder):
    """The reason for ZBAR_CFG_BINARY: bare pyzbar returns GBK QR bytes re-encoded."""
    from pyzbar import pyzbar

    p = M.payload("zh_gbk")
    frame = M.scene(p, "plain")
    assert pyzbar.decode(frame)[0].data != p.raw
    assert decoder.decode(frame)[0].raw == p.raw


def test_color_frames_and_polygon(decoder):
    p = M.payload("bo_utf8")
    frame = cv2.cvtColor(M.scene(p, "plain"), cv2.COLOR_GRAY2BGR)
    (code,) = decoder.decode(frame)
    x, y, w, h = code.rect
    assert len(code.polygon) == 4
    assert abs(x + w / 2 - 320) < 10 and abs(y + h / 2 - 240) < 10  # placed at the centre


@pytest.mark.parametrize("name,frame", list(M.codeless_frames()), ids=[n for n, _ in M.codeless_frames()])
def test_no_false_positives_on_frames_without_codes(decoder, name, frame):
    assert decoder.decode(frame) == []


def test_all_symbologies_still_quiet_on_codeless_frames():
    """Even with every zbar symbology enabled (wider net), the code-free material stays empty."""
    from devices.scanner.decode import SYMBOLOGIES

    with Decoder(DecoderConfig(symbologies=tuple(SYMBOLOGIES), extra_share=10.0)) as d:
        for name, frame in M.codeless_frames():
            assert [c.symbology for c in d.decode(frame)] == [], name


def test_symbologies_restrict_what_is_reported():
    with Decoder(DecoderConfig(symbologies=("CODE128",))) as d:
        assert d.decode(M.scene(M.payload("zh_utf8"), "plain")) == []
        assert [c.text for c in d.decode(M.scene(M.payload("receipt"), "plain"))] == ["SB20240517-0042"]


def test_region_of_interest_crops_and_maps_coordinates():
    p = M.payload("zh_utf8")
    frame = M.place(M.background(2), M.symbol(p), center=(480, 240))
    with Decoder(DecoderConfig(roi=(0.0, 0.0, 0.5, 1.0))) as left:
        assert left.decode(frame) == []
    with Decoder(DecoderConfig(roi=(0.5, 0.0, 0.5, 1.0))) as right:
        (code,) = right.decode(frame)
    x, y, w, h = code.rect
    assert abs(x + w / 2 - 480) < 10 and abs(y + h / 2 - 240) < 10  # full-frame coordinates


def test_large_frames_are_downscaled_and_coordinates_mapped_back():
    p = M.payload("ii_utf8")
    big = M.place(M.background(3, (1080, 2400)), M.symbol(p, module=10), center=(2000, 600))
    with Decoder(DecoderConfig(max_side=800)) as d:
        r = d.scan(big)
    (code,) = r.codes
    assert code.text == p.text
    x, y, w, h = code.rect
    assert abs(x + w / 2 - 2000) < 30 and abs(y + h / 2 - 600) < 30


def small_blurred(p: M.Payload) -> np.ndarray:
    f = M.place(M.background(1), M.symbol(p), center=(250, 260), angle=10, scale=0.6)
    return M.noise(M.blur(f, 0.8), 4)


def test_extra_effort_rescues_a_small_blurred_code():
    """Measured: bare zbar misses this (2.4 px modules, slight blur); zooming the region around
    the finder patterns reads it."""
    from pyzbar import pyzbar

    p = M.payload("zh_utf8")
    frame = small_blurred(p)
    assert pyzbar.decode(frame) == []
    with Decoder(DecoderConfig(extra_effort=False)) as plain:
        assert plain.decode(frame) == []
    with Decoder(DecoderConfig(extra_share=10.0, budget_ms=200)) as d:
        r = d.scan(frame)
    assert [c.text for c in r.codes] == [p.text]
    assert r.codes[0].method in ("zoom", "threshold") and r.finders >= 3
    x, y, w, h = r.codes[0].rect
    assert abs(x + w / 2 - 250) < 15 and abs(y + h / 2 - 260) < 15


def test_extra_effort_runs_on_credit_only():
    p = M.payload("zh_utf8")
    with Decoder(DecoderConfig(extra_share=0.0)) as d:  # no credit ever earned
        r = d.scan(small_blurred(p))
    assert r.codes == [] and r.passes == ["plain"] and r.skipped_for_budget


def test_per_frame_budget_skips_extra_passes():
    p = M.payload("zh_utf8")
    with Decoder(DecoderConfig(extra_share=10.0, budget_ms=0.001)) as d:
        r = d.scan(small_blurred(p))
    assert r.codes == [] and r.passes == ["plain"] and r.skipped_for_budget


def test_finder_patterns_found_on_a_code_and_not_on_noise():
    assert len(find_finder_patterns(M.scene(M.payload("zh_utf8"), "plain"))) == 3
    rng = np.random.default_rng(0)
    assert find_finder_patterns(rng.integers(0, 256, (240, 320), dtype=np.uint8)) == []


def test_repr_never_shows_the_payload(decoder):
    p = M.payload("zh_utf8")
    (code,) = decoder.decode(M.scene(p, "plain"))
    assert p.text not in repr(code) and p.text[:4] not in repr(code)
    assert "QRCODE" in repr(code) and f"{len(p.raw)} bytes" in repr(code)


def test_config_is_validated():
    with pytest.raises(ValueError):
        DecoderConfig(symbologies=("QR",))
    with pytest.raises(ValueError):
        DecoderConfig(roi=(0.5, 0.5, 0.8, 0.1))
    with pytest.raises(ValueError):
        DecoderConfig(extra_share=-1)


def test_closed_decoder_raises_a_typed_error():
    from devices.scanner.errors import ScannerError

    d = Decoder()
    d.close()
    with pytest.raises(ScannerError):
        d.decode(np.zeros((10, 10), np.uint8))


# -- text decoding ---------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.text())
def test_utf8_text_round_trips(text):
    assert decode_text(text.encode("utf-8")) == (text.removeprefix("\ufeff"), "utf-8")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1))
def test_gbk_chinese_round_trips_unless_it_is_also_utf8(text):
    raw = text.encode("gbk")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        assert decode_text(raw) == (text, "gb18030")


def test_undecodable_bytes_are_flagged():
    text, enc = decode_text(b"\xff\xfe\x80")
    assert enc == "unknown" and "\ufffd" in text


def test_utf8_bom_is_not_text():
    assert decode_text("\ufeffabc".encode("utf-8")) == ("abc", "utf-8")


def test_code_key_is_symbology_and_bytes():
    a = Code("QRCODE", "x", b"x", "utf-8", (), (0, 0, 0, 0))
    assert a.key == ("QRCODE", b"x")


# -- frames that are not pictures: the scanner's typed error, never cv2.error ----------------------

BAD_FRAMES = {
    "0xN": np.zeros((0, 640), np.uint8),
    "Nx0": np.zeros((480, 0), np.uint8),
    "0x0 colour": np.zeros((0, 0, 3), np.uint8),
    "1x5000": np.zeros((1, 5000), np.uint8),  # downscaling to max_side would leave no row
    "5000x1": np.zeros((5000, 1), np.uint8),
    "float": np.zeros((480, 640), np.float64),
    "float colour": np.zeros((48, 64, 3), np.float32),
    "bool": np.zeros((480, 640), bool),
    "uint16": np.zeros((48, 64), np.uint16),
    "two channels": np.zeros((48, 64, 2), np.uint8),
    "1-d": np.zeros(10, np.uint8),
    "not an array": [[0, 255], [255, 0]],
    "None": None,
}


@pytest.mark.parametrize("name", list(BAD_FRAMES))
def test_a_frame_the_decoder_cannot_take_is_a_typed_error(decoder, name):
    """Found: 0xN, 1x5000 and float/bool frames raised cv2.error (not a ScannerError, so the
    scanner loop's handling of its own errors did not apply)."""
    with pytest.raises(ScannerError) as e:
        decoder.scan(BAD_FRAMES[name])
    assert e.value.reason == "bad_frame"
    assert decoder.decode(M.scene(PAYLOADS[0], "plain"))  # and the decoder still works after it


@settings(max_examples=60, deadline=None)
@given(h=st.integers(0, 40), w=st.integers(0, 3000), channels=st.sampled_from([0, 1, 2, 3, 4]),
       dtype=st.sampled_from([np.uint8, np.int8, np.uint16, np.float32, bool]))
def test_any_array_gives_codes_or_a_typed_error(h, w, channels, dtype):
    frame = np.zeros((h, w) if channels == 0 else (h, w, channels), dtype)
    with Decoder(DecoderConfig(extra_share=10.0, budget_ms=200)) as d:
        try:
            assert d.scan(frame).codes == []
        except ScannerError as e:
            assert e.reason == "bad_frame"
