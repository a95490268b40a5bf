"""Typed terminal configuration from TOML, with profiles.

A profile is a TOML file shipped in `kiosk/core/profiles/`; a site file may name a profile in
`profile = "..."` and override any key. Every error names the file and the key, on one line,
because the person reading it is a technician at a terminal, not a developer.
"""
from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.core.devices_config import DevicesConfig, check as check_devices
from kiosk.core.errors import ConfigError
from kiosk.i18n.languages import codes as language_codes
from kiosk.core.fleet_config import FleetConfig

PROFILES_DIR = Path(__file__).with_name("profiles")
LANGUAGES = language_codes()  # the languages table (kiosk/i18n/languages.py)


@dataclass(frozen=True)
class TerminalConfig:
    id: str = "demo-0001"
    hall: str = "demo"
    staffed_hours: str = "09:00-17:30"
    dpi: float = 102.0
    window: tuple[int, int] = (1080, 1920)
    default_language: str = "zh_CN"
    languages: tuple[str, ...] = LANGUAGES
    data_dir: str = "var"
    technician_pin_hash: str = ""  # `kiosk tech hash-pin`; empty: technician mode cannot be entered by PIN
    # Technician cards: card numbers of social security cards that open technician mode on the
    # entry screen, each stored as a hash (`kiosk tech hash-card`), so the file names no card.
    technician_card_hashes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimeoutsConfig:
    idle_s: float = 60.0
    idle_grace_s: float = 20.0
    platform_s: float = 15.0
    print_s: float = 30.0
    result_s: float = 90.0


@dataclass(frozen=True)
class PlatformConfig:
    url: str = "embedded://"
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 8.0
    retries: int = 2
    backoff_s: float = 0.5


@dataclass(frozen=True)
class Config:
    profile: str = "demo"
    terminal: TerminalConfig = field(default_factory=TerminalConfig)
    timeouts: TimeoutsConfig = field(default_factory=TimeoutsConfig)
    platform: PlatformConfig = field(default_factory=PlatformConfig)
    devices: DevicesConfig = field(default_factory=DevicesConfig)
    # [fleet]: the remote channel and updates (kiosk/core/fleet_config.py types and checks it; kept as
    # a table here so the core config does not import the fleet package)
    fleet: dict = field(default_factory=dict)
    source: str = "<defaults>"

    @property
    def fleet_config(self):  # noqa: ANN201 - kiosk.core.fleet_config.FleetConfig
        return FleetConfig.from_table(self.fleet, self.source)

    @property
    def data_path(self) -> Path:
        return Path(self.terminal.data_dir).expanduser()


def _coerce(value: Any, hint: Any, file: str, key: str) -> Any:
    origin = typing.get_origin(hint)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(file, key, f"expected a number, got {value!r}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(file, key, f"expected an integer, got {value!r}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(file, key, f"expected a string, got {value!r}")
        return value
    if hint is dict:
        if not isinstance(value, dict):
            raise ConfigError(file, key, f"expected a table [{key}], got {value!r}")
        return dict(value)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(file, key, f"expected true or false, got {value!r}")
        return value
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(value, list):
            raise ConfigError(file, key, f"expected a list, got {value!r}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(v, args[0], file, f"{key}[{i}]") for i, v in enumerate(value))
        if len(value) != len(args):
            raise ConfigError(file, key, f"expected {len(args)} values, got {len(value)}")
        return tuple(_coerce(v, a, file, f"{key}[{i}]") for i, (v, a) in enumerate(zip(value, args)))
    if hasattr(hint, "from_table"):  # a table that checks its own keys ([devices]: by the device registry)
        return hint.from_table(value, file, key)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ConfigError(file, key, f"expected a table [{key}], got {value!r}")
        return _build(hint, value, file, key + ".")
    if isinstance(hint, types.UnionType):  # pragma: no cover - no optional keys yet
        raise ConfigError(file, key, "unsupported type")
    raise ConfigError(file, key, f"unsupported type {hint!r}")


def _build(cls: type, data: dict[str, Any], file: str, prefix: str = "") -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls) if f.name != "source"}
    for k in data:
        if k not in known:
            raise ConfigError(file, prefix + k, f"unknown key (known: {', '.join(sorted(known))})")
    kwargs = {k: _coerce(v, hints[k], file, prefix + k) for k, v in data.items()}
    return cls(**kwargs)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(str(path), "-", "file not found") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(str(path), "-", f"not valid TOML ({e})") from None


