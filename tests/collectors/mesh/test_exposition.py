"""Real proxies' /metrics (tests/fixtures/prometheus/) read into the expected edges."""

from __future__ import annotations

import pytest

from collectors.mesh import istio, linkerd
from tests.collectors.mesh.exposition import query_rows, read

ISTIO = "istio-proxy-1.5.datadog-fixture.excerpt.txt"
LINKERD = "linkerd-proxy.datadog-fixture-linkerd_v2.excerpt.txt"
LINKERD_TESTUTIL = "linkerd-proxy.linkerd2-testutil-sampleMetrics.txt"


def by_pair(edges):
    return {(e.source.workload, e.destination.workload or e.destination.service, e.protocol): e
            for e in edges}  # fmt: skip


def test_istio_proxy_exposition_gives_its_two_edges():
    rows = query_rows(read(ISTIO), istio.FAMILIES, {})
    edges, gaps = istio.parse(rows, interval_s=1.0)
    assert gaps == []
    edges_by_pair = by_pair(edges)
    assert set(edges_by_pair) == {
        ("mongodb-v1", "unknown", "http"),
        ("ratings-v2", "mongodb-v1", "tcp"),
    }
    # Egress through PassthroughCluster: reported by the client's proxy only.
    egress = edges_by_pair["mongodb-v1", "unknown", "http"]
    assert egress.destination.service == "PassthroughCluster"
    assert (egress.requests, egress.errors_4xx) == (67.0, 2.0)  # 1+1+2+8+49+5+1; 404 ×2
    assert egress.mtls_requests is None  # connection_security_policy="unknown"
    assert egress.latency is not None and egress.latency.bounds_ms[-1] == float("inf")
    mongo = edges_by_pair["ratings-v2", "mongodb-v1", "tcp"]
    assert (mongo.requests, mongo.mtls_requests) == (1.0, 1.0)
    assert (mongo.bytes_sent, mongo.bytes_received) == (341.0, 429.0)  # Istio received/sent
    assert (mongo.source.app, mongo.destination.version) == ("ratings", "v1")


def test_linkerd_proxy_exposition_gives_the_outbound_edge():
    pod = {"namespace": "linkerd", "deployment": "linkerd-controller"}  # scrape target labels
    rows = query_rows(read(LINKERD), linkerd.FAMILIES, {"direction": "outbound"}, pod)
    edges, _ = linkerd.parse(rows, interval_s=1.0)
    prometheus = by_pair(edges)["linkerd-controller", "linkerd-prometheus", "http"]
    assert prometheus.requests == 16275.0
    assert prometheus.mtls_requests == prometheus.requests  # tls="true"
    assert prometheus.destination.service == "linkerd-prometheus"
    assert prometheus.latency is not None and prometheus.latency.total > 0
    # Outbound without a destination (no authority): nowhere to draw it, not invented.
    unknown = [e for e in edges if e.destination.is_unknown]
    assert all(e.mtls_requests == 0.0 for e in unknown)  # tls="no_identity"


def test_linkerd_testutil_exposition_gives_an_opaque_tcp_edge():
    pod = {"namespace": "linkerd-opaque-ports-test", "deployment": "client"}
    rows = query_rows(read(LINKERD_TESTUTIL), linkerd.FAMILIES, {"direction": "outbound"}, pod)
    edges, _ = linkerd.parse(rows, interval_s=1.0)
    tcp = by_pair(edges)["client", "opaque-pod", "tcp"]
    assert (tcp.requests, tcp.mtls_requests) == (1.0, 1.0)
    # peer="dst": the client proxy wrote 3763 bytes to the server and read 8323 back.
    assert (tcp.bytes_sent, tcp.bytes_received) == pytest.approx((3763.0, 8323.0))
