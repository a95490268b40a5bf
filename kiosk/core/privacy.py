"""Every privacy rule of the kiosk: how personal data is masked, scrubbed or redacted, wherever it
would otherwise leave the session (shared/DESIGN.md, "Privacy and security").

- Screens, receipts and the CLI show a value masked: `mask_id_number` (first 6 and last 4 visible,
  as DESIGN.md says), `mask_name`, `mask_phone`, `mask_address`, `mask_card_number`.
- Free text bound for a log, an incident, a bundle or a technician screen goes through `mask_text`:
  personal number patterns, Han/Tibetan/Yi script runs, URL passwords, and the values the session
  registered at run time (`register_sensitive`).
- An evaluation comment goes to the platform: `scrub_comment` removes any number of six digits or
  more and the citizen's name, before it is cut to length.
- Telemetry keeps only machine codes (`scrub_telemetry`).
- A diagnostics bundle shows only the config keys `BUNDLE_CONFIG` allows (`redact_config`), an
  allow-list: a key added tomorrow is hidden until someone decides it is safe to show.

Code holds no Chinese, Tibetan or Yi literals (tests/unit/test_catalogs.py): characters are escapes.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from kiosk.i18n.name_spellings import tibetan_spellings

MASK = "***"
ADDRESS_MASK = "****"
REDACTED = "<redacted>"
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
# Six or more digits (any script's digits, and Chinese numerals) with up to three separators of any
# kind between them, and an ID number's final X: a comment has no reason to carry such a number,
# and people write phone numbers as 138.0013.8000 or 138 0013 8000.
_DIGIT = r"[\d\u3007\u4e00\u4e8c\u4e09\u56db\u4e94\u516d\u4e03\u516b\u4e5d\u96f6\u5e7a]"
_ANY_NUMBER = re.compile(rf"{_DIGIT}(?:[\W_]{{0,3}}{_DIGIT}){{5,}}(?:[\W_]{{0,3}}[Xx](?![A-Za-z]))?")
_NAME_SEP = r"[\W_]{0,3}"  # between the characters (or Tibetan syllables) of a name
_TIBETAN_BREAK = re.compile(r"[\u0f0b-\u0f14\s]+")  # tsheg, shad and the like, spaces
_TIBETAN_BODY = r"\u0f40-\u0fbc"  # letters, vowel signs, subjoined letters: inside a syllable


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
    if "\u0f40" <= first <= "\u0fbc":  # a Tibetan name is whole syllables, not the start of a longer one
        body = f"(?<![{_TIBETAN_BODY}]){body}(?![{_TIBETAN_BODY}])"
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


# -- configuration in a diagnostics bundle -------------------------------------------------------------
# What a bundle may show of the config, by dotted key ("*": any one key) and kind. Everything else is
# REDACTED (an empty value stays empty: "not configured" is worth seeing and reveals nothing).
_ALLOWED = {
    "text": "profile source terminal.id terminal.hall terminal.staffed_hours terminal.duty_phone terminal.default_language "
            "terminal.data_dir fleet.tls_ca_file fleet.tls_cert_file fleet.tls_key_file fleet.password_file "
            "fleet.state_dir fleet.install_root fleet.trusted_root fleet.busy_file",
    "number": "terminal.dpi timeouts.* platform.connect_timeout_s platform.read_timeout_s platform.retries "
              "platform.backoff_s devices.printer_roll_m fleet.broker_port fleet.keepalive_s fleet.reconnect_min_s "
              "fleet.reconnect_max_s fleet.session_expiry_s fleet.telemetry_interval_s fleet.outbox_max "
              "fleet.command_max_ttl_s fleet.pilot_percent fleet.check_interval_s fleet.health_timeout_s",
    "url": "platform.url devices.* devices.urls.* fleet.broker_host fleet.repo_url",
    "bool": "fleet.tls", "texts": "terminal.languages", "numbers": "terminal.window",
}
BUNDLE_CONFIG: dict[str, str] = {key: kind for kind, keys in _ALLOWED.items() for key in keys.split()}
# Config keys that never go into a bundle, named so a test can hold every config key to a decision.
NEVER_IN_BUNDLE = frozenset({"terminal.technician_pin_hash", "terminal.technician_card_hashes",
                             "fleet.username", "fleet.password"})
# URL parameters the device and platform code reads; any other parameter's value is redacted.
URL_PARAMS = frozenset({"baud", "flow", "in_ep", "out_ep", "reader", "idle_ms", "aim", "suffix",
                        "width", "height", "fps"})


def redact_url(url: str) -> str:
    """A URL without its user part, fragment, or the value of any parameter not in URL_PARAMS."""
    if "://" not in url:
        return REDACTED if "@" in url else url  # user:password@host without a scheme
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return REDACTED
    netloc = parts.netloc.rpartition("@")[2]
    if "@" in parts.netloc:
        netloc = f"{REDACTED}@{netloc}"
    query = "&".join(p if "=" not in p or p.split("=", 1)[0] in URL_PARAMS else p.split("=", 1)[0] + "=" + REDACTED
                     for p in parts.query.split("&")) if parts.query else ""
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


def bundle_kind(key: str) -> str | None:
    """How a bundle may show the config key (a BUNDLE_CONFIG kind), None: it may not."""
    if key in BUNDLE_CONFIG:
        return BUNDLE_CONFIG[key]
    for pattern, kind in BUNDLE_CONFIG.items():
        head, _, tail = pattern.rpartition(".")
        if tail == "*" and key.rpartition(".")[0] == head and key not in NEVER_IN_BUNDLE:
            return kind
    return None


def _fits(value: Any, kind: str) -> Any:
    """The value as a bundle shows it under a key of this kind (REDACTED: not of that kind)."""
    if kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind in ("text", "url") and isinstance(value, str) and len(value) <= 300:
        return redact_url(value) if kind == "url" else value
    if kind in ("texts", "numbers") and isinstance(value, (list, tuple)):
        ok = [_fits(v, kind[:-1]) for v in value]
        return list(ok) if REDACTED not in ok else REDACTED
    return REDACTED


def redact_config(obj: Any, prefix: str = "") -> Any:
    """Config data (plain dicts and lists, as parsed from TOML or built from the config) with every
    value not allowed by BUNDLE_CONFIG replaced by REDACTED, at any depth."""
    if isinstance(obj, Mapping):
        return {str(k): redact_config(v, f"{prefix}{k}.") for k, v in obj.items()}
    kind = bundle_kind(prefix[:-1])
    if kind is not None:
        return _fits(obj, kind)
    return obj if obj in ("", None, [], ()) else REDACTED


def redacted_values(obj: Any, prefix: str = "") -> set[str]:
    """The text of every value redact_config hides (whole values, and the password and parameter
    values it cuts out of URLs): a bundle masks these wherever else they show up."""
    if isinstance(obj, Mapping):
        return set().union(*(redacted_values(v, f"{prefix}{k}.") for k, v in obj.items()))
    kind = bundle_kind(prefix[:-1])
    if kind is None or _fits(obj, kind) == REDACTED:
        items = obj if isinstance(obj, (list, tuple)) else [obj]
        return {v for v in items if isinstance(v, str) and v}  # numbers are hidden, not hunted for
    if kind == "url" and isinstance(obj, str) and "://" in obj:
        try:
            parts = urlsplit(obj)
        except ValueError:
            return {obj}
        found = {parts.password or ""}  # a URL's user name is no secret, and too common to hunt
        found |= {p.split("=", 1)[1] for p in parts.query.split("&") if "=" in p and p.split("=", 1)[0] not in URL_PARAMS}
        return {v for v in found | {parts.fragment} if v}
    return set()
