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

from devices.status import DeviceStatus
from kiosk import __version__
from kiosk.core.logs import log_files
from kiosk.core.privacy import REDACTED, mask_text, mask_value, redact_config, redacted_values
from kiosk.diag.checks import DiagReport, check_journal, journal_path, recent_incidents, run_diag
from kiosk.diag.probes import DEFAULT_TIMEOUT_S

# What a technician sends to the vendor: enough to find the fault, nothing about any citizen, no
# secret. The config shows only what kiosk.core.privacy.BUNDLE_CONFIG allows (an allow-list: a key
# added later is hidden until someone decides it is safe), and every hidden value is also masked
# wherever else it shows up in the zip (a log line, a device detail). Everything free-form (logs,
# incident details) passes through privacy.mask_text again here: the logs were masked when written,
# but a bundle must be safe even for a log written by an older version or copied in by hand.

LOG_BUNDLE_MAX_BYTES = 20 * 1024 * 1024  # newest logs first, up to this much
BUNDLE_INCIDENTS = 200
MIN_HUNTED_SECRET = 6  # shorter hidden values are not hunted through the zip: they would mangle it
KEY_PACKAGES = ("kivy", "requests", "pyserial", "pyscard", "python-escpos", "opencv-python-headless",
                "pyzbar", "numpy", "pillow", "babel", "tuf", "securesystemslib", "paho-mqtt", "segno")


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
    """The TOML files the config came from, parsed (never their raw text: a comment or a malformed
    line could hold a secret); a file that cannot be read maps to the reason, as a string."""
    out: dict[str, Any] = {}
    for name in str(getattr(cfg, "source", "")).split(" + "):
        path = Path(name.strip())
        if not name.strip() or name.startswith("<") or not path.is_file():
            continue
        try:
            with path.open("rb") as f:
                out[str(path)] = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as e:
            out[str(path)] = f"cannot read: {type(e).__name__}"
    return out


def bundle_config(cfg: Any) -> tuple[dict[str, Any], set[str]]:
    """(what config.json shows, the hidden values to hunt through the rest of the zip)."""
    effective = config_plain(cfg)
    files = config_files(cfg)
    shown = {"effective": redact_config(effective),
             "files": {k: redact_config(v) if isinstance(v, dict) else {"error": v} for k, v in files.items()}}
    hidden = redacted_values(effective).union(*(redacted_values(v) for v in files.values() if isinstance(v, dict)))
    visible = _strings(shown)  # a value also shown under an allowed key (a username equal to the id) stays
    return shown, {v for v in hidden if len(v) >= MIN_HUNTED_SECRET and v not in visible}


def _strings(obj: Any) -> set[str]:
    if isinstance(obj, dict):
        return set().union(*(_strings(v) for v in obj.values()))
    if isinstance(obj, (list, tuple)):
        return set().union(*(_strings(v) for v in obj))
    return {obj} if isinstance(obj, str) else set()


def hide(text: str, hidden: set[str]) -> str:
    """Every hidden value, as written and as JSON escapes it, replaced by REDACTED."""
    for value in sorted(hidden, key=len, reverse=True):
        for form in {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}:
            text = text.replace(form, REDACTED)
    return text


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
    shown_config, hidden = bundle_config(cfg)
    members: dict[str, str] = {
        "versions.json": _dump(versions()),
        "config.json": _dump(shown_config),
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
    members = {name: hide(text, hidden) for name, text in members.items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name in sorted(members):
            z.writestr(name, members[name])
    os.replace(tmp, out)
    return Bundle(out, sorted(members), report)


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
