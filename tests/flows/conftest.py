"""Fixtures for the flow tests: the real demo platform on loopback, the real HTTP client, a journal
in a temporary file, a fake clock, and a harness that drives one flow through the engine."""
from __future__ import annotations

from typing import Iterator

import pytest

from kiosk.demo_platform.server import DemoPlatformServer
from kiosk.platform.http_client import HttpPlatform
from tests.support.fixtures import fresh_platform
from tests.support.flowkit import FlowHarness


@pytest.fixture(autouse=True)
def fresh_server(server: DemoPlatformServer) -> Iterator[None]:
    """Every test starts from the seed with no fault, and leaves no request behind."""
    yield from fresh_platform(server)


@pytest.fixture
def platform(server: DemoPlatformServer) -> Iterator[HttpPlatform]:
    # No retries and short timeouts: a fault shows at once; backoff sleeps never happen.
    client = HttpPlatform(server.url, connect_timeout_s=0.5, read_timeout_s=0.5, retries=0, backoff_s=0,
                          sleep=lambda s: None)
    yield client
    client.close()


@pytest.fixture
def harness(server, platform, tmp_path, fake_clock):  # noqa: ANN001, ANN201
    """harness(flow_id, lang=..., printer=...) -> FlowHarness, started."""
    made: list[FlowHarness] = []

    def make(flow_id: str, **kw) -> FlowHarness:  # noqa: ANN003
        h = FlowHarness(flow_id, platform=platform, server=server, data_dir=tmp_path, clock=fake_clock, **kw)
        made.append(h)
        h.start()
        return h

    yield make
    for h in made:
        h.close()
