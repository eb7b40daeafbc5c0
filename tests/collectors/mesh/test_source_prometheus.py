"""MeshTelemetrySource against a real Prometheus backfilled with known series (both meshes)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from collectors.mesh import MeshTelemetrySource
from collectors.prometheus import PrometheusClient, PrometheusError
from collectors.records import EdgeSample
from tests.collectors.mesh.conftest import AT
from tests.support.mesh_series import (
    AUTHORS_BUCKETS_MS,
    CATALOG_BUCKETS_MS,
    PAYMENTS_BUCKETS_S,
)
from webapp.traffic.histogram import from_cumulative, quantile, scale

INTERVAL = 15.0


def edge(cycle, src: str, dst: str, protocol: str | None = None) -> EdgeSample:
    """The one edge from workload `src` to workload (or service) `dst`."""
    found = [
        e
        for e in cycle.edges
        if e.source.workload == src
        and dst in (e.destination.workload, e.destination.service)
        and protocol in (None, e.protocol)
    ]
    assert len(found) == 1, [f"{e.source} -> {e.destination}" for e in cycle.edges]
    return found[0]


def rps(count: float) -> float:
    return count / INTERVAL


def test_it_finds_every_edge_of_both_meshes(mesh_cycle):
    pairs = {
        (e.mesh, e.source.workload, e.destination.workload, e.protocol) for e in mesh_cycle.edges
    }
    assert pairs == {
        ("istio", "frontend-v1", "catalog-v1", "http"),
        ("istio", "frontend-v1", "payments-v1", "grpc"),
        ("istio", "frontend-v1", "unknown", "http"),
        ("istio", "unknown", "frontend-v1", "http"),
        ("istio", "catalog-v1", "db-v1", "tcp"),
        ("linkerd", "webapp", "authors", "http"),
        ("linkerd", "webapp", "traffic", "grpc"),
        ("linkerd", "authors", "mysql", "tcp"),
    }
    assert all(e.interval_s == INTERVAL for e in mesh_cycle.edges)


def test_it_counts_a_request_reported_by_both_proxies_once(mesh_cycle):
    catalog = edge(mesh_cycle, "frontend-v1", "catalog-v1")
    assert rps(catalog.requests) == pytest.approx(10.0, rel=1e-6)
    db = edge(mesh_cycle, "catalog-v1", "db-v1", "tcp")
    assert rps(db.requests) == pytest.approx(0.2, rel=1e-6)
    assert rps(db.bytes_sent) == pytest.approx(1000.0, rel=1e-6)  # Istio "received": requests
    assert rps(db.bytes_received) == pytest.approx(5000.0, rel=1e-6)


def test_it_keeps_the_error_classes_disjoint(mesh_cycle):
    catalog = edge(mesh_cycle, "frontend-v1", "catalog-v1")
    got = [rps(catalog.errors_4xx), rps(catalog.errors_5xx), rps(catalog.no_response)]
    assert got == pytest.approx([0.5, 1.0, 0.5], rel=1e-6)
    payments = edge(mesh_cycle, "frontend-v1", "payments-v1")
    # UNAVAILABLE in a 200 is a gRPC error; in a 503 it is already a 5xx.
    assert rps(payments.errors_grpc) == pytest.approx(1.0, rel=1e-6)
    assert rps(payments.errors_5xx) == pytest.approx(0.5, rel=1e-6)
    traffic = edge(mesh_cycle, "webapp", "traffic")
    assert (rps(traffic.requests), rps(traffic.errors_grpc)) == pytest.approx((2.5, 0.5))
    authors = edge(mesh_cycle, "webapp", "authors")
    assert (rps(authors.errors_4xx), rps(authors.errors_5xx)) == pytest.approx((0.4, 0.6))


def test_it_reports_mtls_shares_and_unknowns(mesh_cycle):
    catalog = edge(mesh_cycle, "frontend-v1", "catalog-v1")
    assert catalog.mtls_requests / catalog.requests == pytest.approx(0.85)
    assert edge(mesh_cycle, "unknown", "frontend-v1").mtls_requests == 0.0
    assert edge(mesh_cycle, "frontend-v1", "PassthroughCluster").mtls_requests is None
    assert edge(mesh_cycle, "webapp", "traffic").mtls_requests == 0.0  # tls="no_identity"
    authors = edge(mesh_cycle, "webapp", "authors")
    assert authors.mtls_requests == pytest.approx(authors.requests)


@pytest.mark.parametrize(
    ("src", "dst", "buckets", "unit"),
    [
        ("frontend-v1", "catalog-v1", CATALOG_BUCKETS_MS, "ms"),
        ("frontend-v1", "payments-v1", PAYMENTS_BUCKETS_S, "s"),
        ("webapp", "authors", AUTHORS_BUCKETS_MS, "ms"),
    ],
)
def test_its_percentiles_are_within_a_bucket(mesh_cycle, src, dst, buckets, unit):
    expected = scale(from_cumulative(buckets), unit)
    got = edge(mesh_cycle, src, dst).latency
    assert got is not None and got.bounds_ms == expected.bounds_ms
    for q in (0.5, 0.95, 0.99):
        want = quantile(q, expected)
        bounds = [0.0, *expected.bounds_ms]
        index = next(i for i, b in enumerate(bounds) if b >= want)
        assert bounds[max(index - 1, 0)] <= quantile(q, got) <= bounds[index]


def test_it_uses_destination_reported_latency(mesh_cycle):
    # The source-reported histogram puts every request under 1 ms; it must not be merged in.
    latency = edge(mesh_cycle, "frontend-v1", "catalog-v1").latency
    assert latency is not None and 1.0 not in latency.bounds_ms


def test_it_adds_http_bytes(mesh_cycle):
    catalog = edge(mesh_cycle, "frontend-v1", "catalog-v1")
    assert (rps(catalog.bytes_sent), rps(catalog.bytes_received)) == pytest.approx((300, 2000))
    # Linkerd: the bytes of the connections carrying HTTP land on the HTTP edge.
    authors = edge(mesh_cycle, "webapp", "authors")
    assert (rps(authors.bytes_sent), rps(authors.bytes_received)) == pytest.approx((700, 9000))


def test_it_drops_nan_and_says_so(mesh_cycle):
    assert not [e for e in mesh_cycle.edges if e.source.workload == "broken-v1"]
    assert any("dropped 1 non-finite" in gap for gap in mesh_cycle.gaps), mesh_cycle.gaps


def test_it_derives_inventory_from_telemetry(mesh_cycle):
    inventory = mesh_cycle.inventory
    assert {(n.name, n.mesh) for n in inventory.namespaces} == {
        ("shop", "istio"),
        ("books", "linkerd"),
    }
    frontend = next(w for w in inventory.workloads if w.name == "frontend-v1")
    assert (frontend.app, frontend.version, frontend.mesh) == ("frontend", "v1", "istio")


def test_it_sends_a_fixed_set_of_queries(mesh_prometheus):
    source = MeshTelemetrySource(mesh_prometheus.url)
    planned = source.queries(AT, INTERVAL)
    assert len(planned) == 14  # 8 Istio + 6 Linkerd; never per namespace
    assert all("namespace=" not in q.promql for _, q in planned)


def test_an_empty_answer_is_no_edges(mesh_prometheus):
    client = PrometheusClient(mesh_prometheus.url)
    assert client.query('istio_requests_total{reporter="nobody"}', AT) == []
    before = MeshTelemetrySource(mesh_prometheus.url).fetch(AT - timedelta(days=30), INTERVAL)
    assert before.edges == ()


def test_it_cuts_cardinality_to_the_busiest_edges(mesh_prometheus):
    cycle = MeshTelemetrySource(mesh_prometheus.url, max_edges=2).fetch(AT, INTERVAL)
    assert {e.destination.workload for e in cycle.edges} == {"catalog-v1", "authors"}
    assert any("cut 6" in gap for gap in cycle.gaps), cycle.gaps


def test_prometheus_stopped_mid_cycle_fails_the_cycle(mesh_prometheus, tmp_path):
    second = mesh_prometheus.copy(tmp_path)
    with second:
        client = PrometheusClient(second.url, timeout_s=2, retries=1, backoff_s=0.01)
        sent = []

        class StopAfterFirstQuery(PrometheusClient):
            def query(self, query, at):
                if sent:
                    second.stop()
                sent.append(query)
                return client.query(query, at)

        source = MeshTelemetrySource(second.url, client=StopAfterFirstQuery(second.url))
        with pytest.raises(PrometheusError) as failure:
            source.fetch(AT, INTERVAL)
    assert "cannot connect" in str(failure.value)
    assert failure.value.query == sent[-1]
    assert "sum by (reporter" in str(failure.value)


def test_a_bad_query_fails_at_once_and_names_itself(mesh_prometheus):
    client = PrometheusClient(mesh_prometheus.url, retries=3)
    with pytest.raises(PrometheusError, match=r"'sum\(rate\(' failed: .*400") as failure:
        client.query("sum(rate(", AT)
    assert failure.value.status == 400
