"""Window sums: rates divide by covered time, histograms merge, namespaces filter."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta

import pytest

from collectors import pipeline
from collectors.records import CycleRecords, EdgeSample, Histogram, Inventory, Peer
from webapp.traffic.queries import latest_cycle_at, window_traffic

pytestmark = pytest.mark.django_db

BOUNDS = (10.0, 100.0, math.inf)


class Source:
    name = "fixed"

    def __init__(self, edges):
        self.edges = edges

    def fetch(self, at, interval_s):
        return CycleRecords(at, self.name, Inventory(), tuple(self.edges))


def _edge(src_ns: str, dst_ns: str, requests: float, counts=(1.0, 2.0, 0.0)) -> EdgeSample:
    return EdgeSample(
        Peer(src_ns, "a"),
        Peer(dst_ns, "b", service="b"),
        "http",
        "istio",
        15.0,
        requests=requests,
        errors_5xx=1.0,
        mtls_requests=requests / 2,
        latency=Histogram(BOUNDS, counts),
    )


def test_window_sums_each_edge_and_counts_covered_seconds(t0):
    source = Source([_edge("x", "y", 30.0)])
    for i in range(4):
        pipeline.run_cycle(t0 - timedelta(seconds=15 * i), source, publish=False, interval_s=15)
    traffic = window_traffic(t0 - timedelta(seconds=60), t0)
    assert traffic.cycles == 4 and traffic.covered_s == 60
    (edge,) = traffic.edges
    assert edge.requests == 120 and edge.errors_5xx == 4 and edge.mtls_requests == 60
    assert edge.interval_s == 60  # so rps = requests / interval_s = 2.0
    assert edge.latency == Histogram(BOUNDS, (4.0, 8.0, 0.0))


def test_window_bounds_are_half_open(t0):
    source = Source([_edge("x", "y", 30.0)])
    for i in range(3):
        pipeline.run_cycle(t0 - timedelta(seconds=15 * i), source, publish=False, interval_s=15)
    traffic = window_traffic(t0 - timedelta(seconds=30), t0)  # excludes the cycle at start
    assert traffic.cycles == 2 and traffic.edges[0].requests == 60


def test_failed_cycles_are_gaps_not_zeroes(t0):
    good = Source([_edge("x", "y", 30.0)])

    class Broken:
        name = "broken"

        def fetch(self, at, interval_s):
            raise RuntimeError("down")

    pipeline.run_cycle(t0, good, publish=False, interval_s=15)
    pipeline.run_cycle(t0 - timedelta(seconds=15), Broken(), publish=False, interval_s=15)
    traffic = window_traffic(t0 - timedelta(seconds=30), t0)
    assert traffic.covered_s == 15 and traffic.edges[0].requests == 30


def test_namespace_filter_keeps_edges_touching_the_set(t0):
    source = Source([_edge("x", "y", 1.0), replace(_edge("p", "q", 1.0))])
    pipeline.run_cycle(t0, source, publish=False, interval_s=15)
    assert {
        e.destination.namespace for e in window_traffic(t0 - timedelta(minutes=1), t0, ["y"]).edges
    } == {"y"}
    assert len(window_traffic(t0 - timedelta(minutes=1), t0).edges) == 2


def test_latest_cycle(t0):
    assert latest_cycle_at() is None
    source = Source([])
    pipeline.run_cycle(t0, source, publish=False)
    pipeline.run_cycle(t0 - timedelta(seconds=15), source, publish=False)
    assert latest_cycle_at() == t0
    assert latest_cycle_at(before=t0 - timedelta(seconds=1)) == t0 - timedelta(seconds=15)
