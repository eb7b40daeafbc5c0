"""traffic_error_ratio: edges past Kiali's health thresholds, severity from the line crossed."""

from __future__ import annotations

from collectors.records import EdgeSample, Peer
from tests.conftest import T0
from tests.insights.helpers import context, drafts_of
from webapp.graph.options import HealthThresholds
from webapp.insights.checks.traffic_error_ratio import CHECK

WEB = Peer("emojivoto", "web", "web-svc", "v11")


def _edge(dst: str, protocol: str = "http", **counts: float) -> EdgeSample:
    return EdgeSample(WEB, Peer("emojivoto", dst, dst, "v11", f"{dst}-svc"), protocol,
                      "linkerd", 300.0, **counts)  # fmt: skip


def _by_target(drafts):
    return {d.subject.id.rsplit("/", 1)[-1]: d for d in drafts}


def test_failures_are_critical_and_degraded_4xx_a_warning():
    edges = (
        _edge("voting", "grpc", requests=300.0, errors_grpc=45.0),  # 15 % gRPC
        _edge("emoji", requests=300.0, errors_5xx=20.0, no_response=10.0),  # 10 % with resets
        _edge("orders", requests=300.0, errors_4xx=45.0),  # 15 % 4xx: degraded
        _edge("cart", requests=300.0, errors_4xx=75.0),  # 25 % 4xx: failure
    )
    found = _by_target(drafts_of(CHECK, context(T0, edges=edges)))
    assert {k: d.severity for k, d in found.items()} == {
        "voting": "critical", "emoji": "critical", "orders": "warning", "cart": "critical"
    }  # fmt: skip
    voting = found["voting"]
    assert voting.evidence["ratios"] == {"grpc": 0.15} and voting.evidence["rps"] == 1.0
    assert voting.evidence["thresholds"] == {"critical_grpc": 0.1}
    assert found["cart"].evidence["ratios"] == {"4xx": 0.25}  # not also "degraded"
    assert "kubectl logs -n emojivoto deploy/voting" in voting.remedy.snippet


def test_healthy_and_quiet_edges_are_not_reported():
    edges = (
        _edge("voting", "grpc", requests=300.0, errors_grpc=3.0),  # 1 %
        _edge("emoji", requests=300.0, errors_5xx=29.0),  # 9.7 %
        _edge("cart", requests=5.0, errors_5xx=5.0),  # too few requests to judge
        _edge("db", "tcp", bytes_sent=1e6),
    )
    assert drafts_of(CHECK, context(T0, edges=edges)) == []


def test_it_follows_configured_thresholds():
    edge = _edge("emoji", requests=300.0, errors_5xx=20.0)  # 6.7 %
    strict = HealthThresholds(failure_5xx=0.05)
    [draft] = drafts_of(CHECK, context(T0, edges=(edge,), extra={"health": strict}))
    assert draft.severity == "critical"
    assert drafts_of(CHECK, context(T0, edges=(edge,))) == []  # Kiali's 10 % by default
