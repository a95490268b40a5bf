"""Every privacy rule of the kiosk: how personal data is masked, scrubbed or redacted, wherever it
would otherwise leave the session (shared/DESIGN.md, "Privacy and security").

- Screens, receipts and the CLI show a value masked: `mask_id_number` (first 6 and last 4 visible,
  as DESIGN.md says), `mask_name`, `mask_phone`, `mask_address`, `mask_card_number`.
- Free text bound for a log, an incident, a bundle or a technician screen goes through `mask_text`:
  personal number patterns, Han/Tibetan/Yi script runs, URL passwords, and the values the session
  registered at run time (`register_sensitive`).
- An evaluation comment goes to the platform: `scrub_comment` removes any number of six digits or
  more (in any script's digits, or spelled in Chinese, Tibetan or Yi number words), the citizen's
  name (as on the card, in Tibetan script, with a case particle written on) and a name introduced
  by "my name is" in Chinese, Tibetan or English, before it is cut to length.
- Telemetry keeps only machine codes (`scrub_telemetry`).
- A diagnostics bundle shows only the config keys `BUNDLE_CONFIG` allows (`redact_config`), an
  allow-list: a key added tomorrow is hidden until someone decides it is safe to show (those rules
  sit in kiosk/core/privacy_bundle.py, re-exported here).

Code holds no Chinese, Tibetan or Yi literals (tests/unit/test_catalogs.py): characters are escapes.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from kiosk.core.privacy_bundle import (  # noqa: F401 - re-exported: one import path for every privacy rule
    BUNDLE_CONFIG,
    NEVER_IN_BUNDLE,
    REDACTED,
    URL_PARAMS,
    bundle_kind,
    redact_config,
    redact_url,
    redacted_values,
)
from kiosk.i18n.name_spellings import tibetan_spellings

MASK = "***"
ADDRESS_MASK = "****"
MIN_SENSITIVE_LEN = 2  # a one-character value would blank out half of every line
MAX_COMMENT = 140
TSHEG = "\u0f0b"


# -- masks for screens, receipts and the CLI --------------------------------------------------------
def _keep(value: str, head: int, tail: int) -> str:
    """Keep `head` leading and `tail` trailing characters, star the rest (all of a short value)."""
    v = value.strip()
    if len(v) <= head + tail:
        return "*" * len(v)
    return v[:head] + "*" * (len(v) - head - tail) + v[len(v) - tail:]


def mask_id_number(value: str) -> str:
    """First 6 and last 4 visible: 513322********1234 (the regional code and check digits stay)."""
    return _keep(value, 6, 4)


def mask_card_number(value: str) -> str:
    """A card's own number. A bank card (15-19 digits) as an ID number; a social security card's
    9-character number keeps its issuer letter and last 2: A******78."""
    v = value.strip()
    return _keep(v, 6, 4) if len(v) >= 15 else _keep(v, 1, 2)


def mask_phone(value: str) -> str:
    """A phone number keeps its prefix (+86, the mobile network or area code) and last 4 digits."""
    v = value.strip()
    return v[:-8] + "****" + v[-4:] if len(v) >= 11 else _keep(v, 0, 4)


def mask_name(value: str) -> str:
    """Keep the first character; a Tibetan name keeps its first syllable, a Latin one its first word."""
    v = value.strip()
    if TSHEG in v:  # Tibetan: syllables end with a tsheg; one star per hidden syllable
        first, *rest = v.split(TSHEG)
        return first + TSHEG + "*" * max(1, len([s for s in rest if s.strip()]))
    if " " in v:
        return v.split(" ", 1)[0] + " " + "*" * 3
    return v[:1] + "*" * max(1, len(v) - 1) if v else ""


# Administrative units, in the order an address names them: a masked address keeps the place up
# to the town (or the county when there is no town) and hides the rest.
_ADMIN_UNITS = "\u7701\u5dde\u5e02\u53bf\u533a\u65d7\u9547\u4e61"  # province, prefecture .. town, township
_SUBDISTRICT = "\u8857\u9053"  # a city's sub-district; a street alone is part of the address
_ADMIN_END = re.compile(f"(?:[{_ADMIN_UNITS}]|{_SUBDISTRICT})")


def mask_address(value: str) -> str:
    """Keep the administrative part, hide the village, street number and room: an address on a
    public screen must not lead anyone to the door."""
    v = value.strip()
    if not v:
        return ""
    keep = max((m.end() for m in _ADMIN_END.finditer(v[: max(3, len(v) * 2 // 3)])), default=0)
    return v[:keep or max(1, len(v) // 3)] + ADDRESS_MASK


# -- personal numbers in free text ------------------------------------------------------------------
# 15-19 digits (or 17 digits + X): ID numbers old and new, bank cards. Digit boundaries only, so
# "id513326...": the letters before the number do not protect it.
_LONG_NUMBER = re.compile(r"(?<!\d)(?:\d{17}[Xx]|\d{15,19})(?!\d)")
# Mainland mobile numbers (optionally +86), and landlines written with an area code and a dash.
_MOBILE = re.compile(r"(?<!\d)(?:(?:\+|00)?86[- ]?)?1[3-9]\d{9}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")
# The same numbers written in groups, as people write them: 138.0013.8000, 513327/19620805/0282,
# 6222 0212 3456 7890. Only these groupings: a timestamp or a version must stay readable in a log.
_S = r"[\s./\-_\u00b7]{1,3}"
_GROUPED = re.compile(rf"(?<![\d.])(?:(?:\+|00)?86{_S})?(?:1[3-9]\d{_S}\d{{4}}{_S}\d{{4}}"
                      rf"|\d{{6}}{_S}\d{{8}}{_S}\d{{3}}[\dXx]|\d{{6}}{_S}\d{{4}}{_S}\d{{4}}{_S}\d{{3}}[\dXx]"
                      rf"|\d{{4}}{_S}\d{{4}}{_S}\d{{4}}{_S}\d{{4}}(?:{_S}\d{{1,3}})?)(?![\d.]?\d)")
# A password in a URL (scheme://user:password@host): the whole user part goes.
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^\s/@]+@")
# Han (with extension A, compatibility ideographs, CJK punctuation and full-width forms),
# Tibetan, Yi syllables and radicals: the scripts of the names and addresses on the cards.
_SCRIPTS = re.compile(r"[\u0f00-\u0fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
                      r"\uf900-\ufaff\uff00-\uffef]+")


def _mask_grouped(m: re.Match[str]) -> str:
    digits = re.sub(r"[^\dXx+]", "", m.group(0))
    return mask_phone(digits) if len(digits.lstrip("+")) <= 13 else mask_id_number(digits)


def is_personal_number(text: str) -> bool:
    """Does the text hold something that looks like an ID, card or phone number?"""
    return any(p.search(text) for p in (_LONG_NUMBER, _MOBILE, _LANDLINE, _GROUPED))


# -- values the session knows to be personal ---------------------------------------------------------
class SensitiveRegistry:
    """Values the session knows to be personal, masked wherever they appear. Counted, so two
    holders of one value (a name on the ID card and the social security card) can each forget
    it without unmasking it for the other."""

    def __init__(self, min_len: int = MIN_SENSITIVE_LEN) -> None:
        self._lock = threading.Lock()
        self._values: Counter[str] = Counter()
        self._pattern: re.Pattern[str] | None = None
        self.min_len = min_len

    def register(self, value: object) -> None:
        # Text only: a photo or raw card bytes never reach a log as text anyway (mask_value
        # replaces bytes by their length), and their repr would make a useless pattern.
        if not isinstance(value, str) or len(value.strip()) < self.min_len:
            return
        with self._lock:
            self._values[value.strip()] += 1
            self._pattern = None

    def forget(self, value: object) -> None:
        if not isinstance(value, str):
            return
        text = value.strip()
        with self._lock:
            if text in self._values:
                self._values[text] -= 1
                if self._values[text] <= 0:
                    del self._values[text]
                    self._pattern = None

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._pattern = None

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def pattern(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self._values:
                # Longest first, so a full name is masked before a part of it is.
                alts = sorted(self._values, key=len, reverse=True)
                self._pattern = _compile_uncached("|".join(re.escape(v) for v in alts), re.IGNORECASE)
            return self._pattern


def _compile_uncached(pattern: str, flags: int) -> re.Pattern[str]:
    """re.compile without re's module cache: that cache keeps the last 512 patterns for as long as
    the process runs, so a pattern made of citizens' names would outlive their sessions."""
    return re._compiler.compile(pattern, flags)  # what re.compile calls (Python 3.11+), minus the cache


