"""Languages: catalogs, the current language, bilingual pairs, fonts per script, line breaking.

Message ids are stable keys (`start.title`), and Chinese is the source language: its text lives
in `locales/zh_CN/LC_MESSAGES/kiosk.po` like every other language, so no Chinese literal sits in
code. In bilingual mode (Tibetan, Yi) every text shows the chosen language with Chinese beneath.

One line breaker (`break_lines`) serves screens and receipts, measuring with the real font of
each script run: Tibetan breaks only after a tsheg or shad (never inside a syllable or a stack),
Chinese and Yi between characters but never before closing punctuation, spaces everywhere.
"""
from __future__ import annotations

import gettext
import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Union

from kiosk.i18n import languages as languages_table
from kiosk.i18n.languages import SOURCE

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
DOMAIN = "kiosk"


def babel_locale(lang: str) -> str:
    found = languages_table.get(lang)
    return found.babel if found else languages_table.LANGUAGES[SOURCE].babel


def own_script(lang: str) -> str:
    found = languages_table.get(lang)
    return found.script if found else "latin"


@dataclass(frozen=True, init=False)
class Msg:
    """A catalog text by key, with parameters filled after translation."""

    id: str
    params: tuple[tuple[str, Any], ...]

    def __init__(self, id: str, **params: Any) -> None:  # noqa: A002 - gettext calls it an id
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "params", tuple(sorted(params.items())))


@dataclass(frozen=True)
class Plain:
    """A verbatim text (a ticket number, a masked ID): the same in every language."""

    text: str


# Platform-provided texts (kiosk.platform.api.LocalText) are duck-typed: anything with `.get(lang)`.
Text = Union[Msg, Plain, Any]


# -- catalogs -------------------------------------------------------------------------------------
class Translator:
    def __init__(self, locales_dir: Path = LOCALES_DIR, languages: Iterable[str] | None = None) -> None:
        self.locales_dir = locales_dir
        # the languages this terminal offers (terminal.languages); all registered ones by default
        self.languages = tuple(languages) if languages is not None else languages_table.codes()
        self._catalogs: dict[str, gettext.NullTranslations] = {}
        self.missing: set[tuple[str, str]] = set()

    def catalog(self, lang: str) -> gettext.NullTranslations:
        cat = self._catalogs.get(lang)
        if cat is None:
            cat = load_catalog(self.locales_dir, lang)
            self._catalogs[lang] = cat
        return cat

    def gettext(self, key: str, lang: str) -> str:
        text = self.catalog(lang).gettext(key)
        if text == key:
            if (lang, key) not in self.missing:
                self.missing.add((lang, key))
                log.warning("missing translation %s for %s", key, lang)
            if lang != SOURCE:
                text = self.catalog(SOURCE).gettext(key)
        return text

    def text(self, t: Text, lang: str) -> str:
        if t is None:
            return ""
        if isinstance(t, Msg):
            raw = self.gettext(t.id, lang)
            if not t.params:
                return raw
            params = {k: self._param(v, lang) for k, v in t.params}
            try:
                return raw.format(**params)
            except (KeyError, IndexError, ValueError):
                log.error("bad placeholders in %s for %s", t.id, lang)
                return self.gettext(t.id, SOURCE).format(**params)
        if isinstance(t, Plain):
            return t.text
        if isinstance(t, str):
            return t
        return t.get(lang)

    def _param(self, value: Any, lang: str) -> Any:
        if isinstance(value, (Msg, Plain)) or hasattr(value, "get") and not isinstance(value, dict):
            return self.text(value, lang)
        if isinstance(value, int) and not isinstance(value, bool):
            return format_number(value, lang)
        return value

    def pair(self, t: Text, lang: str) -> tuple[str, str | None]:
        """The text in `lang`, and in bilingual mode the Chinese to show beneath it."""
        primary = self.text(t, lang)
        if languages_table.is_bilingual(lang) and t is not None and not isinstance(t, Plain):
            zh = self.text(t, SOURCE)
            return primary, (zh if zh != primary else None)
        return primary, None


