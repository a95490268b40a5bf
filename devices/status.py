"""Device status shared by every driver: ok / degraded / fault, with a reason and since-when."""
from __future__ import annotations

from dataclasses import dataclass

OK, DEGRADED, FAULT = "ok", "degraded", "fault"


@dataclass(frozen=True)
class DeviceStatus:
    state: str  # ok | degraded | fault
    reason: str = ""  # a stable code: "paper_out", "not_responding", ...
    detail: str = ""  # words for the technician
    since: float = 0.0  # monotonic time of the last change

    @property
    def usable(self) -> bool:
        return self.state != FAULT
