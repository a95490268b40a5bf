"""The MQTT protocol between terminals and operators: topics, command envelopes, argument
checks, acknowledgements, telemetry scrubbing. Pure functions; no network here.

Topics (per terminal T; the broker ACL lets T publish only its own status/telemetry/ack and
read only its own cmd):
    kiosk/T/status      retained; {"state": "online"|"offline", ...}; the last will says offline
    kiosk/T/telemetry   periodic machine state, never personal data
    kiosk/T/cmd         {"id", "cmd", "args", "issued_at", "expires_at"}   (QoS 1, not retained)
    kiosk/T/ack         {"id", "terminal", "cmd", "status", "reason"?, "result"?}   (QoS 1)

Times are Unix epoch seconds (UTC); command expiry guards against a command queued for a
terminal that was off for a week running when it comes back.
"""
from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.core import privacy

TOPIC_ROOT = "kiosk"
MAX_COMMAND_BYTES = 16 * 1024
MAX_RESULT_BYTES = 64 * 1024
MAX_CLOCK_SKEW_S = 300.0
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TERMINAL = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def check_terminal_id(terminal_id: str) -> str:
    # The id is a topic level and the MQTT client id: no '/', '+', '#' or spaces.
    if not isinstance(terminal_id, str) or not _TERMINAL.match(terminal_id):
        raise ValueError(f"terminal id {terminal_id!r}: use letters, digits, '.', '_' or '-' (max 64)")
    return terminal_id


def topic(terminal_id: str, leaf: str) -> str:
    return f"{TOPIC_ROOT}/{terminal_id}/{leaf}"


def terminal_of(topic_name: str) -> str | None:
    parts = topic_name.split("/")
    return parts[1] if len(parts) == 3 and parts[0] == TOPIC_ROOT else None


def mosquitto_acl(operator_user: str = "fleet-operator") -> str:
    """The broker ACL (mosquitto syntax; %u = the authenticated username = the terminal id):
    a terminal writes only its own status/telemetry/ack and reads only its own cmd."""
    leaf_rules = "".join(f"pattern write {TOPIC_ROOT}/%u/{leaf}\n" for leaf in ("status", "telemetry", "ack"))
    return (leaf_rules + f"pattern read {TOPIC_ROOT}/%u/cmd\n\n"
            f"user {operator_user}\n"
            f"topic write {TOPIC_ROOT}/+/cmd\n"
            + "".join(f"topic read {TOPIC_ROOT}/+/{leaf}\n" for leaf in ("status", "telemetry", "ack")))


# -- commands ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Arg:
    type: type
    required: bool = False
    max_len: int = 200           # strings: characters; dicts: keys
    min: float | None = None
    max: float | None = None


# The allow-list. Each command names its arguments; anything else is refused.
COMMANDS: dict[str, dict[str, Arg]] = {
    "diag": {},
    "diag_bundle": {},
    "screenshot": {},
    "restart_app": {"reason": Arg(str, max_len=200)},
    "check_update": {"apply": Arg(bool)},
    "set_maintenance": {"on": Arg(bool, required=True), "reason": Arg(str, max_len=200)},
    # texts: language code -> text; an empty dict clears the announcement
    "set_announcement": {"texts": Arg(dict, required=True, max_len=8),
                         "until": Arg(float, min=0)},
}
ANNOUNCEMENT_MAX_CHARS = 1000


