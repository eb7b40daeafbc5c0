"""One real Prometheus for the CoreDNS tests, backfilled with tests/collectors/dns/series.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.collectors.dns.series import coredns_series
from tests.support.openmetrics import QUERY_AT
from tests.support.prometheus import PrometheusServer

AT = datetime.fromtimestamp(QUERY_AT, tz=UTC)


@pytest.fixture(scope="session")
def dns_prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    """A started Prometheus over both CoreDNS generations; terminated after the session."""
    workdir = tmp_path_factory.mktemp("dns-prometheus")
    with PrometheusServer.backfilled(coredns_series().openmetrics(), workdir) as server:
        yield server


@pytest.fixture(scope="session")
def dns_cycle(dns_prometheus: PrometheusServer):
    """One cycle of the Prometheus source against it, at a time inside the data."""
    from collectors.mesh import MeshTelemetrySource

    return MeshTelemetrySource(dns_prometheus.url).fetch(AT, 15.0)
