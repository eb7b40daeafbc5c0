"""The DNS appender: edges into the cluster DNS carry the window's CoreDNS answers."""

from __future__ import annotations

import json

import pytest

from collectors.records import (
    ClusterFactsRecord,
    Inventory,
    NamespaceRecord,
    PodRecord,
    ServiceRecord,
    WorkloadRecord,
)
from webapp.dns.queries import WindowDns, ZoneTotals
from webapp.graph.appenders import dns
from webapp.graph.build import build_graph
from webapp.graph.context import GraphContext
from webapp.graph.options import GraphOptions
from webapp.graph.render import render_edge

from .helpers import T0, T1, hist, peer, sample, traffic_map

CLUSTER_DNS = peer("kube-system/coredns", "kube-dns", service="kube-dns")


def _inventory(facts: ClusterFactsRecord | None = None) -> Inventory:
    return Inventory(
        namespaces=(NamespaceRecord("kube-system"), NamespaceRecord("shop", mesh="istio")),
        workloads=(WorkloadRecord("kube-system", "coredns", app="kube-dns",
                                  labels={"k8s-app": "kube-dns"}),
                   WorkloadRecord("shop", "web", app="web", labels={"app": "web"})),
        services=(ServiceRecord("kube-system", "kube-dns", selector={"k8s-app": "kube-dns"}),),
        pods=(PodRecord("kube-system", "coredns-a", workload="coredns",
                        labels={"k8s-app": "kube-dns"}),),
        facts=facts,
    )  # fmt: skip


def _window(requests: float = 3000.0) -> WindowDns:
    zone = ZoneTotals(
        server="dns://:53",
        zone=".",
        requests=requests,
        rcodes={"NOERROR": 2400.0, "NXDOMAIN": 450.0, "SERVFAIL": 150.0},
        latency=hist((1, 2, 4, 8), (1000, 1000, 500, 470, 30)),
    )
    other = ZoneTotals(server="dns://:53", zone="cluster.local.", requests=0.0)
    return WindowDns(T0, T1, covered_s=300.0, cycles=20, zones=(zone, other), upstreams=(),
                     panics=0.0)  # fmt: skip


def _context(
    window: WindowDns | None, inventory: Inventory | None = None, graph_type: str = "workload"
) -> GraphContext:
    options = GraphOptions(graph_type=graph_type)
    return GraphContext.preload(inventory or _inventory(), options, dns=window)  # fmt: skip


def test_edges_into_cluster_dns_get_rate_rcode_shares_and_p99() -> None:
    ctx = _context(_window())
    samples = [sample(peer("shop/web", "web"), CLUSTER_DNS, protocol="tcp"),
               sample(peer("shop/web", "web"), peer("shop/api", "api", service="api"))]  # fmt: skip
    result = traffic_map(samples, ctx)
    dns.apply(result, ctx)
    into_dns = result.edges["workload:shop/web>workload:kube-system/coredns|tcp"]
    assert into_dns.dns is not None
    assert into_dns.dns["rps"] == pytest.approx(10.0)  # 3000 over 300 s
    assert into_dns.dns["servfail_share"] == pytest.approx(0.05)
    assert into_dns.dns["nxdomain_share"] == pytest.approx(0.15)
    # 99% of 3000 = 2970 falls at the top of the (4, 8] bucket: exactly 8 ms.
    assert into_dns.dns["p99_ms"] == pytest.approx(8.0)
    assert result.edges["workload:shop/web>workload:shop/api|http"].dns is None


def test_the_service_graph_marks_edges_into_the_dns_service() -> None:
    ctx = _context(_window(), graph_type="service")
    result = traffic_map([sample(peer("shop/web", "web"), CLUSTER_DNS)], ctx)
    dns.apply(result, ctx)
    (edge,) = result.edges.values()
    assert edge.target == "service:kube-system/kube-dns"
    assert edge.dns is not None and edge.dns["rps"] == pytest.approx(10.0)


def test_the_detected_dns_service_wins_over_the_default_names() -> None:
    facts = ClusterFactsRecord(dns_service={"namespace": "dns", "name": "resolver",
                                            "pods": ["resolver-0"]})  # fmt: skip
    inventory = Inventory(pods=(PodRecord("dns", "resolver-0", workload="resolver"),), facts=facts)
    ctx = _context(_window(), inventory)
    samples = [sample(peer("shop/web"), peer("dns/resolver", service="resolver")),
               sample(peer("shop/web"), CLUSTER_DNS)]  # fmt: skip
    result = traffic_map(samples, ctx)
    dns.apply(result, ctx)
    assert result.edges["workload:shop/web>workload:dns/resolver|http"].dns is not None
    assert result.edges["workload:shop/web>workload:kube-system/coredns|http"].dns is None
    assert dns.targets_dns(samples[:1], inventory)
    assert not dns.targets_dns(samples[1:], inventory)


