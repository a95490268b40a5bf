"""The diagnostics bundle: the zip a technician sends to the vendor.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import platform as pyplatform
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit, urlunsplit

from devices.status import DeviceStatus
from kiosk import __version__
from kiosk.core.logs import log_files, mask_text, mask_value
from kiosk.diag.checks import DiagReport, check_journal, journal_path, recent_incidents, redact_url, run_diag
from kiosk.diag.probes import DEFAULT_TIMEOUT_S

# What a technician sends to the vendor: enough to find the fault, nothing about any citizen.
# Everything free-form (logs, incident details) passes through kiosk.core.logs.mask_text again here:
# the logs were masked when written, but a bundle must be safe even for a log written by an
# older version or copied in by hand.

SECRET_WORDS = ("password", "passwd", "secret", "pin", "token", "key", "credential")
REDACTED = "<redacted>"
LOG_BUNDLE_MAX_BYTES = 20 * 1024 * 1024  # newest logs first, up to this much
BUNDLE_INCIDENTS = 200
KEY_PACKAGES = ("kivy", "requests", "pyserial", "pyscard", "python-escpos", "opencv-python-headless",
                "pyzbar", "numpy", "pillow", "babel", "tuf", "securesystemslib", "paho-mqtt", "segno")


def is_secret_key(key: object) -> bool:
    k = str(key).lower()
    return any(word in k for word in SECRET_WORDS)


def redact_text(value: str) -> str:
    """A string that may be a URL: no password, no secret-looking query parameter."""
    if "://" not in value:
        return value
    url = redact_url(value)
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    pairs = [p.split("=", 1) for p in parts.query.split("&")]
    query = "&".join(f"{p[0]}={REDACTED}" if len(p) == 2 and is_secret_key(p[0]) else "=".join(p) for p in pairs)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def redact(obj: Any) -> Any:
    """Config data with every value under a secret-looking key replaced, at any depth."""
    if isinstance(obj, dict):
        return {k: (REDACTED if is_secret_key(k) else redact(v)) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [redact(v) for v in obj]
    if isinstance(obj, str):
        return redact_text(obj)
    return obj


def config_plain(obj: Any) -> Any:
    """A config object (dataclasses, or any object with attributes) as plain JSON data."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: config_plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): config_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [config_plain(v) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    if hasattr(obj, "__dict__"):
        return {k: config_plain(v) for k, v in vars(obj).items() if not k.startswith("_")}
    return str(obj)


def config_files(cfg: Any) -> dict[str, Any]:
    """The TOML files the config came from, parsed and redacted (never their raw text: a comment
    or a malformed line could hold a secret)."""
    out: dict[str, Any] = {}
    for name in str(getattr(cfg, "source", "")).split(" + "):
        path = Path(name.strip())
        if not name.strip() or name.startswith("<") or not path.is_file():
            continue
        try:
            with path.open("rb") as f:
                out[str(path)] = redact(tomllib.load(f))
        except (OSError, tomllib.TOMLDecodeError) as e:
            out[str(path)] = {"error": f"cannot read: {type(e).__name__}"}
    return out


def versions() -> dict[str, Any]:
    packages: dict[str, str | None] = {}
    for name in ("kiosk", *KEY_PACKAGES):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    out: dict[str, Any] = {"kiosk": __version__, "python": sys.version.split()[0],
                           "implementation": pyplatform.python_implementation(),
                           "os": pyplatform.platform(), "packages": packages}
    root = Path(os.environ.get("KIOSK_INSTALL_ROOT", "/opt/kiosk"))
    current = root / "current"
    if current.is_symlink():
        out["release"] = Path(os.readlink(current)).name
    return out


def mask_log_line(line: str) -> str:
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            # Through the parsed object, so \\u-escaped text is seen (and masked) as what it is.
            return json.dumps(mask_value(json.loads(stripped)), ensure_ascii=False) + "\n"
        except ValueError:
            pass
    return mask_text(line.rstrip("\n")) + "\n"


def masked_logs(data_dir: Path, max_bytes: int = LOG_BUNDLE_MAX_BYTES) -> list[tuple[str, str]]:
    """(name, masked text) for each log file, newest first, within max_bytes of source."""
    out: list[tuple[str, str]] = []
    budget = max_bytes
    for path in log_files(data_dir):
        if budget <= 0:
            break
        try:
            with path.open("r", encoding="utf-8", errors="replace") as f:
                raw = f.read(budget)
        except OSError:
            continue
        budget -= len(raw.encode("utf-8", errors="replace"))
        out.append((path.name, "".join(mask_log_line(line) for line in raw.splitlines())))
    return out


@dataclass(frozen=True)
class Bundle:
    path: Path
    members: list[str]
    report: DiagReport | None


def make_bundle(cfg: Any, out: str | Path, *, data_dir: str | Path | None = None,
                timeout_s: float = DEFAULT_TIMEOUT_S, probe: bool = True,
                statuses: Mapping[str, DeviceStatus] | None = None,
                factory: Callable[[str, str, contextlib.ExitStack], Any] | None = None) -> Bundle:
    """Write the diagnostics zip (atomically: a half-written bundle never looks complete)."""
    base = Path(data_dir).expanduser() if data_dir is not None else Path(cfg.terminal.data_dir).expanduser()
    out = Path(out)
    report = run_diag(cfg, timeout_s=timeout_s, data_dir=base, statuses=statuses, factory=factory) if probe else None
    jpath = journal_path(cfg, base)
    journal: dict[str, Any] = {"stats": None, "recent_incidents": recent_incidents(jpath, BUNDLE_INCIDENTS)}
    if report is not None:
        journal["stats"] = report.data["journal"].get("stats")
    elif jpath.is_file():
        journal["stats"] = check_journal(jpath).get("stats")
    terminal = getattr(cfg, "terminal", None)
    members: dict[str, str] = {
        "versions.json": _dump(versions()),
        "config.json": _dump({"effective": redact(config_plain(cfg)), "files": config_files(cfg)}),
        "journal.json": _dump(journal),
    }
    if report is not None:
        members["status.json"] = _dump(report.data)
    for name, text in masked_logs(base):
        members[f"logs/{name}"] = text
    manifest = {"created_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                "terminal": getattr(terminal, "id", None), "hall": getattr(terminal, "hall", None),
                "kiosk": __version__, "members": sorted(members)}
    members["manifest.json"] = _dump(manifest)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name in sorted(members):
            z.writestr(name, members[name])
    os.replace(tmp, out)
    return Bundle(out, sorted(members), report)


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
