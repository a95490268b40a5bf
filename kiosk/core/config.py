"""Typed terminal configuration from TOML, with profiles.

A profile is a TOML file shipped in `kiosk/core/profiles/`; a site file may name a profile in
`profile = "..."` and override any key. Each key declares its type and range below and is decoded
by kiosk/core/decode.py (so nan, inf and negative timeouts are refused like any wrong type). Every
error names the file and the key, one line each, and all bad keys of a file are reported at once,
because the person reading it is a technician at a terminal, not a developer.
"""
from __future__ import annotations

import dataclasses
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.core.access_config import KeypadConfig, SpeechConfig, check as check_access
from kiosk.core.decode import DecodeError, Record, convert, integer, number, one_of, text
from kiosk.core.devices_config import DevicesConfig, check as check_devices
from kiosk.core.errors import ConfigError
from kiosk.i18n.languages import codes as language_codes
from kiosk.core.fleet_config import FleetConfig

PROFILES_DIR = Path(__file__).with_name("profiles")
LANGUAGES = language_codes()  # the languages table (kiosk/i18n/languages.py)

DAY_S = 24 * 3600.0
_HHMM = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
StaffedHours = text(max_len=11, pattern=rf"^{_HHMM}-(?:{_HHMM}|24:00)$", means="HH:MM-HH:MM, e.g. 09:00-17:30")
DutyPhone = text(max_len=20, pattern=r"^(?:\+?[0-9][0-9 -]{2,18})?$", means="a phone number: digits, spaces, dashes")
Seconds = number(gt=0, le=DAY_S)  # a timeout: positive, finite, at most a day
Pixels = integer(ge=200, le=10_000)
VideoDevice = text(max_len=64, pattern=r"^(?:synthetic|/dev/video[0-9]{1,2}|/dev/v4l/by-(?:id|path)/[A-Za-z0-9._:-]+)$",
                   means="synthetic or a V4L2 camera such as /dev/video0")
AudioInput = text(max_len=64, pattern=r"^(?:tone|alsa:[A-Za-z0-9_:,.=-]+)$", means="tone or alsa:<device>, e.g. alsa:default")
AudioOutput = text(max_len=64, pattern=r"^(?:alsa:[A-Za-z0-9_:,.=-]+)?$", means="empty or alsa:<device>, e.g. alsa:default")
IceUrl = text(min_len=6, max_len=512, pattern=r"^(?:stuns?|turns?):[^\s?]+(?:\?transport=(?:udp|tcp))?$",
              means="stun:, stuns:, turn: or turns: host[:port], optionally ?transport=udp|tcp")


class IceServer(Record, forbid_unknown_fields=True, frozen=True):
    """One RTCIceServer, as aiortc and the browser take it."""
    urls: tuple[IceUrl, ...]
    username: text(max_len=256) = ""
    credential: text(max_len=256) = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"urls": list(self.urls)}
        if self.username or self.credential:
            out.update(username=self.username, credential=self.credential)
        return out


@dataclass(frozen=True)
class TerminalConfig:
    id: str = "demo-0001"
    hall: str = "demo"
    staffed_hours: StaffedHours = "09:00-17:30"  # shown to citizens: when counters are staffed
    # The hall's duty phone, shown on the Help screen (which names it); empty: Help sends to the desk.
    duty_phone: DutyPhone = ""
    dpi: number(ge=50, le=600) = 102.0  # a plausible screen density
    window: tuple[Pixels, Pixels] = (1080, 1920)
    default_language: str = "zh_CN"
    languages: tuple[str, ...] = LANGUAGES
    data_dir: str = "var"
    technician_pin_hash: str = ""  # `kiosk tech hash-pin`; empty: technician mode cannot be entered by PIN
    # Technician cards: card numbers of social security cards that open technician mode on the
    # entry screen, each stored as a hash (`kiosk tech hash-card`), so the file names no card.
    technician_card_hashes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimeoutsConfig:
    idle_s: Seconds = 60.0  # nan or inf here once turned the walk-away wipe off
    idle_grace_s: Seconds = 20.0  # at least 20 s, checked below (WCAG 2.2.1)
    platform_s: Seconds = 15.0
    print_s: Seconds = 30.0
    result_s: Seconds = 90.0


@dataclass(frozen=True)
class PlatformConfig:
    url: str = "embedded://"
    connect_timeout_s: Seconds = 3.0
    read_timeout_s: Seconds = 8.0
    retries: integer(ge=0, le=10) = 2
    backoff_s: number(ge=0, le=600) = 0.5  # -1 once passed here and crashed the client


@dataclass(frozen=True)
class VideoHelpConfig:
    # The help desk (kiosk/helpdesk): "" = no video help (the bar has no button), "embedded://" =
    # the demo's desk on loopback, else http(s)://host[:port] of the site's desk.
    url: str = ""
    token: str = ""  # the site's kiosk token (helpdesk serve --kiosk-token-file)
    # STUN/TURN for the call ([[videohelp.ice_servers]] tables, deploy/README.md): a hall whose
    # network blocks UDP reaches the staff through turns:...:443 over TCP.
    ice_servers: tuple[IceServer, ...] = ()
    # The terminal's own devices for the call (kiosk/videohelp/hardware.py); the defaults are the
    # synthetic ones the demo uses. Opened only while a staff member is on the call.
    camera: VideoDevice = "synthetic"
    microphone: AudioInput = "tone"
    speaker: AudioOutput = ""


