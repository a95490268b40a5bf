"""The terminal's telemetry sample uses only the protocol's keys: nothing of it is dropped by the
scrubber on the way out (the version and the paper level were, before: the console never saw them)."""
from __future__ import annotations

from types import SimpleNamespace

from devices.status import DeviceStatus
from kiosk.remote.protocol import scrub_telemetry
from kiosk.terminal.remote_handlers import telemetry_sample


class _Journal:
    def stats(self) -> dict:
        return {"sessions": 12, "print_jobs": 7, "outbox_pending": 1}

    def paper_estimate(self) -> dict:
        return {"roll_mm": 80000.0, "used_mm": 20000.0, "left_mm": 60000.0}


def _services() -> SimpleNamespace:
    hub = SimpleNamespace(statuses=lambda: {"printer": DeviceStatus("fault", "paper_out"), "idcard": DeviceStatus("ok", "")})
    return SimpleNamespace(journal=_Journal(), hub=hub)


def test_nothing_in_the_sample_is_dropped_by_the_scrubber():
    sample = telemetry_sample(_services(), maintenance=False)
    clean, dropped = scrub_telemetry(sample)
    assert dropped == 0 and clean == sample
    assert clean["versions"]["app"] and clean["paper"]["remaining_pct"] == 75
    assert clean["devices"]["printer"] == {"state": "fault", "reason": "paper_out"}
