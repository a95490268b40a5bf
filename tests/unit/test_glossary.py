"""Key terms stay the same across the catalogs: the glossary fixes them, this test holds them."""
from __future__ import annotations

import csv

from kiosk.i18n.catalogs import read
from kiosk.i18n.languages import codes

LANGS = codes()
from kiosk.i18n.translator import LOCALES_DIR

REQUIRED = {"社保", "医保", "不动产", "证明", "取号", "办件", "证照", "好差评"}  # noqa: RUF001 - glossary terms


STAFF_ONLY = ("sim.",)  # the demo's simulator panel: for demo staff, in Chinese on purpose


def glossary() -> list[dict[str, str]]:
    with (LOCALES_DIR / "glossary.tsv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_glossary_has_the_key_terms_in_every_language():
    rows = glossary()
    assert REQUIRED <= {r["zh_CN"] for r in rows}
    for r in rows:
        assert all(r[lang].strip() for lang in LANGS), r["zh_CN"]
        assert set(r["checked_in"].split(",")) <= set(LANGS) - {"zh_CN"}


def test_translations_use_the_glossary_terms():
    from kiosk.i18n.catalogs import review_status

    catalogs = {lang: {m.id: str(m.string) for m in read(lang) if m.id} for lang in LANGS}
    # Staff screens kept in Chinese on purpose (review status staff-zh) have no terms to check.
    kept_zh = {lang: {m.id for m in read(lang) if m.id and review_status(m) == "staff-zh"} for lang in LANGS}
    problems = []
    for row in glossary():
        term = row["zh_CN"]
        for key, zh in catalogs["zh_CN"].items():
            if term not in zh or key.startswith(STAFF_ONLY):
                continue
            for lang in row["checked_in"].split(","):
                if key in kept_zh[lang]:
                    continue
                if row[lang].lower() not in catalogs[lang][key].lower():
                    problems.append(f"{lang}: {key}: uses no '{row[lang]}' for {term}")
    assert problems == [], "\n".join(problems)
