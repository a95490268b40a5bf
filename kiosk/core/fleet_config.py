"""The [fleet] table of the terminal config, as its own typed dataclass.

kiosk/core/config.py hands the raw [fleet] table to `FleetConfig.from_table`, which decodes it
through kiosk/core/decode.py (each field declares its type and range below) and raises one
`ConfigError` listing every bad key (`file: fleet.key: problem`, one line each).
An empty `broker_host` turns the remote channel off; an empty `repo_url` turns updates off.
"""
from __future__ import annotations

import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.core.decode import convert_fields, integer, number
from kiosk.core.errors import ConfigError

DAY_S = 24 * 3600
Port = integer(ge=1, le=65535)


@dataclass(frozen=True)
class FleetConfig:
    # -- remote channel (MQTT 5) --
    broker_host: str = ""              # "" = no remote channel
    broker_port: Port = 8883
    tls: bool = True
    tls_ca_file: str = ""              # "" = the system CA store
    tls_cert_file: str = ""            # client certificate (optional, mutual TLS)
    tls_key_file: str = ""
    username: str = ""                 # "" = the terminal id
    password_file: str = ""            # one line, mode 0600; preferred over `password`
    password: str = ""
    keepalive_s: integer(ge=5, le=3600) = 30
    reconnect_min_s: integer(ge=1, le=3600) = 1
    reconnect_max_s: integer(ge=1, le=DAY_S) = 120
    session_expiry_s: integer(ge=0, le=2**32 - 1) = 7 * DAY_S  # queued commands wait this long for an offline terminal
    telemetry_interval_s: number(ge=1, le=DAY_S) = 60.0
    outbox_max: integer(ge=1, le=100_000) = 500              # telemetry samples kept while offline (oldest dropped)
    command_max_ttl_s: integer(ge=1, le=90 * DAY_S) = 7 * DAY_S
    state_dir: str = ""                # "" = <terminal.data_dir>/fleet
    # -- updates (TUF) --
    repo_url: str = ""                 # "" = no updates; base URL holding metadata/ and targets/
    install_root: str = "/opt/kiosk"   # releases/, current, state.json live here
    trusted_root: str = ""             # "" = <install_root>/current/fleet/root.json
    pilot_percent: integer(ge=0, le=100) = 5
    check_interval_s: number(gt=0, le=30 * DAY_S) = 3600.0
    health_timeout_s: number(gt=0, le=DAY_S) = 120.0
    busy_file: str = ""                # exists while a citizen session runs: no switch then

    @classmethod
    def from_table(cls, table: dict[str, Any] | None, file: str = "<config>") -> FleetConfig:
        hints = typing.get_type_hints(cls, include_extras=True)
        values, errors = convert_fields(dict(table or {}), hints, "fleet")
        bad = [(e.field, e.problem) for e in errors]
        cfg = cls(**values)
        failed = {k for k, _ in bad}
        bad += [(k, p) for k, p in cfg.problems() if k not in failed]  # no second word on a bad key
        if bad:
            raise ConfigError.of(file, bad)
        return cfg

    def problems(self) -> list[tuple[str, str]]:
        """Rules across keys: (key, problem) for each broken one."""
        out = []
        if self.tls_key_file and not self.tls_cert_file:
            out.append(("tls_key_file", "needs tls_cert_file too"))
        if self.password and self.password_file:
            out.append(("password", "set password or password_file, not both"))
        if self.reconnect_min_s > self.reconnect_max_s:
            out.append(("reconnect_min_s", "must be at most reconnect_max_s"))
        if self.repo_url and not self.repo_url.startswith(("http://", "https://", "file://")):
            out.append(("repo_url", f"{self.repo_url!r}: expected http(s)://..."))
        return [(f"fleet.{k}", p) for k, p in out]

    def check(self, file: str = "<config>") -> None:
        bad = self.problems()
        if bad:
            raise ConfigError.of(file, bad)

    def password_value(self) -> str | None:
        if self.password_file:
            return Path(self.password_file).expanduser().read_text(encoding="utf-8").strip()
        return self.password or None

    def trusted_root_path(self) -> Path:
        if self.trusted_root:
            return Path(self.trusted_root).expanduser()
        return Path(self.install_root).expanduser() / "current" / "fleet" / "root.json"

