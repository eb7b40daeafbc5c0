"""The security (mTLS) appender."""

from __future__ import annotations

import pytest

from webapp.graph.appenders import security

from .helpers import context, peer, sample, traffic_map


def test_mtls_ratio_on_edges_and_nodes() -> None:
    ctx = context()
    samples = [
        sample(peer("a/web"), peer("a/api"), mtls_requests=75),
        sample(peer("a/cron"), peer("a/api"), requests=100, mtls_requests=None),
        sample(peer("a/job"), peer("a/api"), requests=100, mtls_requests=25),
        sample(peer("a/web"), peer("a/db"), protocol="tcp", requests=0, mtls_requests=0),
        sample(peer("a/web"), peer("a/idle"), requests=0, mtls_requests=0),
    ]
    result = traffic_map(samples, ctx)
    security.apply(result, ctx)
    edges = result.edges
    assert edges["workload:a/web>workload:a/api|http"].mtls_ratio == 0.75
    assert edges["workload:a/cron>workload:a/api|http"].mtls_ratio is None  # unknown
    assert edges["workload:a/web>workload:a/db|tcp"].mtls_ratio is None  # TCP
    assert edges["workload:a/web>workload:a/idle|http"].mtls_ratio is None  # no requests
    # The unknown 100 do not dilute the node's share: (75 + 25) / 200.
    assert result.nodes["workload:a/api"].traffic.mtls_ratio_in == pytest.approx(0.5)
    assert result.nodes["workload:a/db"].traffic.mtls_ratio_in is None


def test_partly_known_samples_on_one_edge() -> None:
    ctx = context()
    samples = [
        sample(peer("a/web"), peer("a/api"), mtls_requests=100),
        sample(peer("a/web"), peer("a/api"), mtls_requests=None),
    ]
    result = traffic_map(samples, ctx)
    security.apply(result, ctx)
    assert result.edges["workload:a/web>workload:a/api|http"].mtls_ratio == 1.0
