"""The events that travel on the bus (kiosk/core/bus.py), as types: a handler subscribes to a
class, a poster builds an instance, and a misspelled field fails where it is written instead of
as a KeyError in a lambda on the UI thread.

Device events come from driver threads (kiosk/runtime/devicehub.py), work results from the
worker pool (kiosk/terminal/app.py), remote requests from the MQTT agent's thread
(kiosk/remote/commands.py); all are delivered on the UI thread.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class WorkDone:
    """A background job finished: `done(result)` runs on the UI thread."""

    done: Callable[[Any], None]
    result: Any


@dataclass(frozen=True)
class DeviceStatusChanged:
    name: str
    status: Any  # devices.status.DeviceStatus


@dataclass(frozen=True)
class DeviceRead:
    """A device read something: a card record (idcard, sscard), a code (scanner), or a new
    family's value. Who may see it is decided by kiosk/terminal/device_routing.py."""

    source: str
    value: Any


@dataclass(frozen=True)
class CardRemoved:
    source: str


@dataclass(frozen=True)
class CardError:
    source: str
    reason: str


@dataclass(frozen=True)
class MaintenanceRequested:
    on: bool


@dataclass(frozen=True)
class AnnouncementRequested:
    texts: dict[str, str] | None


@dataclass(frozen=True)
class RestartRequested:
    pass
