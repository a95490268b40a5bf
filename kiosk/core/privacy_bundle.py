"""The configuration a diagnostics bundle may show (part of kiosk/core/privacy.py, which re-exports
every name here: import them from there). An allow-list: a key added tomorrow is hidden until
someone decides it is safe to show."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

REDACTED = "<redacted>"

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