# The official documents (the flows' Document kinds) that may go to an A4 printer.
A4_DOCUMENT_KINDS = ("si_certificate", "real_estate_query", "elicense")


@dataclass(frozen=True)
class PrintingConfig:
    """[printing]: which printer a document goes to (flows/common.print_route; docs/a4.md)."""

    # Printed on A4 when [devices] a4printer is fitted and healthy; [] prints everything on receipts.
    a4_kinds: tuple[one_of(*A4_DOCUMENT_KINDS), ...] = A4_DOCUMENT_KINDS
    # When the A4 printer cannot print one of those: "receipt" (the receipt printer, said on
    # screen) or "screen" (nothing printed: the document's QR code to fetch it on a phone).
    a4_fallback: one_of("receipt", "screen") = "receipt"


@dataclass(frozen=True)
class Config:
    profile: str = "demo"
    terminal: TerminalConfig = field(default_factory=TerminalConfig)
    timeouts: TimeoutsConfig = field(default_factory=TimeoutsConfig)
    platform: PlatformConfig = field(default_factory=PlatformConfig)
    devices: DevicesConfig = field(default_factory=DevicesConfig)
    printing: PrintingConfig = field(default_factory=PrintingConfig)
    videohelp: VideoHelpConfig = field(default_factory=VideoHelpConfig)
    keypad: KeypadConfig = field(default_factory=KeypadConfig)  # the physical keypad (access_config.py)
    speech: SpeechConfig = field(default_factory=SpeechConfig)  # speech mode's timeouts and start key
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


def _build(cls: type, data: dict[str, Any], prefix: str, errors: list[tuple[str, str]]) -> Any:
    """One table, key by key: bad keys go to `errors` (all of them) and keep their defaults, so
    the checks across keys can still run and report theirs."""
    hints = typing.get_type_hints(cls, include_extras=True)
    names = [f.name for f in dataclasses.fields(cls) if f.name != "source"]
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        where = prefix + key
        if key not in names:
            errors.append((where, f"unknown key (known: {', '.join(sorted(names))})"))
            continue
        hint = hints[key]
        try:
            if hasattr(hint, "from_table"):  # a table that checks its own keys ([devices]: by the device registry)
                kwargs[key] = hint.from_table(value, "", where)
            elif isinstance(hint, type) and dataclasses.is_dataclass(hint):
                if not isinstance(value, dict):
                    errors.append((where, f"expected a table [{where}], got {type(value).__name__}"))
                    continue
                kwargs[key] = _build(hint, value, where + ".", errors)
            else:
                kwargs[key] = convert(value, hint, where)
        except DecodeError as e:
            errors.append((e.field, e.problem))
        except ConfigError as e:
            errors.extend(e.errors)
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
    errors: list[tuple[str, str]] = []
    cfg = _build(Config, merged, "", errors)
    failed = {key for key, _ in errors}
    # A key that is already wrong gets no second word from the checks across keys.
    errors += [(key, problem) for key, problem in _check(cfg) if key not in failed]
    if errors:
        raise ConfigError.of(blame, errors)
    return dataclasses.replace(cfg, profile=profile or "", source=" + ".join(files) or "<defaults>")


def _check(cfg: Config) -> list[tuple[str, str]]:
    """Rules across keys and against registries: (key, problem) for each broken one."""
    out: list[tuple[str, str]] = []
    t = cfg.terminal
    known = language_codes()  # asked now: a language registered after import counts
    for lang in t.languages:
        if lang not in known:
            out.append(("terminal.languages", f"unknown language {lang!r} (known: {', '.join(known)})"))
    if t.default_language not in t.languages:
        out.append(("terminal.default_language", f"{t.default_language!r} is not in terminal.languages"))
    start, _, end = t.staffed_hours.partition("-")
    if end != "24:00" and end <= start:
        out.append(("terminal.staffed_hours", "the end must be after the start"))
    if cfg.timeouts.idle_grace_s < 20:
        out.append(("timeouts.idle_grace_s", "must give the citizen at least 20 s to answer (WCAG 2.2.1)"))
    out += check_access(cfg.keypad, cfg.speech, cfg.timeouts.idle_s)
    for check in (lambda: check_devices(cfg.devices, ""), lambda: cfg.fleet and FleetConfig.from_table(cfg.fleet, "")):
        try:
            check()
        except ConfigError as e:
            out.extend(e.errors)
    if not 1 <= cfg.devices.printer_roll_m <= 2000:
        out.append(("devices.printer_roll_m", f"{cfg.devices.printer_roll_m} m is not a plausible roll (1-2000)"))
    from kiosk.core.techpin import PinError, parse_hash

    named = [("terminal.technician_pin_hash", t.technician_pin_hash)] if t.technician_pin_hash else []
    named += [(f"terminal.technician_card_hashes[{i}]", h) for i, h in enumerate(t.technician_card_hashes)]
    for key, stored in named:
        try:
            parse_hash(stored)
        except PinError as e:
            out.append((key, str(e)))
    p = cfg.platform
    if not (p.url.startswith(("http://", "https://")) or p.url == "embedded://"):
        out.append(("platform.url", f"{p.url!r}: expected http(s)://host[:port] or embedded://"))
    v = cfg.videohelp.url
    if v and not (v.startswith(("http://", "https://")) or v == "embedded://"):
        out.append(("videohelp.url", f"{v!r}: expected http(s)://host[:port], embedded:// or empty"))
    return out