def test_nothing_happens_without_dns_data_or_without_an_edge_into_dns() -> None:
    bare = _context(None)
    result = traffic_map([sample(peer("shop/web"), CLUSTER_DNS)], bare)
    dns.apply(result, bare)
    assert all(e.dns is None for e in result.edges.values())
    ctx = _context(_window())
    other = traffic_map([sample(peer("shop/web"), peer("shop/api", service="api"))], ctx)
    dns.apply(other, ctx)
    assert all(e.dns is None for e in other.edges.values())
    assert not dns.targets_dns([sample(peer("shop/web"), peer("shop/api"))], _inventory())


def test_a_window_without_queries_leaves_the_edge_bare_and_renders_no_field() -> None:
    ctx = _context(_window(requests=0.0))
    ctx.dns.zones[0].rcodes.clear()  # type: ignore[union-attr]
    result = traffic_map([sample(peer("shop/web"), CLUSTER_DNS)], ctx)
    dns.apply(result, ctx)
    (edge,) = result.edges.values()
    assert edge.dns is None
    assert "dns" not in render_edge(edge)


def test_the_built_graph_renders_finite_dns_numbers() -> None:
    graph = build_graph(
        [sample(peer("shop/web", "web"), CLUSTER_DNS, protocol="tcp")],
        _inventory(),
        GraphOptions(),
        window_start=T0,
        window_end=T1,
        generated_at=T1,
        dns_window=_window(),
    )
    (edge,) = graph["edges"]
    assert edge["dns"] == {"rps": 10.0, "servfail_share": 0.05, "nxdomain_share": 0.15,
                           "p99_ms": 8.0}  # fmt: skip
    json.dumps(graph, allow_nan=False)


class _WithDnsEdge:
    """The simulator, plus web's TCP lookups to CoreDNS that a mesh would report."""

    name = "simulator"

    def __init__(self, inner) -> None:
        self.inner = inner
        self.dns_requests = 0.0
        self.covered_s = 0.0

    def fetch(self, at, interval_s):
        from dataclasses import replace

        from collectors.records import EdgeSample, Peer

        records = self.inner.fetch(at, interval_s)
        self.dns_requests += sum(z.requests for s in records.dns for z in s.zones)
        self.covered_s += interval_s
        lookup = EdgeSample(Peer("shop", "storefront", "storefront", "v1"),
                            Peer("kube-system", "coredns", "kube-dns", service="kube-dns"),
                            "tcp", "istio", interval_s, requests=0.0, bytes_sent=800.0)  # fmt: skip
        return replace(records, edges=(*records.edges, lookup))


@pytest.mark.postgres
def test_the_stored_window_reaches_the_dns_edge_through_the_cached_graph(db, t0, simulator_source):
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from collectors import pipeline
    from webapp.graph.services import graph_snapshot

    source = _WithDnsEdge(simulator_source)
    for i in reversed(range(4)):
        assert (
            pipeline.run_cycle(t0 - timedelta(seconds=15 * i), source, publish=False).status == "ok"
        )
    with CaptureQueriesContext(connection) as queries:
        graph = graph_snapshot(GraphOptions(namespaces=("shop", "kube-system")))
    assert any('from "dns_dnszonesample"' in q["sql"].lower() for q in queries.captured_queries)
    edges = {e["id"]: e for e in graph["edges"]}
    into_dns = edges["workload:shop/storefront>workload:kube-system/coredns|tcp"]
    assert source.dns_requests > 0
    assert into_dns["dns"]["rps"] == pytest.approx(source.dns_requests / source.covered_s, rel=1e-3)
    assert 0.0 <= into_dns["dns"]["nxdomain_share"] <= 1.0
    assert "dns" not in edges["workload:shop/storefront>workload:shop/orders|http"]
    # The next cycle's DNS is in the next graph: the cache key moves with the latest cycle.
    assert pipeline.run_cycle(t0 + timedelta(seconds=15), source, publish=False).status == "ok"
    newer = {
        e["id"]: e
        for e in graph_snapshot(GraphOptions(namespaces=("shop", "kube-system")))["edges"]
    }
    # All five cycles lie in the 5 m window: the new cycle's lookups are counted.
    assert newer[into_dns["id"]]["dns"]["rps"] == pytest.approx(
        source.dns_requests / source.covered_s, rel=1e-3
    )


@pytest.mark.postgres
def test_a_graph_without_dns_edges_does_not_read_dns(db, t0, simulator_source):
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from collectors import pipeline
    from webapp.graph.services import graph_snapshot

    for i in reversed(range(2)):
        pipeline.run_cycle(t0 - timedelta(seconds=15 * i), simulator_source, publish=False)
    with CaptureQueriesContext(connection) as queries:
        graph = graph_snapshot(GraphOptions(namespaces=("bookinfo",)))
    assert graph["edges"] and all("dns" not in e for e in graph["edges"])
    # The dns app's tables are "dns_…"; inventory columns such as pod.dns_policy are not.
    assert not any('from "dns_' in q["sql"].lower() for q in queries.captured_queries)