def profile_path(name: str) -> Path:
    path = PROFILES_DIR / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in PROFILES_DIR.glob("*.toml")))
        raise ConfigError(str(path), "profile", f"no profile {name!r} (known: {known})")
    return path


def from_args(profile: str | None, path: str | Path | None) -> Config:
    """What a command line asks for: --config, --profile, else the terminal's own site file named
    by KIOSK_CONFIG (set by the systemd unit, so `kiosk diag` and the updater's health check test
    this terminal, not the demo), else the demo profile."""
    import os

    if path is None and profile is None:
        path = os.environ.get("KIOSK_CONFIG") or None
    return load(profile or (None if path else "demo"), path)


def load(profile: str | None = "demo", path: str | Path | None = None) -> Config:
    """Load a profile, then a site file over it; a site file may choose the profile itself."""
    site: dict[str, Any] = {}
    site_file = ""
    if path is not None:
        site_file = str(path)
        site = _read_toml(Path(path))
        named = site.pop("profile", None)
        if named is not None:
            if not isinstance(named, str):
                raise ConfigError(site_file, "profile", f"expected a string, got {named!r}")
            profile = named
    data: dict[str, Any] = {}
    files = []
    if profile:
        ppath = profile_path(profile)
        data = _read_toml(ppath)
        data.pop("profile", None)
        files.append(str(ppath))
    if site_file:
        files.append(site_file)
    merged = _merge(data, site)
    # Errors name the file the bad key came from, so the technician edits the right one.
    blame = site_file if site_file else (files[0] if files else "<defaults>")
    cfg = _build(Config, merged, blame)
    _check(cfg, blame)
    return dataclasses.replace(cfg, profile=profile or "", source=" + ".join(files) or "<defaults>")


def _check(cfg: Config, file: str) -> None:
    t = cfg.terminal
    for lang in t.languages:
        if lang not in language_codes():  # asked now: a language registered after import counts
            raise ConfigError(file, "terminal.languages", f"unknown language {lang!r} (known: {', '.join(language_codes())})")
    if t.default_language not in t.languages:
        raise ConfigError(file, "terminal.default_language", f"{t.default_language!r} is not in terminal.languages")
    if not 50 <= t.dpi <= 600:
        raise ConfigError(file, "terminal.dpi", f"{t.dpi} is not a plausible screen density (50-600)")
    if min(t.window) < 200:
        raise ConfigError(file, "terminal.window", f"{list(t.window)} is too small")
    to = cfg.timeouts
    if to.idle_grace_s < 20:
        raise ConfigError(file, "timeouts.idle_grace_s", "must give the citizen at least 20 s to answer (WCAG 2.2.1)")
    for name in ("idle_s", "platform_s", "print_s", "result_s"):
        if getattr(to, name) <= 0:
            raise ConfigError(file, f"timeouts.{name}", "must be positive")
    check_devices(cfg.devices, file)
    if not 1 <= cfg.devices.printer_roll_m <= 2000:
        raise ConfigError(file, "devices.printer_roll_m", f"{cfg.devices.printer_roll_m} m is not a plausible roll (1-2000)")
    from kiosk.core.techpin import PinError, parse_hash

    named = [("terminal.technician_pin_hash", t.technician_pin_hash)] if t.technician_pin_hash else []
    named += [(f"terminal.technician_card_hashes[{i}]", h) for i, h in enumerate(t.technician_card_hashes)]
    for key, stored in named:
        try:
            parse_hash(stored)
        except PinError as e:
            raise ConfigError(file, key, str(e)) from None
    if cfg.fleet:
        FleetConfig.from_table(cfg.fleet, file)  # one-line errors naming fleet.<key>
    p = cfg.platform
    if not (p.url.startswith(("http://", "https://")) or p.url == "embedded://"):
        raise ConfigError(file, "platform.url", f"{p.url!r}: expected http(s)://host[:port] or embedded://")
    if p.retries < 0 or p.retries > 10:
        raise ConfigError(file, "platform.retries", "must be between 0 and 10")
