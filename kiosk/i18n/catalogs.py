"""Catalog tooling: `python -m kiosk.i18n.catalogs compile|check`.

`check` is what the test suite and translators run: every key of the source catalog (zh_CN) is
in every other catalog, translated, not fuzzy, with a context comment, a review status, and the
same {placeholders}."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from kiosk.i18n.languages import codes as language_codes
from kiosk.i18n.translator import DOMAIN, LOCALES_DIR, SOURCE

PLACEHOLDER = re.compile(r"\{(\w+)\}")
# staff-zh: a staff-only screen (technician mode) kept in Chinese on purpose: technicians read
# Chinese, and a machine draft of fault codes and fixes would mislead more than it helps.
REVIEW_STATES = ("source", "native-checked", "machine-draft", "staff-zh")


def po_path(lang: str, root: Path = LOCALES_DIR) -> Path:
    return root / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str, root: Path = LOCALES_DIR) -> Catalog:
    with po_path(lang, root).open("rb") as f:
        return read_po(f, locale=lang)


def compile_all(root: Path = LOCALES_DIR) -> list[Path]:
    written = []
    for lang in language_codes():
        po = po_path(lang, root)
        mo = po.with_suffix(".mo")
        if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        catalog = read(lang, root)
        with mo.open("wb") as f:
            write_mo(f, catalog)
        written.append(mo)
    return written


def review_status(message) -> str | None:  # noqa: ANN001 - babel Message
    for comment in message.user_comments:
        if comment.startswith("review:"):
            return comment.split(":", 1)[1].strip()
    return None


def check(root: Path = LOCALES_DIR) -> list[str]:
    problems: list[str] = []
    source = read(SOURCE, root)
    keys = {m.id for m in source if m.id}
    for lang in language_codes():
        cat = read(lang, root)
        ids = {m.id for m in cat if m.id}
        for missing in sorted(keys - ids):
            problems.append(f"{lang}: {missing}: missing")
        for extra in sorted(ids - keys):
            problems.append(f"{lang}: {extra}: not in the source catalog")
        for m in cat:
            if not m.id:
                continue
            where = f"{lang}: {m.id}"
            if not m.string or not str(m.string).strip():
                problems.append(f"{where}: empty translation")
            if m.fuzzy:
                problems.append(f"{where}: fuzzy")
            if not m.auto_comments:
                problems.append(f"{where}: no context comment (#.)")
            status = review_status(m)
            if status not in REVIEW_STATES:
                problems.append(f"{where}: review status {status!r} not one of {REVIEW_STATES}")
            src = source.get(m.id)
            if src is not None and set(PLACEHOLDER.findall(str(m.string))) != set(PLACEHOLDER.findall(str(src.string))):
                problems.append(f"{where}: placeholders differ from zh_CN")
    return problems


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "check"
    if cmd == "compile":
        for path in compile_all():
            print(f"compiled {path.relative_to(LOCALES_DIR.parent)}")
        return 0
    if cmd == "check":
        problems = check()
        for p in problems:
            print(p)
        return 1 if problems else 0
    print("usage: python -m kiosk.i18n.catalogs compile|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
