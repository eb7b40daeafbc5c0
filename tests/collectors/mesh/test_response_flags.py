"""Envoy response flags: from istio_requests_total's `response_flags` to EdgeSample, bounded.

On recorded data (Kiali's graph inputs hold a 404 NR row, the Istio proxy exposition only
"-") and end to end against a real Prometheus backfilled with flagged series.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collectors import pipeline
from collectors.mesh import MeshTelemetrySource, istio, linkerd
from collectors.records import Inventory
from tests.collectors.mesh.exposition import query_rows, read
from tests.collectors.mesh.kiali import meshwatch_samples
from tests.support.mesh_series import istio_edge
from tests.support.openmetrics import QUERY_AT, SeriesSet
from tests.support.prometheus import PrometheusServer
from webapp.insights.checks import traffic_response_flags
from webapp.insights.checks.base import InsightContext
from webapp.traffic.flags import FLAG_MAX_LEN, MAX_FLAGS, OTHER, split_flags
from webapp.traffic.queries import window_traffic

INTERVAL = 15.0


def test_flags_are_split_deduplicated_and_bounded():
    assert split_flags("-") == [] and split_flags("") == [] and split_flags(None) == []
    assert split_flags("UF,URX") == ["UF", "URX"]
    assert split_flags(" UH , UH ,-") == ["UH"]
    assert split_flags("X" * 100) == ["X" * FLAG_MAX_LEN]
    assert split_flags("a\x00b") == [OTHER]


def test_kiali_inputs_carry_their_no_route_flag():
    edges = meshwatch_samples()
    flagged = {(e.source.workload, e.destination.service): e.response_flags for e in edges
               if e.response_flags}  # fmt: skip
    # Kiali's 404 NR row: reviews-v3 → an unknown service at 4 rps over its 600 s.
    assert flagged == {("reviews-v3", "unknown"): {"NR": pytest.approx(2400.0)}}


def test_the_istio_proxy_exposition_has_no_flags_and_linkerd_never_has():
    rows = query_rows(read("istio-proxy-1.5.datadog-fixture.excerpt.txt"), istio.FAMILIES, {})
    edges, _ = istio.parse(rows, interval_s=1.0)
    assert edges and all(e.response_flags == {} for e in edges)  # every row says "-"
    text = read("linkerd-proxy.datadog-fixture-linkerd_v2.excerpt.txt")
    pod = {"namespace": "linkerd", "deployment": "linkerd-controller"}  # scrape target labels
    rows = query_rows(text, linkerd.FAMILIES, {"direction": "outbound"}, pod)
    edges, _ = linkerd.parse(rows, interval_s=1.0)
    assert edges and all(e.response_flags == {} for e in edges)


def _flag_series() -> SeriesSet:
    """storefront → recommendations with no endpoints (UH), → catalog retried then failed
    (UF,URX) with a few requests fine, and a hostile proxy's labels on → evil."""
    s = SeriesSet()
    rows = [
        (istio_edge("storefront", None, service="recommendations", reporter="source",
                    destination_service_namespace="shop"),  # the orphan's own namespace
         [("503", "UH", 2.0)]),
        (istio_edge("storefront", "catalog"), [("200", "-", 6.0), ("503", "UF,URX", 1.0),
                                               ("0", "DC", 0.5)]),
        (istio_edge("storefront", "evil"),
         [("503", "Z" * 300, 1.0), *((f"5{i:02d}", f"T{i}", 0.1) for i in range(40))]),
    ]  # fmt: skip
    for edge, outcomes in rows:
        for code, flags, rate in outcomes:
            labels = {**edge, "request_protocol": "http", "response_code": code,
                      "grpc_response_status": "", "connection_security_policy": "mutual_tls",
                      "response_flags": flags}  # fmt: skip
            s.counter("istio_requests_total", labels, rate)
    return s


AT = datetime.fromtimestamp(QUERY_AT, tz=UTC)


@pytest.fixture(scope="module")
def flagged_prometheus(tmp_path_factory: pytest.TempPathFactory):
    server = PrometheusServer.backfilled(
        _flag_series().openmetrics(), tmp_path_factory.mktemp("flags-prometheus")
    )
    with server:
        yield server


@pytest.fixture(scope="module")
def flagged_cycle(flagged_prometheus):
    return MeshTelemetrySource(flagged_prometheus.url).fetch(AT, INTERVAL)


def _edge(records, dst: str):
    return next(e for e in records.edges
                if dst in (e.destination.workload, e.destination.service))  # fmt: skip


def test_prometheus_flags_reach_the_edges(flagged_cycle):
    assert not flagged_cycle.gaps
    orphan = _edge(flagged_cycle, "recommendations")
    assert orphan.response_flags == {"UH": pytest.approx(30.0)}  # 2 rps × 15 s
    catalog = _edge(flagged_cycle, "catalog-v1")
    # One request with two flags counts under each; "-" is left out.
    assert catalog.response_flags == {
        "UF": pytest.approx(15.0), "URX": pytest.approx(15.0), "DC": pytest.approx(7.5)
    }  # fmt: skip
    assert catalog.requests == pytest.approx(112.5)


def test_hostile_flags_are_cut_and_capped(flagged_cycle):
    evil = _edge(flagged_cycle, "evil-v1").response_flags
    assert len(evil) == MAX_FLAGS and all(len(k) <= FLAG_MAX_LEN for k in evil)
    assert evil["Z" * FLAG_MAX_LEN] == pytest.approx(15.0)
    # Nothing is lost: what did not fit is summed under "other".
    assert sum(evil.values()) == pytest.approx(15.0 + 40 * 1.5)
    assert evil[OTHER] > 0


def test_the_mesh_series_no_response_rows_are_dc(mesh_cycle):
    catalog = next(e for e in mesh_cycle.edges if e.destination.workload == "catalog-v1")
    assert catalog.response_flags == {"DC": pytest.approx(7.5)}  # 0.5 rps of code 0, once
    linkerd_edges = [e for e in mesh_cycle.edges if e.mesh == "linkerd"]
    assert linkerd_edges and all(e.response_flags == {} for e in linkerd_edges)


@pytest.mark.django_db
def test_prometheus_to_storage_to_the_flags_check(flagged_prometheus):
    """The whole path: PromQL, the cycle stored (COPY), the window summed, the check run."""
    source = MeshTelemetrySource(flagged_prometheus.url)
    for i in range(4):
        pipeline.run_cycle(AT - timedelta(seconds=INTERVAL * i), source, publish=False,
                           interval_s=INTERVAL)  # fmt: skip
    traffic = window_traffic(AT - timedelta(seconds=60), AT)
    orphan = next(e for e in traffic.edges if e.destination.service == "recommendations")
    assert orphan.response_flags == {"UH": pytest.approx(120.0)}  # 2 rps over 60 s
    context = InsightContext(at=AT, window_s=60.0, inventory=Inventory(), edges=traffic.edges)
    found = {d.subject.id: d for d in traffic_response_flags.CHECK.run(context)}
    uh = found["edge:workload:shop/storefront-v1>service:shop/recommendations"]
    assert uh.severity == "critical" and uh.evidence["flagged_rps"] == pytest.approx(2.0)
    retried = found["edge:workload:shop/storefront-v1>workload:shop/catalog-v1"]
    assert set(retried.evidence["flags"]) == {"UF", "URX", "DC"}
