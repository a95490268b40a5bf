"""Builds the Tibetan screen font at set-up: Noto Serif Tibetan with Noto Sans's Latin merged in.

Why: Kivy draws one font per text run and aligns runs by their bottoms, not their baselines, so
a time or a ticket number ("23:37", "A023") inside a Tibetan sentence sat visibly low. Noto
Serif Tibetan has no Latin digits; one merged font gives one run and one baseline. Both fonts
are SIL OFL, which allows this (the result keeps the licence; `locales/fonts/README`).
"""
from __future__ import annotations

import sys
from pathlib import Path

from kiosk.i18n.translator import FONT_CANDIDATES, LOCALES_DIR

BUILT = LOCALES_DIR / "fonts" / "KioskTibetan-Regular.ttf"
LATIN = [*range(0x20, 0x7F), *range(0xA0, 0x100), 0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026,
         0x00B7, 0x25CF, 0x2713, 0x232B]


def _first(key: str) -> str:
    for p in FONT_CANDIDATES[key]:
        if Path(p).is_file() and "KioskTibetan" not in p:
            return p
    raise SystemExit(f"fontbuild: no {key} font installed (make setup installs fonts-noto-core)")


def build(out: Path = BUILT) -> Path:
    from fontTools import subset
    from fontTools.merge import Merger
    from fontTools.ttLib import TTFont

    tibetan, latin = _first("tibetan"), _first("latin")
    out.parent.mkdir(parents=True, exist_ok=True)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    lat = TTFont(latin)
    sub = subset.Subsetter(options)
    sub.populate(unicodes=LATIN)
    sub.subset(lat)
    tmp = out.with_suffix(".latin.tmp.ttf")
    lat.save(tmp)
    merged = Merger().merge([tibetan, str(tmp)])
    for name_id, value in ((1, "Kiosk Tibetan"), (4, "Kiosk Tibetan Regular"), (6, "KioskTibetan-Regular")):
        merged["name"].setName(value, name_id, 3, 1, 0x409)
    partial = out.with_suffix(".partial")
    merged.save(partial)
    partial.replace(out)
    tmp.unlink(missing_ok=True)
    return out


def main() -> int:
    if BUILT.is_file():
        return 0
    print(f"built {build()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
