"""What technician mode shows and does, apart from the screens: the dashboard's content, a fix
path for every device fault, the paper-left estimate, the update state, recent events and logs
(masked), and each device's self-test page. The app puts these on the technician screens; this
module knows nothing of Kivy, so all of it is tested without a window.

Everything a technician sees goes through the catalog (they read Chinese, or the language the
terminal is set to); machine codes (`paper_out`, `pcscd_down`) are shown beside the words,
because they are what the manual, the vendor and `kiosk diag` call the fault.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Mapping

from kiosk.i18n.translator import Msg, Plain, Text
from kiosk.core.privacy import mask_id_number, mask_name, mask_text

DEVICES = ("printer", "idcard", "sscard", "scanner", "a4printer")
# Reasons with a written fix (tech.fix.<reason> in the catalog); any other reason gets the
# general one, which still names the code for the vendor.
FIXED_REASONS = frozenset({
    "paper_out", "paper_near_end", "cover_open", "offline", "printer_error", "not_responding",
    "status_unavailable", "disconnected", "sam_out_of_service", "line_errors", "pcscd_down", "no_reader",
    "cannot_open", "no_frames", "stalled", "read_failed", "not_opened", "not_built",
    # the A4 printer's (devices/a4printer/driver.py: printer-state-reasons and job outcomes)
    "door_open", "paper_jam", "toner_out", "toner_low", "paper_low", "no_queue", "cups_unavailable", "aborted",
})
# The A4 printer's own fix where the receipt printer's would mislead (paper is a tray of sheets,
# not a roll; offline is a CUPS queue to resume): tech.fix.a4.<reason>.
A4_FIXES = frozenset({"paper_out", "offline", "not_responding"})
# The platform client's failure codes (kiosk/platform/api.py), named in words like the devices'.
PLATFORM_REASONS = frozenset({"unreachable", "timeout", "server_error", "rejected", "bad_reply", "platform_error"})
# Codes with words (tech.reason.<code>): shown as "words, code x" instead of the bare enum (issue
# 15 #6); any other code is shown as it is.
REASON_WORDS = FIXED_REASONS | PLATFORM_REASONS
EVENTS_SHOWN = 30
LOG_LINES_SHOWN = 30
LOG_TAIL_BYTES = 64 * 1024


def fix_for(reason: str, device: str = "") -> Msg:
    if device == "a4printer" and reason in A4_FIXES:
        return Msg(f"tech.fix.a4.{reason}")
    return Msg(f"tech.fix.{reason}") if reason in FIXED_REASONS else Msg("tech.fix.other", code=reason or "-")


def reason_text(code: str) -> Text:
    """A fault code in words with the code beside it (what the manual and `kiosk diag` call it)."""
    if code in REASON_WORDS:
        return Msg("tech.code", words=Msg(f"tech.reason.{code}"), code=Plain(code))
    return Plain(code or "-")


def device_name(name: str) -> Msg:
    return Msg(f"tech.device.{name}") if name in DEVICES else Msg("tech.device.other", name=name)


# -- the dashboard -------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeviceRow:
    name: str
    state: str  # ok | degraded | fault
    reason: str
    since: str  # local wall time of the last change

    @property
    def line(self) -> Msg:
        return Msg("tech.device.line", device=device_name(self.name), state=Msg(f"tech.state.{self.state}"),
                   since=Plain(self.since))

    @property
    def problem(self) -> Msg | None:
        """The reason in words with its code, and what to do about it; None when ok."""
        if self.state == "ok":
            return None
        return Msg("tech.device.problem", code=reason_text(self.reason), fix=fix_for(self.reason, self.name))


@dataclass(frozen=True)
class Dashboard:
    devices: tuple[DeviceRow, ...]
    lines: tuple[Text, ...]
    maintenance: bool
    last_test: Text | None = None


def since_text(since_mono: float, now_mono: float, now_wall: datetime) -> str:
    return (now_wall - timedelta(seconds=max(0.0, now_mono - since_mono))).strftime("%Y-%m-%d %H:%M")


def device_rows(statuses: Mapping[str, Any], now_mono: float, now_wall: datetime) -> tuple[DeviceRow, ...]:
    return tuple(DeviceRow(name, st.state, st.reason, since_text(st.since, now_mono, now_wall))
                 for name, st in statuses.items())


def paper_line(estimate: Mapping[str, float] | None) -> Msg:
    if not estimate or estimate.get("roll_mm", 0) <= 0:
        return Msg("tech.paper.unknown")
    left_m = estimate["left_mm"] / 1000
    percent = round(100 * estimate["left_mm"] / estimate["roll_mm"])
    return Msg("tech.paper.left", metres=Plain(f"{left_m:.1f}"), percent=percent)


def platform_line(error: str | None, status: Any = None) -> Msg:
    """The platform as the live health check (`status`, start_menu._health_tick) and the catalog
    load (`error`) last saw it: "ok" only when both agree (issue 15 #4: it said ok throughout an
    outage that began after the start)."""
    if status is not None and not status.usable:
        return Msg("tech.platform.down", code=reason_text(status.reason))
    if error is not None:
        return Msg("tech.platform.down", code=reason_text(error))
    if status is not None and status.state != "ok":
        return Msg("tech.platform.degraded", code=Plain(status.reason or "-"))
    return Msg("tech.platform.ok")


def update_line(install_root: str | Path | None) -> Msg:
    """From the updater's state.json (kiosk/update/updater.py). Read as hostile: a damaged file
    says so instead of breaking the dashboard."""
    if not install_root:
        return Msg("tech.update.none")
    path = Path(install_root) / "state.json"
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Msg("tech.update.none")
    except (OSError, ValueError):
        return Msg("tech.update.unreadable")
    if not isinstance(state, dict):
        return Msg("tech.update.unreadable")

    def version(key: str) -> Plain:
        value = state.get(key)
        return Plain(str(value)[:40] if isinstance(value, str) and value else "-")

    bad = state.get("bad")
    bad_text = ", ".join(str(v)[:40] for v in bad[-3:]) if isinstance(bad, list) and bad else "-"
    return Msg("tech.update.state", current=version("current"), pending=version("pending"),
               previous=version("previous"), bad=Plain(bad_text))


def counters_line(stats: Mapping[str, Any]) -> Msg:
    return Msg("tech.counters", sessions=int(stats["sessions"]), prints=int(stats["print_jobs"]),
               unfinished=int(stats["print_jobs_unfinished"]), outbox=int(stats["outbox_pending"]),
               incidents=int(stats["incidents"]))


def build_dashboard(*, statuses: Mapping[str, Any], stats: Mapping[str, Any], paper: Mapping[str, float] | None,
                    platform_error: str | None, version: str, platform: Any = None, install_root: str | Path | None,
                    maintenance: bool, now_mono: float, now_wall: datetime,
                    last_test: Text | None = None) -> Dashboard:
    lines: list[Text] = [counters_line(stats), paper_line(paper), platform_line(platform_error, platform),
                         Msg("tech.version", version=Plain(version)), update_line(install_root)]
    if maintenance:
        lines.append(Msg("tech.maintenance.active"))
    return Dashboard(device_rows(statuses, now_mono, now_wall), tuple(lines), maintenance, last_test)


# -- recent events and logs ------------------------------------------------------------------------
def event_lines(incidents: list[dict[str, Any]]) -> list[Plain]:
    """Incidents as the journal has them (diag.recent_incidents masks them), newest first."""
    return [Plain(f"{str(i['created_at'])[:19].replace('T', ' ')}  {i['kind']}: {i['detail']}"[:160])
            for i in incidents[:EVENTS_SHOWN]]


def log_lines(data_dir: str | Path, limit: int = LOG_LINES_SHOWN) -> list[Plain]:
    """The newest lines of the kiosk log, masked again on the way out (they were masked when
    written; a second pass costs nothing and covers a log written by an older version)."""
    from kiosk.diag.bundle import mask_log_line
    from kiosk.core.logs import log_files

    files = log_files(data_dir)
    if not files:
        return []
    try:
        with files[0].open("rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - LOG_TAIL_BYTES))
            raw = f.read().decode("utf-8", errors="replace")
    except OSError:
        return []
    lines = raw.splitlines()[1 if size > LOG_TAIL_BYTES else 0:]  # the first may be cut
    out: list[Plain] = []
    for line in reversed(lines):
        if len(out) >= limit:
            break
        if line.strip():
            out.append(Plain(_short_log_line(mask_log_line(line))))
    return out


def _short_log_line(masked: str) -> str:
    try:
        obj = json.loads(masked)
    except ValueError:
        return masked.strip()[:160]
    if not isinstance(obj, dict):
        return masked.strip()[:160]
    ts = str(obj.get("ts", ""))[:19].replace("T", " ")
    return f"{ts}  {obj.get('level', '')} {obj.get('logger', '')}: {obj.get('msg', '')}"[:160]


# -- self-test pages -------------------------------------------------------------------------------
@dataclass
class DeviceTest:
    """One device's self-test page: what to do, and what the last try showed."""

    device: str
    result: list[Text] = field(default_factory=list)
    waiting: bool = False  # a card or code is expected now

    @property
    def title(self) -> Msg:
        return Msg("tech.test.title", device=device_name(self.device))

    @property
    def body(self) -> Msg:
        return Msg(f"tech.test.body.{self.device}") if self.device in DEVICES else Msg("tech.test.body.other")

    @property
    def actions(self) -> tuple[tuple[str, Msg], ...]:
        run = {"printer": "tech.test.print", "idcard": "tech.test.read", "sscard": "tech.test.read",
               "scanner": "tech.test.scan", "a4printer": "tech.test.print"}.get(self.device)
        out = [("run", Msg(run))] if run else []
        return tuple(out + [("status", Msg("tech.test.status")), ("back", Msg("tech.back"))])

    @property
    def preview(self) -> bool:
        return self.device == "scanner"