def load_catalog(locales_dir: Path, lang: str) -> gettext.NullTranslations:
    """The compiled catalog; compiled in memory from the .po when the .mo is missing or stale."""
    po = locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as f:
            return gettext.GNUTranslations(f)
    if po.is_file():
        import io

        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as f:
            catalog = read_po(f, locale=lang)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        return gettext.GNUTranslations(buf)
    log.error("no catalog for %s in %s", lang, locales_dir)
    return gettext.NullTranslations()


# -- numbers and dates (Babel) ----------------------------------------------------------------------
TIBETAN_DIGITS = str.maketrans({chr(0x0F20 + i): str(i) for i in range(10)})


def normalize_digits(text: str) -> str:
    """Tibetan digits (and full-width ones) typed or scanned become ASCII."""
    text = text.translate(TIBETAN_DIGITS)
    return "".join(str(unicodedata.digit(c)) if c.isdigit() and not c.isascii() else c for c in text)


def format_number(n: int | float, lang: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(n, locale=babel_locale(lang), group_separator=False)


def format_date(value: Any, lang: str, fmt: str = "long") -> str:
    from babel.dates import format_date as _fd

    return _fd(value, format=fmt, locale=babel_locale(lang))


def format_datetime(value: Any, lang: str) -> str:
    from babel.dates import format_datetime as _fdt

    return _fdt(value, format="short", locale=babel_locale(lang))


# -- scripts and fonts -------------------------------------------------------------------------------
FONT_CANDIDATES: dict[str, tuple[str, ...]] = {
    "cjk": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
            "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"),
    "cjk_bold": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
                 "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    "tibetan": (str(LOCALES_DIR / "fonts" / "KioskTibetan-Regular.ttf"),  # built by kiosk.i18n.fontbuild
                "/usr/share/fonts/truetype/noto/NotoSerifTibetan-Regular.ttf",
                "/usr/share/fonts/truetype/tibetan-machine/TibetanMachineUni.ttf"),
    "yi": ("/usr/share/fonts/truetype/nuosusil/NuosuSIL-Regular.ttf",
           "/usr/share/fonts/truetype/noto/NotoSansYi-Regular.ttf"),
    "latin": ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
              "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
}
# The font for text that belongs to no particular script (digits, Latin, punctuation) is the
# language's own script (kiosk.i18n.languages).
# Nuosu SIL, Noto Sans CJK and the built Tibetan font (kiosk.i18n.fontbuild) all carry Latin, so a
# sentence with a time or a number in it stays one run with one baseline.


class FontMissing(Exception):
    pass


@lru_cache(maxsize=None)
def font_path(key: str) -> str:
    for candidate in FONT_CANDIDATES[key]:
        if Path(candidate).is_file():
            return candidate
    raise FontMissing(f"no font for {key}: install one of {', '.join(FONT_CANDIDATES[key])} (make setup does)")


def script_of(ch: str) -> str | None:
    o = ord(ch)
    if 0x0F00 <= o <= 0x0FFF:
        return "tibetan"
    if 0xA000 <= o <= 0xA4CF:
        return "yi"
    if (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF
            or 0x20000 <= o <= 0x2FFFF):
        return "cjk"
    return None


def neutral_font(lang: str) -> str:
    key = own_script(lang)
    if key == "tibetan" and "KioskTibetan" not in font_path("tibetan"):
        return "latin"  # the merged font was not built: Latin gets its own run (and baseline)
    return key


def font_runs(text: str, lang: str) -> list[tuple[str, str]]:
    """Split text into runs that one font can draw: [(font key, text), ...]. Digits and Latin
    take the language's font, except in a text written in another script (a Chinese-only text
    on a Tibetan screen): there they take that script's font, so they sit on its baseline."""
    neutral = neutral_font(lang)
    scripts = [script_of(ch) for ch in text]  # once per character: this runs for every label line
    found = [s for s in scripts if s]
    if found and own_script(lang) not in found:
        neutral = found[0]
    runs: list[tuple[str, str]] = []
    for ch, script in zip(text, scripts):
        key = script or neutral
        if ch in " \u00a0" and runs:  # spaces join the run they are in
            key = runs[-1][0]
        if runs and runs[-1][0] == key:
            runs[-1] = (key, runs[-1][1] + ch)
        else:
            runs.append((key, ch))
    return runs


