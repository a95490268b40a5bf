from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def pinyin_ime(tmp_path_factory):
    """One librime per process (the library is process-global), deployed into a fresh user dir."""
    from kiosk.ime.pinyin import PinyinIME

    ime = PinyinIME(tmp_path_factory.mktemp("rime"))
    assert ime.available_engine == "librime", ime.error  # `make setup` installs librime1 + rime data
    return ime
