"""The health appender, at the thresholds' exact boundaries."""

from __future__ import annotations

import pytest

from webapp.graph.appenders import health
from webapp.graph.appenders.health import edge_health
from webapp.graph.options import HealthThresholds
from webapp.graph.traffic_map import EdgeTraffic

from .helpers import context, peer, sample, traffic_map

LIMITS = HealthThresholds()


def traffic(**counts: float) -> EdgeTraffic:
    return EdgeTraffic(requests=counts.pop("requests", 1000.0), **counts)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({}, "healthy"),
        ({"errors_5xx": 100}, "failure"),  # exactly 10%
        ({"errors_5xx": 99}, "degraded"),  # just below: any error degrades
        ({"errors_4xx": 99}, "degraded"),
        ({"errors_4xx": 100}, "degraded"),  # exactly 10%
        ({"errors_4xx": 199}, "degraded"),
        ({"errors_4xx": 200}, "failure"),  # exactly 20%
        ({"errors_grpc": 100}, "failure"),
        ({"errors_grpc": 99}, "degraded"),
        ({"no_response": 1}, "degraded"),
        ({"no_response": 50, "errors_5xx": 50}, "failure"),  # no response counts as 5xx
        ({"requests": 0}, "idle"),
    ],
)
def test_edge_health_boundaries(counts: dict[str, float], expected: str) -> None:
    assert edge_health(traffic(**counts), "http", LIMITS) == expected


def test_tcp_without_requests_is_unknown() -> None:
    assert edge_health(EdgeTraffic(bytes_sent_per_s=10), "tcp", LIMITS) == "unknown"


def test_thresholds_come_from_options() -> None:
    lenient = HealthThresholds(failure_5xx=0.5, degraded_any=0.2)
    assert edge_health(traffic(errors_5xx=100), "http", lenient) == "healthy"


def test_node_health_is_its_worst_inbound_edge() -> None:
    ctx = context()
    samples = [
        sample(peer("a/web"), peer("a/api")),
        sample(peer("a/cron"), peer("a/api"), errors_5xx=10),
        sample(peer("a/web"), peer("a/db"), protocol="tcp", requests=0),
        sample(peer("a/web"), peer("a/quiet"), requests=0),
    ]
    result = traffic_map(samples, ctx)
    result.nodes["workload:a/web"].idle = False
    health.apply(result, ctx)
    assert result.edges["workload:a/cron>workload:a/api|http"].health == "failure"
    assert result.nodes["workload:a/api"].health == "failure"
    assert result.nodes["workload:a/db"].health == "unknown"
    assert result.nodes["workload:a/quiet"].health == "idle"
    assert result.nodes["workload:a/web"].health == "unknown"  # no inbound edge
