"""The pure parts: response classes, peers, dialect detection, the cardinality guard."""

from __future__ import annotations

import pytest

from collectors.mesh import detect_dialects, limit_edges
from collectors.mesh.common import response_class
from collectors.mesh.istio import destination_peer, queries, source_peer
from collectors.records import EdgeSample, Peer


@pytest.mark.parametrize(
    ("code", "grpc", "expected"),
    [
        ("200", "", ""),
        ("0", "", "no_response"),
        ("404", "", "errors_4xx"),
        ("503", "14", "errors_5xx"),  # already an HTTP error: not also a gRPC error
        ("200", "14", "errors_grpc"),
        ("200", "0", ""),
        ("304", "", ""),
    ],
)
def test_response_classes_are_disjoint(code, grpc, expected):
    assert response_class(code, grpc) == expected


def test_unknown_sources_are_one_peer_and_unknown_destinations_keep_their_service():
    assert source_peer({"source_workload": "unknown"}) == Peer("unknown", "unknown")
    dest = destination_peer({"destination_workload": "unknown",
                             "destination_service_namespace": "unknown",
                             "destination_service_name": "BlackHoleCluster"})  # fmt: skip
    assert dest == Peer("unknown", "unknown", service="BlackHoleCluster")


def test_dialects_are_detected_from_metric_names():
    assert detect_dialects({"istio_requests_total", "up"}) == ("istio",)
    assert detect_dialects({"response_total", "istio_requests_total"}) == ("istio", "linkerd")
    assert detect_dialects({"up"}) == ()


def test_the_seconds_histogram_is_only_asked_for_when_it_exists():
    metrics = {q.metric for q in queries(60, frozenset({"istio_requests_total"}))}
    assert metrics == {"istio_requests_total"}
    assert len(queries(60)) == 8


def test_the_cardinality_guard_keeps_the_busiest():
    edges = [EdgeSample(Peer("a", f"w{i}"), Peer("b", "x"), "http", "istio", 15.0, requests=i)
             for i in range(5)]  # fmt: skip
    kept, gap = limit_edges(edges, 3)
    assert [e.requests for e in kept] == [4, 3, 2]
    assert "cut 2" in gap
    assert limit_edges(edges, 5) == (edges, "")
