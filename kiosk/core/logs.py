"""Structured, rotated, masked logs: one JSON object per line in <data_dir>/logs/kiosk.log.

Personal data must never reach a log (shared/DESIGN.md, Privacy). Code already logs "where,
not what", but a driver, a library or a careless f-string can still pass a name or an ID
number through. So every record is masked *before* any handler writes it, by
kiosk.core.privacy.mask_text:

- ID, bank card and phone numbers (also written in groups) keep their first 6 (a phone its
  prefix) and last 4 characters: 513326********1234, 139****5678;
- runs of Han, Tibetan and Yi script become ***: code never contains such literals (a test
  enforces it), so in a log line they can only be data: a name, an address, platform text;
- values the session registered at runtime (`register_sensitive`) become ***, which covers
  what no pattern can recognise, such as a Latin-script name on a foreign resident's card;
- a password in a URL becomes <redacted>;
- an exception is logged as its type and file:line frames, never its message.

Rotation is by size (RotatingFileHandler): the disk of a terminal that runs for years must not
fill up, and a size bound holds however busy the hall is. No logrotate: two rotators on one file
lose lines.
"""
from __future__ import annotations

import json
import logging
import logging.handlers
import sys
import traceback
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

# The masking rules live in kiosk/core/privacy.py (the one home of every mask).
from kiosk.core.privacy import mask_text, mask_value

LOG_DIR_NAME = "logs"
LOG_FILE_NAME = "kiosk.log"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_BACKUPS = 10  # 55 MB at most, weeks of normal operation
# Attributes every LogRecord has; anything else on a record came in through `extra=`.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {"message", "asctime"}


def safe_frames(tb: TracebackType | None, limit: int = 30) -> list[str]:
    """`path:line in function` for each frame, innermost last. Paths are shortened to what is
    under site-packages or the project, so a bundle does not reveal the install layout."""
    frames = traceback.extract_tb(tb)[-limit:]
    return [f"{_short_path(f.filename)}:{f.lineno} in {f.name}" for f in frames]


def _short_path(path: str) -> str:
    p = path.replace("\\", "/")
    for marker in ("/site-packages/", "/dist-packages/"):
        if marker in p:
            return p.split(marker, 1)[1]
    for top in ("/kiosk/", "/devices/", "/flows/", "/screens/", "/tests/"):
        idx = p.rfind(top)
        if idx >= 0:
            return p[idx + 1:]
    return p.rsplit("/", 1)[-1]


def exception_summary(exc_type: type[BaseException] | None, tb: TracebackType | None) -> str:
    """An exception as type and frames, without its message (which may quote personal data)."""
    name = "" if exc_type is None else f"{exc_type.__module__}.{exc_type.__qualname__}".removeprefix("builtins.")
    lines = [f"{name} (message withheld)"] + ["  at " + f for f in safe_frames(tb)]
    return "\n".join(lines)


class MaskingFilter(logging.Filter):
    """Masks the message, its arguments, extras and exceptions of every record it sees.

    Put it on handlers, not loggers: a logger's filters do not see records propagated from
    child loggers, a handler's see everything it is about to write."""

    def __init__(self, *, scripts: bool = True) -> None:
        super().__init__()
        self.scripts = scripts

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_kiosk_masked", False):
            return True  # a second handler: already done
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the record
            message = f"{record.msg!r} (unformattable arguments)"
        record.msg, record.args = mask_text(message, scripts=self.scripts), ()
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                setattr(record, key, mask_value(value, scripts=self.scripts))
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = exception_summary(record.exc_info[0], record.exc_info[2])
            record.exc_info = None  # the message in the exception object stays out of every formatter
        elif record.exc_text:
            record.exc_text = mask_text(record.exc_text, scripts=self.scripts)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info, scripts=self.scripts)
        record._kiosk_masked = True
        return True


class JsonFormatter(logging.Formatter):
    """ts, level, logger, msg, then extras; exceptions as "exc" (type and frames)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.levelno >= logging.WARNING:
            out["where"] = f"{_short_path(record.pathname)}:{record.lineno}"
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_") and key not in out:
                out[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            out["exc"] = exception_summary(record.exc_info[0], record.exc_info[2])
        elif record.exc_text:
            out["exc"] = record.exc_text
        if record.stack_info:
            out["stack"] = record.stack_info
        return json.dumps(out, ensure_ascii=False, default=str)


class _TextFormatter(logging.Formatter):
    """For stderr (journald): readable, and exceptions without their message like the file."""

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        return exception_summary(ei[0], ei[2])


def log_dir(data_dir: str | Path) -> Path:
    return Path(data_dir).expanduser() / LOG_DIR_NAME


def log_files(data_dir: str | Path) -> list[Path]:
    """kiosk.log, kiosk.log.1, ... newest first."""
    d = log_dir(data_dir)
    if not d.is_dir():
        return []
    files = [p for p in d.iterdir() if p.is_file() and p.name.startswith(LOG_FILE_NAME)]

    def age(p: Path) -> int:
        suffix = p.name[len(LOG_FILE_NAME):].lstrip(".")
        return int(suffix) if suffix.isdigit() else 0

    return sorted(files, key=age)


def setup_logging(data_dir: str | Path, *, level: int | str = logging.INFO,
                  max_bytes: int = DEFAULT_MAX_BYTES, backup_count: int = DEFAULT_BACKUPS,
                  stderr: bool = True, scripts: bool = True) -> Path:
    """Install the masked JSON file handler (and a masked stderr handler) on the root logger.
    Idempotent: handlers installed by an earlier call are replaced. Returns the log file."""
    if max_bytes <= 0:
        raise ValueError("max_bytes must be positive: an unbounded log fills the disk")
    path = log_dir(data_dir) / LOG_FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    remove_handlers(root)
    mask = MaskingFilter(scripts=scripts)
    fh = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backup_count,
                                              encoding="utf-8", delay=True)
    fh.addFilter(mask)
    fh.setFormatter(JsonFormatter())
    handlers: list[logging.Handler] = [fh]
    if stderr:
        sh = logging.StreamHandler(sys.stderr)
        sh.addFilter(mask)
        sh.setFormatter(_TextFormatter("%(levelname)s %(name)s: %(message)s"))
        handlers.append(sh)
    for h in handlers:
        h._kiosk_handler = True  # type: ignore[attr-defined]
        root.addHandler(h)
    root.setLevel(level)
    logging.captureWarnings(True)
    return path


def remove_handlers(root: logging.Logger | None = None) -> None:
    """Take out (and close) the handlers setup_logging installed."""
    root = root or logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_kiosk_handler", False):
            root.removeHandler(h)
            h.close()
