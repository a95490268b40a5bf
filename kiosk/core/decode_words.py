"""msgspec's validation messages in the words the rest of the kiosk uses ("expected a string, got
number", "-1 is out of range (must be >= 0)"), for kiosk/core/decode.py. Kept apart because it
depends on msgspec's wording: a msgspec upgrade that rewords a message shows up here (and in
tests/unit/test_decode.py), and an unknown message is passed on as msgspec wrote it."""
from __future__ import annotations

import re
from typing import Any

_KINDS = {"str": "a string", "int": "an integer", "float": "a number", "bool": "true or false",
          "array": "a list", "object": "an object", "null": "null"}
_GOT = {"str": "string", "int": "number", "float": "number", "bool": "boolean", "array": "list",
        "object": "object", "null": "null"}


def plain(message: str, raw: Any, path: str, means: dict[str, str]) -> tuple[str, str]:
    """msgspec's message in the words the rest of the kiosk uses; (problem, sub-field)."""
    if m := re.fullmatch(r"Expected `([^`]+)`, got `([^`]+)`", message):
        wanted = " or ".join(_KINDS.get(k.strip(), k.strip()) for k in m.group(1).split("|"))
        return f"expected {wanted}, got {_GOT.get(m.group(2), m.group(2))}", ""
    if m := re.fullmatch(r"Object missing required field `(.+)`", message):
        return "missing", m.group(1)
    if m := re.fullmatch(r"Object contains unknown field `(.+)`", message):
        return "unknown key", m.group(1)
    if m := re.fullmatch(r"Expected `str` matching regex (.*)", message, re.S):
        wanted = means.get(m.group(1))
        return (f"expected {wanted}" if wanted else "has the wrong form"), ""
    if m := re.fullmatch(r"Expected `(str|array|object)` of length ([<>]=) (\d+)", message):
        kind, n = m.group(1), m.group(3)
        what = {"str": "characters", "array": "items", "object": "entries"}[kind]
        if m.group(2) == "<=":
            return (f"longer than {n} {what}" if kind == "str" else f"more than {n} {what}"), ""
        return ("must not be empty" if n == "1" else f"expected at least {n} {what}"), ""
    if m := re.fullmatch(r"Expected `array` of length (\d+), got (\d+)", message):
        return f"expected {m.group(1)} values, got {m.group(2)}", ""
    if m := re.fullmatch(r"Expected `(?:int|float)` ([<>]=?) (\S+)", message):
        bound = f"{m.group(1)} {_num(float(m.group(2)))}"
        value = _at(raw, path)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return f"{_num(value)} is out of range (must be {bound})", ""
        return f"must be {bound}", ""
    return message[:1].lower() + message[1:], ""


def _num(x: float) -> str:  # 0.0 -> "0", 3601.5 -> "3601.5"
    return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)


_SEGMENT = re.compile(r"\.?([^.\[]+)|\[(\d+)\]")


def _at(raw: Any, path: str) -> Any:
    """The value at a msgspec path, or None."""
    node = raw
    for m in _SEGMENT.finditer(path):
        try:
            node = node[m.group(1)] if m.group(1) is not None else node[int(m.group(2))]
        except (KeyError, IndexError, TypeError):
            return None
    return node