def status_result(status: Any, device: str = "") -> list[Text]:
    lines: list[Text] = [Msg("tech.test.status_line", state=Msg(f"tech.state.{status.state}"),
                             code=reason_text(status.reason))]
    if status.state != "ok":
        lines.append(fix_for(status.reason, device))
    return lines


def card_result(identity: Any) -> list[Text]:
    """What a test card read shows: that it worked and what kind of card, masked like every
    screen (DESIGN.md, Privacy): the technician's own card is personal data too."""
    return [Msg("tech.test.card_ok", kind=Plain(identity.card_type or identity.source)),
            Plain(f"{mask_name(identity.name)}  {mask_id_number(identity.id_number)}")]


def code_result(symbology: str, text: str) -> list[Text]:
    """A decoded test code: symbology, size and a masked glimpse (a code may carry an ID)."""
    masked = mask_text(text)  # whole, then cut: a cut could split a number the mask would catch
    glimpse = masked[:24] + ("\u2026" if len(masked) > 24 else "")
    return [Msg("tech.test.code_ok", symbology=Plain(symbology), size=len(text.encode("utf-8"))),
            Plain(glimpse)]


def failure_result(reason: str, device: str = "") -> list[Text]:
    return [Msg("tech.test.failed", code=reason_text(reason)), fix_for(reason, device)]
