"""Conformance with Kiali: its graph tests' inputs give meshwatch the graphs Kiali expects.

Kiali's inputs (tests/fixtures/prometheus/kiali-graph/, transcribed from kiali/kiali
graph/api/api_test.go) are answers to its per-namespace queries for `bookinfo` over 600 s.
They go through meshwatch's own Istio parser (with the reporter dedup) and `build_graph`,
scoped to bookinfo as Kiali's request was. For the workload, app, versioned_app and service
graph types the nodes, the edges, their rates and their error ratios must be Kiali's.

Where meshwatch differs on purpose, a test below pins the difference and says why.
"""

from __future__ import annotations

import pytest

from tests.collectors.mesh.kiali import kiali_edges, kiali_nodes, meshwatch_graph

GRAPH_TYPES = ("workload", "app", "versioned_app", "service")
# In the service graph Kiali leaves out traffic to a workload that no service fronts.
SERVICE_GRAPH_EXTRA = {"unknown>workload:bookinfo/kiali-2412|http"}


def meshwatch_edges(graph_type: str) -> dict[str, dict[str, float]]:
    """Our edges as Kiali shows them: requests/s, or for TCP the request-direction bytes/s."""
    edges = {}
    for edge in meshwatch_graph(graph_type)["edges"]:
        tcp = edge["protocol"] == "tcp"
        rate = edge["bytes_per_s"]["sent"] if tcp else edge["rps"]
        edges[edge["id"]] = {"rate": rate, "error_ratio": edge["error_ratio"]}
    return edges


def expected_extra(graph_type: str) -> set[str]:
    return SERVICE_GRAPH_EXTRA if graph_type == "service" else set()


@pytest.mark.parametrize("graph_type", GRAPH_TYPES)
def test_it_finds_kialis_nodes(graph_type):
    ours = {node["id"] for node in meshwatch_graph(graph_type)["nodes"]}
    extra = {"workload:bookinfo/kiali-2412"} if graph_type == "service" else set()
    assert ours == kiali_nodes(graph_type) | extra


@pytest.mark.parametrize("graph_type", GRAPH_TYPES)
def test_it_finds_kialis_edges_with_kialis_rates_and_error_ratios(graph_type):
    kiali, ours = kiali_edges(graph_type), meshwatch_edges(graph_type)
    assert set(ours) == set(kiali) | expected_extra(graph_type)
    assert len(kiali) >= 13  # a real comparison, not two empty sets
    for edge_id, want in kiali.items():
        got = ours[edge_id]
        # Kiali prints rates with 2 decimals and percentages with 1.
        assert got["rate"] == pytest.approx(want["rate"], abs=0.005), edge_id
        assert got["error_ratio"] == pytest.approx(want["error_ratio"], abs=0.0005), edge_id


def test_the_reporter_dedup_matches_kiali():
    # bookinfo-internal requests are in Kiali's inputs twice (source- and destination-reported);
    # Kiali and meshwatch both count them once: 20 rps, not 40.
    edge = "workload:bookinfo/productpage-v1>workload:bookinfo/reviews-v1|http"
    assert meshwatch_edges("workload")[edge]["rate"] == pytest.approx(20.0)
    assert kiali_edges("workload")[edge]["rate"] == pytest.approx(20.0)


def test_deliberate_difference_service_graph_keeps_serviceless_traffic():
    """Kiali's service graph drops requests that reached a workload no service fronts
    (kiali-2412, called directly). meshwatch keeps them, as a workload node: 50 rps of real
    traffic hidden from the service view would make its node totals disagree with the
    workload view's."""
    ours = meshwatch_edges("service")
    assert set(ours) - set(kiali_edges("service")) == SERVICE_GRAPH_EXTRA
    assert ours["unknown>workload:bookinfo/kiali-2412|http"]["rate"] == pytest.approx(50.0)


def test_deliberate_difference_tcp_rps_counts_connections():
    """Kiali's TCP edge rate is bytes/s (here: istio_tcp_received_bytes_total, the request
    direction, which meshwatch calls bytes sent). meshwatch keeps bytes in `bytes_per_s` and
    uses `rps` for connections opened per second; Kiali's inputs have no connection counter,
    so rps is 0 while the bytes match."""
    for edge in meshwatch_graph("workload")["edges"]:
        if edge["protocol"] == "tcp":
            assert edge["rps"] == 0.0
            assert edge["bytes_per_s"]["sent"] > 0 and edge["bytes_per_s"]["received"] > 0


def test_deliberate_difference_mtls_is_unknown_without_a_security_label():
    """Kiali's inputs carry no connection_security_policy: meshwatch says "unknown" (null),
    not "plaintext"."""
    assert {edge["mtls_ratio"] for edge in meshwatch_graph("workload")["edges"]} == {None}
