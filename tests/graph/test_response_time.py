"""The response time appender."""

from __future__ import annotations

import pytest

from webapp.graph.appenders import response_time

from .helpers import context, hist, peer, sample, traffic_map


def test_edge_and_node_percentiles_come_from_merged_histograms() -> None:
    ctx = context()
    samples = [
        # 100 requests: 50 in (0,10], 50 in (10,100].
        sample(peer("a/web"), peer("a/api"), latency=hist((10, 100), (50, 50, 0))),
        # 100 requests, all in (10,100].
        sample(peer("a/cron"), peer("a/api"), latency=hist((10, 100), (0, 100, 0))),
        sample(peer("a/web"), peer("a/db"), protocol="tcp", requests=0),
    ]
    result = traffic_map(samples, ctx)
    response_time.apply(result, ctx)
    web = result.edges["workload:a/web>workload:a/api|http"]
    assert web.p50_ms == pytest.approx(10.0)  # rank 50: top of the first bucket
    assert web.p95_ms == pytest.approx(91.0)  # rank 95: 10 + 90 × 45/50
    assert web.p99_ms == pytest.approx(98.2)
    api = result.nodes["workload:a/api"].traffic
    # Merged: 50 in (0,10], 150 in (10,100]; rank 100 → 10 + 90 × 50/150.
    assert api.p50_ms_in == pytest.approx(40.0)
    assert api.p95_ms_in == pytest.approx(94.0)  # rank 190 → 10 + 90 × 140/150
    tcp = result.edges["workload:a/web>workload:a/db|tcp"]
    assert (tcp.p50_ms, tcp.p95_ms, tcp.p99_ms) == (None, None, None)
    assert result.nodes["workload:a/web"].traffic.p95_ms_in is None
