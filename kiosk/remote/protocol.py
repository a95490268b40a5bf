"""The MQTT protocol between terminals and operators: topics, command envelopes, argument
checks, acknowledgements, telemetry scrubbing. Pure functions; no network here.

Topics (per terminal T; the broker ACL lets T publish only its own status/telemetry/ack and
read only its own cmd):
    kiosk/T/status      retained; {"state": "online"|"offline", ...}; the last will says offline
    kiosk/T/telemetry   periodic machine state, never personal data
    kiosk/T/cmd         {"id", "cmd", "args", "issued_at", "expires_at"}   (QoS 1, not retained)
    kiosk/T/ack         {"id", "terminal", "cmd", "status", "reason"?, "field"?, "result"?}   (QoS 1)

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
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, UnsetType

from kiosk.core import decode
from kiosk.core.decode import DecodeError, Record, number, text

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
# Every envelope gets exactly one ack: `ok` (or `error` if the handler failed), `refused` with a
# reason (policy: unknown command, expired, lifetime too long, issued in the future, too large),
# `invalid` with the field that is not what this protocol says, or `duplicate` for an id seen
# before. Envelopes and arguments are declared below and decoded by kiosk/core/decode.py, so a
# NaN time, a 400-digit number or arguments nested 5,000 deep are an `invalid` ack naming the
# field, never an exception on the network thread.
MAX_EPOCH_S = 2.0**33  # the year 2242: a later time is a bug, and floats stay exact below it
Epoch = number(ge=0, le=MAX_EPOCH_S)
_Reason = text(max_len=200)
CommandId = text(max_len=64, pattern=_ID.pattern, means="1-64 letters, digits, '-' or '_'")


class Args(Record, forbid_unknown_fields=True):
    """A command's arguments (none). Subclasses declare theirs; anything else is invalid."""


class _RestartArgs(Args):
    reason: _Reason | UnsetType = UNSET


class _CheckUpdateArgs(Args):
    apply: bool | UnsetType = UNSET


class _MaintenanceArgs(Args):
    on: bool
    reason: _Reason | UnsetType = UNSET


ANNOUNCEMENT_MAX_CHARS = 1000


class _AnnouncementArgs(Args):
    # language code -> text; an empty table clears the announcement
    texts: Annotated[dict[text(min_len=1, max_len=16), text(max_len=ANNOUNCEMENT_MAX_CHARS)], Meta(max_length=8)]
    until: Epoch | UnsetType = UNSET


# The allow-list. Each command names its arguments; anything else is refused.
COMMANDS: dict[str, type[Args]] = {
    "diag": Args,
    "diag_bundle": Args,
    "screenshot": Args,
    "restart_app": _RestartArgs,
    "check_update": _CheckUpdateArgs,
    "set_maintenance": _MaintenanceArgs,
    "set_announcement": _AnnouncementArgs,
}


class Envelope(Record):
    # Unknown members are ignored: a newer operator tool may add some.
    id: CommandId
    cmd: text(max_len=64)
    issued_at: Epoch
    expires_at: Epoch
    args: dict[str, Any] = {}

    def check(self) -> None:
        if self.expires_at <= self.issued_at:
            raise DecodeError("expires_at", "not after issued_at")


class Refused(Exception):
    """A command that will not run by policy; `reason` goes into the ack."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Invalid(Exception):
    """An envelope that is not what the protocol says; the ack names `field`. `command_id` and
    `cmd` are what could be read of it (None when even the id could not), for the ack."""

    def __init__(self, error: DecodeError, command_id: str | None = None, cmd: str | None = None) -> None:
        self.field = error.field or "envelope"
        self.reason = f"{self.field}: {error.problem}"
        super().__init__(self.reason)
        self.command_id, self.cmd = command_id, cmd


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


def read_envelope(payload: bytes) -> Envelope:
    """Decode an envelope. Raises Refused (too large) or Invalid naming the first bad field and
    carrying the id whenever the id itself is readable, so the operator can match the ack."""
    if len(payload) > MAX_COMMAND_BYTES:
        raise Refused(f"command larger than {MAX_COMMAND_BYTES} bytes")
    try:
        good, bad = decode.loads_members(payload)
    except DecodeError as e:
        raise Invalid(e) from None
    if "id" in bad:
        raise Invalid(bad["id"])
    try:
        cid = decode.convert(good["id"], CommandId, "id") if "id" in good else None
    except DecodeError as e:
        raise Invalid(e) from None
    if cid is None:
        raise Invalid(DecodeError("id", "missing"))
    name = good.get("cmd") if isinstance(good.get("cmd"), str) and len(good["cmd"]) <= 64 else None
    if bad:
        raise Invalid(next(iter(bad.values())), cid, name)
    try:
        return decode.convert(good, Envelope)
    except DecodeError as e:
        raise Invalid(e, cid, name) from None


def validate(env: Envelope, now: float, max_ttl_s: float) -> Command:
    """Check a decoded envelope against the allow-list, the clock and the command's arguments."""
    spec = COMMANDS.get(env.cmd)
    if spec is None:
        raise Refused(f"unknown command {env.cmd[:40]!r}")
    if env.expires_at - env.issued_at > max_ttl_s:
        raise Refused(f"lifetime longer than {max_ttl_s:g} s")
    if env.expires_at < now:
        raise Refused("expired")
    if env.issued_at > now + MAX_CLOCK_SKEW_S:
        raise Refused("issued in the future (check the clocks)")
    try:
        args = decode.convert(env.args, spec, "args")
    except DecodeError as e:
        raise Invalid(e, env.id, env.cmd) from None
    given = {k: v for k, v in msgspec.structs.asdict(args).items() if v is not UNSET}
    return Command(env.id, env.cmd, given, env.issued_at, env.expires_at)


def make_ack(terminal_id: str, command_id: str | None, cmd: str | None, status: str, *,
             reason: str | None = None, result: Any = None, field: str | None = None,
             now: float | None = None) -> dict[str, Any]:
    """status: ok | error | refused | invalid (with `field`) | duplicate"""
    ack: dict[str, Any] = {"id": command_id, "terminal": terminal_id, "cmd": cmd, "status": status,
                           "acked_at": time.time() if now is None else now}
    if reason is not None:
        ack["reason"] = reason[:300]
    if field is not None:
        ack["field"] = field[:120]
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
