from __future__ import annotations

import pytest


@pytest.fixture
def sim_factory():
    """Start simulators on real ptys; every one is stopped at the end of the test."""
    from devices.idcard.simulator import IdCardSimulator

    started: list[IdCardSimulator] = []

    def make(card: dict | None = None, **kw) -> IdCardSimulator:
        sim = IdCardSimulator(card, **kw)
        sim.start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()
