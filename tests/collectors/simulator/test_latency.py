"""Latency histograms: the meshes' real buckets, counts that add up."""

from __future__ import annotations

import math

import pytest

from collectors.simulator import Simulator
from collectors.simulator.latency import (
    ISTIO_BOUNDS_MS,
    LINKERD_BOUNDS_MS,
    histogram,
    lognormal_cdf,
)

from .helpers import AFTERNOON


def test_bucket_bounds_are_the_meshes_defaults() -> None:
    assert len(ISTIO_BOUNDS_MS) == 20 and ISTIO_BOUNDS_MS[:3] == (0.5, 1, 5)
    assert ISTIO_BOUNDS_MS[-2] == 3_600_000
    assert len(LINKERD_BOUNDS_MS) == 26 and LINKERD_BOUNDS_MS[-2] == 50_000
    for bounds in (ISTIO_BOUNDS_MS, LINKERD_BOUNDS_MS):
        assert list(bounds) == sorted(bounds) and math.isinf(bounds[-1])


def test_every_edge_histogram_sums_to_its_requests() -> None:
    records = Simulator().records_at(AFTERNOON)
    for sample in records.edges:
        if sample.protocol == "tcp":
            assert sample.latency is None and sample.requests == 0.0
            assert sample.bytes_sent > 0 and sample.bytes_received > 0
            continue
        expected = LINKERD_BOUNDS_MS if sample.mesh == "linkerd" else ISTIO_BOUNDS_MS
        assert sample.latency.bounds_ms == expected
        assert sample.latency.total == pytest.approx(sample.requests, rel=1e-12)
        assert all(c >= 0.0 for c in sample.latency.counts)


def test_median_lands_where_the_cdf_says() -> None:
    assert lognormal_cdf(20.0, 20.0, 0.6) == pytest.approx(0.5)
    h = histogram(1000.0, "istio", median_ms=20.0, sigma=0.6)
    below_25 = sum(h.counts[:5])  # buckets up to 25 ms
    assert below_25 == pytest.approx(1000.0 * lognormal_cdf(25.0, 20.0, 0.6))


def test_slow_fraction_mixes_two_shapes() -> None:
    fast = histogram(100.0, "linkerd", 10.0, 0.5)
    slow = histogram(100.0, "linkerd", 10.0, 0.5, slow_fraction=1.0, slow_factor=5.0)
    half = histogram(100.0, "linkerd", 10.0, 0.5, slow_fraction=0.5, slow_factor=5.0)
    for f, s, h in zip(fast.counts, slow.counts, half.counts, strict=True):
        assert h == pytest.approx((f + s) / 2, abs=1e-9)


def test_zero_requests_give_an_empty_histogram() -> None:
    assert histogram(0.0, "istio", 5.0, 0.6).total == 0.0