class Refused(Exception):
    """A command that will not run; `reason` goes into the ack."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Command:
    id: str
    cmd: str
    args: dict[str, Any]
    issued_at: float
    expires_at: float


def make_command(cmd: str, args: Mapping[str, Any] | None = None, ttl_s: float = 300.0,
                 now: float | None = None, command_id: str | None = None) -> dict[str, Any]:
    issued = time.time() if now is None else now
    return {"id": command_id or uuid.uuid4().hex, "cmd": cmd, "args": dict(args or {}),
            "issued_at": issued, "expires_at": issued + ttl_s}


def parse_envelope(payload: bytes) -> tuple[str | None, dict[str, Any]]:
    """Return (id, raw dict). Raises Refused when even the id cannot be read; the id is None
    then and the ack cannot be matched, but the operator still sees the refusal."""
    if len(payload) > MAX_COMMAND_BYTES:
        raise Refused(f"command larger than {MAX_COMMAND_BYTES} bytes")
    try:
        raw = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Refused("malformed: not JSON") from None
    if not isinstance(raw, dict):
        raise Refused("malformed: not an object")
    cid = raw.get("id")
    if not isinstance(cid, str) or not _ID.match(cid):
        raise Refused("malformed: id must be 1-64 letters, digits, '-' or '_'")
    return cid, raw


def validate(raw: dict[str, Any], now: float, max_ttl_s: float) -> Command:
    """Check a parsed envelope against the allow-list, the clock and the argument specs."""
    name = raw.get("cmd")
    if not isinstance(name, str) or name not in COMMANDS:
        raise Refused(f"unknown command {str(name)[:40]!r}")
    issued, expires = raw.get("issued_at"), raw.get("expires_at")
    if not all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in (issued, expires)):
        raise Refused("malformed: issued_at and expires_at must be numbers")
    if expires <= issued:
        raise Refused("malformed: expires_at is not after issued_at")
    if expires - issued > max_ttl_s:
        raise Refused(f"lifetime longer than {max_ttl_s:g} s")
    if expires < now:
        raise Refused("expired")
    if issued > now + MAX_CLOCK_SKEW_S:
        raise Refused("issued in the future (check the clocks)")
    args = raw.get("args", {})
    if not isinstance(args, dict):
        raise Refused("malformed: args must be an object")
    return Command(raw["id"], name, _check_args(name, args), float(issued), float(expires))


def _check_args(name: str, args: dict[str, Any]) -> dict[str, Any]:
    spec = COMMANDS[name]
    unknown = sorted(set(args) - set(spec))
    if unknown:
        raise Refused(f"unknown argument {unknown[0][:40]!r} for {name}")
    out: dict[str, Any] = {}
    for key, arg in spec.items():
        if key not in args:
            if arg.required:
                raise Refused(f"missing argument {key!r}")
            continue
        value = args[key]
        if arg.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if (arg.type is not bool and isinstance(value, bool)) or not isinstance(value, arg.type):
            raise Refused(f"argument {key!r} must be {arg.type.__name__}")
        if isinstance(value, str) and len(value) > arg.max_len:
            raise Refused(f"argument {key!r} longer than {arg.max_len} characters")
        if isinstance(value, float) and ((arg.min is not None and value < arg.min) or
                                         (arg.max is not None and value > arg.max)):
            raise Refused(f"argument {key!r} out of range")
        if isinstance(value, dict):
            if len(value) > arg.max_len:
                raise Refused(f"argument {key!r} has more than {arg.max_len} entries")
            for k, v in value.items():
                if not (isinstance(k, str) and len(k) <= 16 and isinstance(v, str)
                        and len(v) <= ANNOUNCEMENT_MAX_CHARS):
                    raise Refused(f"argument {key!r}: entries must be short codes mapped to text "
                                  f"of at most {ANNOUNCEMENT_MAX_CHARS} characters")
        out[key] = value
    return out


def make_ack(terminal_id: str, command_id: str | None, cmd: str | None, status: str, *,
             reason: str | None = None, result: Any = None, now: float | None = None) -> dict[str, Any]:
    """status: ok | error | refused | duplicate"""
    ack: dict[str, Any] = {"id": command_id, "terminal": terminal_id, "cmd": cmd, "status": status,
                           "acked_at": time.time() if now is None else now}
    if reason is not None:
        ack["reason"] = reason[:300]
    if result is not None:
        ack["result"] = result
    if len(json.dumps(ack, default=str)) > MAX_RESULT_BYTES:
        ack.pop("result", None)
        ack["status"] = "error" if status == "ok" else status
        ack["reason"] = f"result larger than {MAX_RESULT_BYTES} bytes (large files go by upload, not MQTT)"
    return ack


# -- telemetry -----------------------------------------------------------------------------------
# What a terminal may report. Anything else is dropped; strings must look like machine codes
# (ASCII, short, no personal number), so a name or an address in a device reason cannot ride along.
TELEMETRY_KEYS = frozenset({
    "versions", "update", "devices", "paper", "sessions", "queue", "maintenance",
    "announcement_version", "uptime_s", "disk_free_mb", "memory_rss_mb", "journal", "errors",
})
REDACTED = privacy.REDACTED


def scrub_telemetry(sample: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """Return (clean sample, number of values dropped or redacted): the rule is
    kiosk.core.privacy.scrub_telemetry, the keys a sample may have are the protocol's."""
    return privacy.scrub_telemetry(sample, TELEMETRY_KEYS)
