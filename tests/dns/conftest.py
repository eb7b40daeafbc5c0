"""The CoreDNS Prometheus of tests/collectors/dns, and cycles stored from it or the simulator."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.collectors.dns.conftest import AT, dns_prometheus  # noqa: F401 - a shared fixture

CYCLES = 4
INTERVAL_S = 15.0


@pytest.fixture
def prometheus_history(dns_prometheus, db):  # noqa: F811 - the fixture imported above
    """Four cycles ending at AT stored from the real Prometheus, through the pipeline."""
    from collectors.mesh import MeshTelemetrySource
    from collectors.pipeline import run_cycle

    source = MeshTelemetrySource(dns_prometheus.url)
    for i in reversed(range(CYCLES)):
        result = run_cycle(AT - timedelta(seconds=INTERVAL_S * i), source, publish=False,
                           interval_s=INTERVAL_S)  # fmt: skip
        assert result.status == "ok", result
    return AT
