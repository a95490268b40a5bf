"""The [fleet] table of the terminal config, as its own typed dataclass.

kiosk/core/config.py stays untouched: it hands the raw [fleet] table to `FleetConfig.from_table`,
which checks types and ranges and raises the same one-line `ConfigError` (file, key, problem).
An empty `broker_host` turns the remote channel off; an empty `repo_url` turns updates off.
"""
from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.core.errors import ConfigError


@dataclass(frozen=True)
class FleetConfig:
    # -- remote channel (MQTT 5) --
    broker_host: str = ""              # "" = no remote channel
    broker_port: int = 8883
    tls: bool = True
    tls_ca_file: str = ""              # "" = the system CA store
    tls_cert_file: str = ""            # client certificate (optional, mutual TLS)
    tls_key_file: str = ""
    username: str = ""                 # "" = the terminal id
    password_file: str = ""            # one line, mode 0600; preferred over `password`
    password: str = ""
    keepalive_s: int = 30
    reconnect_min_s: int = 1
    reconnect_max_s: int = 120
    session_expiry_s: int = 7 * 24 * 3600  # queued commands wait this long for an offline terminal
    telemetry_interval_s: float = 60.0
    outbox_max: int = 500              # telemetry samples kept while offline (oldest dropped)
    command_max_ttl_s: int = 7 * 24 * 3600
    state_dir: str = ""                # "" = <terminal.data_dir>/fleet
    # -- updates (TUF) --
    repo_url: str = ""                 # "" = no updates; base URL holding metadata/ and targets/
    install_root: str = "/opt/kiosk"   # releases/, current, state.json live here
    trusted_root: str = ""             # "" = <install_root>/current/fleet/root.json
    pilot_percent: int = 5
    check_interval_s: float = 3600.0
    health_timeout_s: float = 120.0
    busy_file: str = ""                # exists while a citizen session runs: no switch then

    @classmethod
    def from_table(cls, table: dict[str, Any] | None, file: str = "<config>") -> FleetConfig:
        table = dict(table or {})
        hints = typing.get_type_hints(cls)
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in table.items():
            if key not in names:
                raise ConfigError(file, f"fleet.{key}", f"unknown key (known: {', '.join(sorted(names))})")
            kwargs[key] = _coerce(value, hints[key], file, f"fleet.{key}")
        cfg = cls(**kwargs)
        cfg.check(file)
        return cfg

    def check(self, file: str = "<config>") -> None:
        def bad(key: str, problem: str) -> ConfigError:
            return ConfigError(file, f"fleet.{key}", problem)

        if not 0 < self.broker_port < 65536:
            raise bad("broker_port", "must be a TCP port (1-65535)")
        if self.tls_key_file and not self.tls_cert_file:
            raise bad("tls_key_file", "needs tls_cert_file too")
        if self.password and self.password_file:
            raise bad("password", "set password or password_file, not both")
        if not 5 <= self.keepalive_s <= 3600:
            raise bad("keepalive_s", "must be between 5 and 3600")
        if not 1 <= self.reconnect_min_s <= self.reconnect_max_s:
            raise bad("reconnect_min_s", "must be at least 1 and at most reconnect_max_s")
        if self.telemetry_interval_s < 1:
            raise bad("telemetry_interval_s", "must be at least 1 second")
        if not 1 <= self.outbox_max <= 100_000:
            raise bad("outbox_max", "must be between 1 and 100000")
        if not 0 <= self.pilot_percent <= 100:
            raise bad("pilot_percent", "must be between 0 and 100")
        if self.repo_url and not self.repo_url.startswith(("http://", "https://", "file://")):
            raise bad("repo_url", f"{self.repo_url!r}: expected http(s)://...")
        if self.health_timeout_s <= 0:
            raise bad("health_timeout_s", "must be positive")

    def password_value(self) -> str | None:
        if self.password_file:
            return Path(self.password_file).expanduser().read_text(encoding="utf-8").strip()
        return self.password or None

    def trusted_root_path(self) -> Path:
        if self.trusted_root:
            return Path(self.trusted_root).expanduser()
        return Path(self.install_root).expanduser() / "current" / "fleet" / "root.json"


def _coerce(value: Any, hint: Any, file: str, key: str) -> Any:
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(file, key, f"expected true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(file, key, f"expected an integer, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(file, key, f"expected a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(file, key, f"expected a string, got {value!r}")
        return value
    raise ConfigError(file, key, f"unsupported type {hint!r}")  # pragma: no cover
