"""The `[devices]` table: one URL per device family, checked by the family itself.

Which keys exist and which URLs each takes come from the device registry (devices/registry.py), so
a family added there (or registered at run time) is configurable and checked without touching
this file. `cfg.devices.<family>` reads a family's URL (its default when the file does not name
it); `printer_roll_m` is the one other key.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

from devices import registry
from kiosk.core.errors import ConfigError

OTHER_KEYS = ("printer_roll_m",)


@dataclass(frozen=True)
class DevicesConfig:
    """Each device by URL ("none": not fitted; sim:// runs the device's simulator with the real
    driver); see devices/<family>/family.py for the URLs each takes."""

    urls: Mapping[str, str] = field(default_factory=dict)  # family name -> URL, as configured
    # Length of a new paper roll, for the paper-left estimate on the technician dashboard.
    printer_roll_m: float = 80.0

    def __getattr__(self, name: str) -> str:
        # Only called for names that are not fields: a family's URL, its default when not configured.
        family = registry.get(name) if not name.startswith("_") else None
        if family is None:
            raise AttributeError(name)
        return self.__dict__.get("urls", {}).get(name, family.default_url)

    @classmethod
    def from_table(cls, data: Any, file: str, key: str = "devices") -> DevicesConfig:
        """The table as read from TOML, every key checked (one-line errors naming file and key)."""
        if not isinstance(data, dict):
            raise ConfigError(file, key, f"expected a table [{key}], got {data!r}")
        urls: dict[str, str] = {}
        roll = 80.0
        for name, value in data.items():
            where = f"{key}.{name}"
            if name == "printer_roll_m":
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                    raise ConfigError(file, where, f"expected a number, got {value!r}")
                roll = float(value)
                continue
            family = registry.get(name)
            if family is None:
                known = sorted((*registry.names(), *OTHER_KEYS))
                raise ConfigError(file, where, f"unknown key (known: {', '.join(known)})")
            if not isinstance(value, str):
                raise ConfigError(file, where, f"expected a string, got {value!r}")
            urls[name] = value
        return cls(urls=urls, printer_roll_m=roll)


def check(devices: Any, file: str) -> None:
    """Every family's URL is one its family takes (asked now: a family registered after import counts)."""
    for family in registry.families():
        url = getattr(devices, family.name, family.default_url)
        if not family.accepts(url):
            raise ConfigError(file, f"devices.{family.name}", f"{url!r}: expected one of {', '.join(family.accepted())}")
