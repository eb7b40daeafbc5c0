"""Backfill from Prometheus: range queries give what per-cycle instant queries give."""

from __future__ import annotations

from datetime import timedelta

import pytest

from collectors import pipeline
from collectors.mesh import MeshTelemetrySource
from collectors.prometheus import PrometheusClient
from tests.collectors.mesh.conftest import AT
from webapp.traffic.models import Cycle

INTERVAL = 15.0
TIMES = [AT - timedelta(seconds=INTERVAL * i) for i in range(3, -1, -1)]


class CountingClient(PrometheusClient):
    """The real client, counting the HTTP requests it makes."""

    calls = 0

    def query(self, query, at):
        CountingClient.calls += 1
        return super().query(query, at)

    def query_range(self, query, start, end, step_s):
        CountingClient.calls += 1
        return super().query_range(query, start, end, step_s)


def _by_edge(records):
    return {(e.source, e.destination, e.protocol): e for e in records.edges}


def test_a_range_fetch_equals_instant_fetches(mesh_prometheus):
    source = MeshTelemetrySource(mesh_prometheus.url)
    ranged = source.fetch_range(TIMES, INTERVAL)
    assert list(ranged) == TIMES
    for at in TIMES:
        instant, from_range = _by_edge(source.fetch(at, INTERVAL)), _by_edge(ranged[at])
        assert instant.keys() == from_range.keys() and instant
        for key, edge in instant.items():
            assert from_range[key].requests == pytest.approx(edge.requests)
            assert from_range[key].mtls_requests == pytest.approx(edge.mtls_requests)
            assert from_range[key].latency == edge.latency


@pytest.mark.django_db
def test_backfill_stores_every_cycle_with_far_fewer_queries(mesh_prometheus):
    client = CountingClient(mesh_prometheus.url)
    source = MeshTelemetrySource(mesh_prometheus.url, client=client)
    CountingClient.calls = 0
    single = source.fetch(AT, INTERVAL)
    per_cycle = CountingClient.calls
    CountingClient.calls = 0
    seen = []
    results = pipeline.backfill(
        INTERVAL * 8,
        INTERVAL,
        now=AT + timedelta(seconds=1),
        source=source,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert [r.status for r in results] == ["ok"] * 8
    assert Cycle.objects.filter(status="ok", source="prometheus").count() == 8
    assert CountingClient.calls == per_cycle  # one range query per metric for all 8 cycles
    assert seen[-1] == (8, 8)
    assert single.edges