# The process's registry: the session registers each personal value it holds (name, ID number...)
# and forgets it when it wipes the value; every log record is masked with it.
SENSITIVE = SensitiveRegistry()
register_sensitive = SENSITIVE.register
forget_sensitive = SENSITIVE.forget
forget_all_sensitive = SENSITIVE.clear


def mask_text(text: str, *, scripts: bool = True, registry: SensitiveRegistry | None = None) -> str:
    """Remove personal data patterns from free text (logs, incident details, bundles, screens)."""
    if not text:
        return text
    pattern = (SENSITIVE if registry is None else registry).pattern()
    if pattern is not None:
        text = pattern.sub(MASK, text)
    text = _URL_USERINFO.sub(lambda m: m.group(1) + REDACTED + "@", text)
    text = _GROUPED.sub(_mask_grouped, text)
    text = _LONG_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    for phone in (_MOBILE, _LANDLINE):
        text = phone.sub(lambda m: mask_phone(m.group(0)), text)
    if scripts:
        text = _SCRIPTS.sub(MASK, text)
    return text


def mask_value(value: Any, *, scripts: bool = True) -> Any:
    """mask_text through str, list, tuple and dict values (keys too)."""
    if isinstance(value, str):
        return mask_text(value, scripts=scripts)
    if isinstance(value, dict):
        return {mask_value(k, scripts=scripts): mask_value(v, scripts=scripts) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(mask_value(v, scripts=scripts) for v in value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes>"  # raw card bytes never go out, even masked
    return value


# -- evaluation comments ------------------------------------------------------------------------------
# Six or more digits with up to three separators of any kind between them, and an ID number's final
# X: a comment has no reason to carry such a number, and people write phone numbers as 138.0013.8000
# or 138 0013 8000. A digit is any script's (\d: ASCII, full-width, Tibetan 0-9 as typed on the
# Tibetan keyboard), Tibetan half digits, Chinese numerals, and digits spelled as words: Tibetan
# (one..nine, zero, whole syllables only) and Yi (Nuosu cyp nyip suo ly nge fut shyp hxit ggu, with
# the forms compounds take), as a Tibetan or Yi writer spells a number out.
_TIBETAN_BODY = r"\u0f40-\u0fbc"  # letters, vowel signs, subjoined letters: inside a syllable
_BO_DIGIT_WORDS = (r"\u0f42\u0f45\u0f72\u0f42|\u0f42\u0f49\u0f72\u0f66|\u0f42\u0f66\u0f74\u0f58|\u0f56\u0f5e\u0f72"
                   r"|\u0f63\u0f94|\u0f51\u0fb2\u0f74\u0f42|\u0f56\u0f51\u0f74\u0f53|\u0f56\u0f62\u0f92\u0fb1\u0f51"
                   r"|\u0f51\u0f42\u0f74|\u0f40\u0fb3\u0f51\u0f0b?(?:\u0f40|\u0f66\u0f90)\u0f7c\u0f62")
_DIGIT = (r"(?:[\d\u0f2a-\u0f33\u3007\u4e00\u4e8c\u4e09\u56db\u4e94\u516d\u4e03\u516b\u4e5d\u96f6\u5e7a"
          r"\ua2cd\ua44d\ua315\ua1d6\ua26c\ua0d8\ua3c3\ua246\ua21e\ua22c\ua2cb\ua44b\ua3c2]"
          rf"|(?<![{_TIBETAN_BODY}])(?:{_BO_DIGIT_WORDS})(?![{_TIBETAN_BODY}]))")
_ANY_NUMBER = re.compile(rf"{_DIGIT}(?:[\W_]{{0,3}}{_DIGIT}){{5,}}(?:[\W_]{{0,3}}[Xx](?![A-Za-z]))?")
_NAME_SEP = r"[\W_]{0,3}"  # between the characters (or Tibetan syllables) of a name
_TIBETAN_BREAK = re.compile(r"[\u0f0b-\u0f14\s]+")  # tsheg, shad and the like, spaces
# A Tibetan case particle written onto a name's last syllable (-s agentive, -r dative, -'i genitive,
# -'o, -'am, -'ang): "Drolma-s helped me" must lose the name and may keep the particle.
_BO_PARTICLE = r"(?:\u0f66|\u0f62|\u0f60[\u0f72\u0f7c\u0f58\u0f44])"
# A name the kiosk does not know (no card was read), after the words that introduce one: Chinese
# "I am called / my name is", Tibetan "my name (is)", English "my name is": up to 3 Han characters,
# up to 4 Tibetan syllables (to "called"/"am", a shad or the end), 2 Latin words.
_NAME_CUES = (
    re.compile(r"((?:\u6211\u53eb|\u540d\u5b57(?:\u662f|\u53eb)|\u59d3\u540d(?:\u662f)?)[\s:\uff1a]*)"
               r"[\u3400-\u4dbf\u4e00-\u9fff]{1,3}"),
    re.compile(r"(\u0f44\u0f60\u0f72\u0f0b?\s*\u0f58\u0f72\u0f44\u0f0b?\s*(?:\u0f63\u0f0b|\u0f53\u0f72\u0f0b)?\s*)"
               rf"(?:(?!\u0f5f\u0f7a\u0f62|\u0f61\u0f72\u0f53)[{_TIBETAN_BODY}]+[\u0f0b\s]*){{1,4}}"),
    re.compile(r"(?i)(\bmy name is\s+|\bi am called\s+)[A-Za-z]+(?:[ -][A-Za-z]+)?"),
)


def _units(name: str) -> list[str]:
    """A name as the pieces a writer may put separators between: Tibetan syllables, else characters."""
    if any("\u0f40" <= c <= "\u0fbc" for c in name):
        return [s for s in _TIBETAN_BREAK.split(name) if s]
    return [c for c in name if not (c.isspace() or unicodedata.category(c)[0] in "PZ")]


def _name_pattern(name: str) -> str | None:
    units = _units(name)
    if not units or sum(map(len, units)) < MIN_SENSITIVE_LEN:
        return None
    body = _NAME_SEP.join(re.escape(u) for u in units)
    first, last = units[0][0], units[-1][-1]
    if "\u0f40" <= first <= "\u0fbc":  # a Tibetan name is whole syllables (a particle may be written on)
        body = f"(?<![{_TIBETAN_BODY}]){body}(?=(?:{_BO_PARTICLE})?(?![{_TIBETAN_BODY}]))"
    elif first.isascii() or last.isascii():  # a Latin name is whole words
        body = f"(?<![A-Za-z]){body}(?![A-Za-z])"
    return body


def scrub_comment(text: str, names: str | Iterable[str | None] | None = None) -> str:
    """An evaluation comment without numbers of six digits or more and without the citizen's
    name (as on the card, with separators between its characters, in Tibetan script when the card
    has the Chinese transcription); scrubbed whole, then cut to MAX_COMMENT."""
    text = unicodedata.normalize("NFKC", text)
    wanted = [unicodedata.normalize("NFKC", n or "").strip() for n in ([names] if isinstance(names, str) else names or ())]
    forms = [form for name in wanted for form in (name, *tibetan_spellings(name.replace(" ", "")))]
    patterns = [p for p in map(_name_pattern, forms) if p]
    if patterns:
        text = _compile_uncached("|".join(patterns), re.IGNORECASE).sub(MASK, text)
    for cue in _NAME_CUES:
        text = cue.sub(lambda m: m.group(1) + MASK, text)
    text = _ANY_NUMBER.sub(MASK, text)
    return " ".join(text.split())[:MAX_COMMENT]


# -- telemetry -------------------------------------------------------------------------------------
# Strings must look like machine codes (ASCII, short), so a name or an address in a device reason
# string cannot ride along; no personal number either, grouped or not.
_SAFE_STRING = re.compile(r"^[A-Za-z0-9 _.:/+,()=%@#-]{0,120}$")
_LONG_DIGITS = re.compile(r"\d{12,}")
_TELEMETRY_DEPTH = 4
_TELEMETRY_WIDTH = 64


def _machine_code(text: str) -> bool:
    return bool(_SAFE_STRING.match(text)) and not is_personal_number(text) and not _LONG_DIGITS.search(text)


def scrub_telemetry(sample: Mapping[str, Any], keys: Iterable[str]) -> tuple[dict[str, Any], int]:
    """(clean sample, number of values dropped or redacted): top-level keys only from `keys`,
    strings only machine codes, at most 4 levels and 64 entries per level."""
    allowed = frozenset(keys)
    dropped = 0

    def clean(value: Any, depth: int) -> Any:
        nonlocal dropped
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, str):
            dropped += not _machine_code(value)
            return value if _machine_code(value) else REDACTED
        if depth >= _TELEMETRY_DEPTH:
            dropped += 1
            return None
        if isinstance(value, Mapping):
            items = list(value.items())[:_TELEMETRY_WIDTH]
            kept = [(str(k), v) for k, v in items if _machine_code(str(k)) and len(str(k)) <= 40]
            dropped += len(items) - len(kept)
            return {k: clean(v, depth + 1) for k, v in kept}
        if isinstance(value, (list, tuple)):
            return [clean(v, depth + 1) for v in list(value)[:_TELEMETRY_WIDTH]]
        dropped += 1
        return None

    out = {key: clean(value, 1) for key, value in sample.items() if key in allowed}
    return out, dropped + len(sample) - len(out)

