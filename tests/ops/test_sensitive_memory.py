"""Personal data leaves memory with the session, also the copies the log masker makes of it
(two leaks the soak found: the masking regex kept in re's module cache, and a value replaced in
the session left registered)."""
from __future__ import annotations

import logging
import re

from kiosk.core import logs, privacy
from kiosk.core.session import Session
from tests.ops.conftest import ID_NUMBER, LATIN_NAME


def cached_patterns() -> list[str]:
    """The pattern texts in re's module cache(s), whatever this Python calls them."""
    out = []
    for name in dir(re):
        cache = getattr(re, name)
        if name.startswith("_cache") and isinstance(cache, dict):
            out += [k[1] for k in cache if isinstance(k, tuple) and len(k) > 1 and isinstance(k[1], str)]
    return out


def test_the_masking_pattern_stays_out_of_re_module_cache(tmp_path):
    path = logs.setup_logging(tmp_path, stderr=False)
    for i in range(3):  # three citizens, three different patterns
        s = Session(language="bo")
        token = f"V{i:024d}"
        s.put_personal(name=LATIN_NAME, id_number=ID_NUMBER, verification=token)
        logging.getLogger("kiosk.test").info("verified %s with %s", LATIN_NAME, token)
        s.wipe()
    assert LATIN_NAME not in path.read_text(encoding="utf-8")  # still masked while the session lived
    assert len(privacy.SENSITIVE) == 0
    assert not [p for p in cached_patterns() if ID_NUMBER in p or "V000" in p or "Tenzin" in p]


def test_a_replaced_value_is_forgotten_with_the_session():
    s = Session(language="zh_CN")
    s.put_personal(name="Old Name", verification="V1111111111")
    s.put_personal(name=LATIN_NAME, verification="V2222222222")  # read again, verified again
    assert privacy.mask_text("Old Name") == "Old Name"  # replaced: no longer this session's data
    assert privacy.mask_text(LATIN_NAME) == "***"
    s.put_personal(name=LATIN_NAME)  # the same value again stays masked
    assert privacy.mask_text(LATIN_NAME) == "***"
    s.put_personal(verification=None)  # cleared (a new identification starts)
    assert privacy.mask_text("V2222222222") == "V2222222222"
    s.wipe()
    assert len(privacy.SENSITIVE) == 0
    assert privacy.mask_text(LATIN_NAME) == LATIN_NAME