@lru_cache(maxsize=64)
def pil_font(key: str, size: int) -> Any:
    from PIL import ImageFont

    return ImageFont.truetype(font_path(key), size, layout_engine=ImageFont.Layout.RAQM)


def text_width(text: str, lang: str, font_size_px: int) -> float:
    return sum(pil_font(key, font_size_px).getlength(run) for key, run in font_runs(text, lang))


# -- line breaking ------------------------------------------------------------------------------------
# Closing punctuation never starts a line (CJK, Latin, Yi ꓸ ꓹ, Tibetan shads); opening never ends one.
CLOSING = set("\uff0c\u3002\u3001\uff1b\uff1a\uff1f\uff01\uff09\u300d\u300f\u3011\u300b\u3009\u2019\u201d\u2026\u2014,.;:?!)]}%\u00b7\ua4f8\ua4f9\u0f0d\u0f0e\u0f14")
OPENING = set("\uff08\u300c\u300e\u3010\u300a\u3008\u2018\u201c([{")
_SPACE = re.compile(r"\s")


def _segments(text: str) -> list[str]:
    """Unbreakable pieces; a line may break between any two of them."""
    segs: list[str] = []
    cur = ""
    i = 0
    while i < len(text):
        ch = text[i]
        script = script_of(ch)
        if ch == " ":
            cur += ch
            segs.append(cur)
            cur = ""
        elif script == "tibetan":
            cur += ch
            if ch in "\u0f0b\u0f0d\u0f0e":  # tsheg, shad: a syllable ends here
                # consecutive shads and a following space stay with it
                while i + 1 < len(text) and text[i + 1] in "\u0f0d\u0f0e ":
                    i += 1
                    cur += text[i]
                segs.append(cur)
                cur = ""
        elif script in ("cjk", "yi") and ch not in CLOSING and ch not in OPENING:
            if cur and not all(c in OPENING for c in cur):
                segs.append(cur)
                cur = ""
            cur += ch
        elif ch in CLOSING:
            cur += ch  # closing punctuation never starts a line
        elif ch in OPENING:
            if cur and not all(c in OPENING for c in cur):
                segs.append(cur)
                cur = ""
            cur += ch
        else:  # Latin letters, digits: part of the current word
            if cur and script_of(cur[-1]) in ("cjk", "yi") and cur[-1] not in OPENING:
                segs.append(cur)
                cur = ""
            cur += ch
        i += 1
    if cur:
        segs.append(cur)
    return segs


def _hard_split(seg: str, lang: str, max_width_px: int, font_size_px: int) -> list[str]:
    """A piece wider than a line (a long number, a Tibetan word without tsheg): split at grapheme
    clusters, never inside a Tibetan stack (combining marks stay with their base)."""
    clusters: list[str] = []
    for ch in seg:
        if clusters and (unicodedata.combining(ch) or 0x0F71 <= ord(ch) <= 0x0FBC):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    lines: list[list[str]] = [[]]
    for c in clusters:
        cur = lines[-1]
        if cur and text_width("".join(cur) + c, lang, font_size_px) > max_width_px:
            if c[0] in CLOSING and len(cur) > 1:
                lines[-1], moved = cur[:-1], cur[-1]  # closing punctuation takes its character along
                lines.append([moved, c])
            else:
                lines.append([c])
        else:
            cur.append(c)
    return ["".join(line) for line in lines if line]


def break_lines(text: str, lang: str, max_width_px: int, font_size_px: int) -> list[str]:
    """Break `text` into lines no wider than `max_width_px` in the real fonts of its scripts."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for seg in _segments(paragraph):
            candidate = line + seg
            if text_width(candidate.rstrip(), lang, font_size_px) <= max_width_px:
                line = candidate
                continue
            if line.strip():
                out.append(line.rstrip())
            if text_width(seg.rstrip(), lang, font_size_px) > max_width_px:
                pieces = _hard_split(seg.rstrip(), lang, max_width_px, font_size_px)
                out.extend(pieces[:-1])
                line = pieces[-1] if pieces else ""
            else:
                line = seg.lstrip() if line.strip() else seg
        out.append(line.rstrip())
    return out
