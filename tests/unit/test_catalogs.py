"""Every user-facing text is in every catalog; no user text hides in code."""
from __future__ import annotations

import re
from pathlib import Path

from kiosk.i18n.catalogs import check, read

ROOT = Path(__file__).resolve().parents[2]
CODE_DIRS = ("kiosk", "flows", "screens", "devices")
MSG_KEY = re.compile(r"""(?:Msg\(\s*f?|msg:\s*)["']([a-z_][a-z0-9_.{}]*)["']""")
NON_LATIN = re.compile(r"[\u0f00-\u0fff\u3000-\u303f\u3400-\u9fff\ua000-\ua4cf\uff00-\uffef]")


def code_files():
    for d in CODE_DIRS:
        yield from (ROOT / d).rglob("*.py")
        yield from (ROOT / d).rglob("*.kv")


def test_catalogs_are_complete_reviewed_and_consistent():
    assert check() == []


def test_every_key_used_in_code_is_in_the_catalog():
    keys = {m.id for m in read("zh_CN") if m.id}
    used = set()
    for path in code_files():
        used |= set(MSG_KEY.findall(path.read_text(encoding="utf-8")))
    expanded = set()
    for key in used:
        if "{" in key:  # f-string keys: every catalog key with that prefix must exist
            prefix = key.split("{", 1)[0]
            assert any(k.startswith(prefix) for k in keys), key
        else:
            expanded.add(key)
    assert sorted(expanded - keys) == []


def test_no_chinese_tibetan_or_yi_literals_in_code():
    offenders = []
    for path in code_files():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0] if path.suffix == ".py" else line
            if NON_LATIN.search(code):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []
