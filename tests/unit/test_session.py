from __future__ import annotations

import pytest

from kiosk.core.session import Session


def test_wipe_drops_personal_data_and_overwrites_bytes():
    s = Session(language="bo")
    photo = bytearray(b"\x01\x02\x03")
    s.put_personal(name="扎西", id_number="513326198001011234", photo=photo)
    assert s.personal("name") == "扎西" and s.has_personal
    s.wipe()
    assert not s.has_personal and s.personal("name") is None
    assert photo == bytearray(3)  # the buffer itself is zeroed, not just dropped
    with pytest.raises(RuntimeError):
        s.put_personal(name="x")


def test_repr_never_shows_personal_data():
    s = Session(language="zh_CN")
    s.put_personal(name="王小明", id_number="110101199003074258")
    assert "王小明" not in repr(s) and "110101" not in repr(s)
