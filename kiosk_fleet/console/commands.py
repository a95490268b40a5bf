"""The command allow-list as forms: one schema per command, read from the terminal's own
declarations (kiosk.remote.protocol.COMMANDS), so the console's forms and checks cannot drift
from what terminals accept. The browser gets required/maxlength/min attributes; the server
validates with the very function the terminal runs."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import msgspec.inspect as mi

from kiosk.remote import protocol


@dataclass(frozen=True)
class Field:
    name: str
    kind: str               # bool / str / float / int / dict
    required: bool
    max_len: int | None = None
    min: float | None = None
    max: float | None = None


_KINDS = {mi.BoolType: "bool", mi.StrType: "str", mi.FloatType: "float", mi.IntType: "int", mi.DictType: "dict"}


@cache
def schema() -> dict[str, tuple[Field, ...]]:
    out: dict[str, tuple[Field, ...]] = {}
    for name, spec in protocol.COMMANDS.items():
        fields = []
        for f in mi.type_info(spec).fields:  # type: ignore[union-attr]
            kind = _KINDS.get(type(f.type), "str")
            fields.append(Field(f.name, kind, f.required, getattr(f.type, "max_length", None),
                                getattr(f.type, "ge", None), getattr(f.type, "le", None)))
        out[name] = tuple(fields)
    return out


def parse_form(cmd: str, form: Mapping[str, Any]) -> dict[str, Any]:
    """Form fields `arg.<name>` to typed arguments. Raises protocol.Refused."""
    if cmd not in schema():
        raise protocol.Refused(f"unknown command {cmd[:40]!r}")
    out: dict[str, Any] = {}
    for f in schema()[cmd]:
        raw = str(form.get(f"arg.{f.name}", "")).strip()
        if raw == "":
            continue
        try:
            if f.kind == "bool":
                if raw not in ("true", "false"):
                    raise ValueError
                out[f.name] = raw == "true"
            elif f.kind in ("float", "int"):
                out[f.name] = float(raw) if f.kind == "float" else int(raw)
            elif f.kind == "dict":
                pairs = [line.split("=", 1) for line in raw.splitlines() if line.strip()]
                if any(len(p) != 2 for p in pairs):
                    raise ValueError
                out[f.name] = {k.strip(): v.strip() for k, v in pairs}
            else:
                out[f.name] = raw
        except ValueError:
            raise protocol.Refused(f"argument {f.name!r} must be {f.kind}") from None
    return out


def check(envelope: dict[str, Any], now: float, max_ttl_s: float) -> protocol.Command:
    """The terminal's own decoding and validation of the envelope it will receive.
    Raises protocol.Refused or protocol.Invalid (both carry `.reason`)."""
    return protocol.validate(protocol.read_envelope(json.dumps(envelope).encode()), now, max_ttl_s)
