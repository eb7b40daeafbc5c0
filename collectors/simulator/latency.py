"""Latency histograms in the buckets each mesh really exports.

Latency on an edge is lognormal around a per-edge median. The expected count per bucket is
requests × (CDF(upper) − CDF(lower)); using expectations rather than samples keeps the result
a pure, smooth function of time and makes the counts sum to the request count exactly.
"""

from __future__ import annotations

import functools
import math

from collectors.records import INF, Histogram

# istio_request_duration_milliseconds default buckets (ms).
ISTIO_BOUNDS_MS: tuple[float, ...] = (
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
    300000, 600000, 1800000, 3600000, INF,
)  # fmt: skip

# Linkerd proxy response_latency_ms buckets (ms).
LINKERD_BOUNDS_MS: tuple[float, ...] = (
    1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000,
    5000, 10000, 20000, 30000, 40000, 50000, INF,
)  # fmt: skip

_SQRT2 = math.sqrt(2.0)


def bounds_for(mesh: str) -> tuple[float, ...]:
    """The bucket bounds the given mesh's proxies export."""
    return LINKERD_BOUNDS_MS if mesh == "linkerd" else ISTIO_BOUNDS_MS


def lognormal_cdf(x_ms: float, median_ms: float, sigma: float) -> float:
    """P(latency ≤ x) for a lognormal with this median and log-space spread."""
    if x_ms <= 0.0:
        return 0.0
    if math.isinf(x_ms):
        return 1.0
    return 0.5 * (1.0 + math.erf(math.log(x_ms / median_ms) / (sigma * _SQRT2)))


@functools.lru_cache(maxsize=256)
def bucket_shares(bounds: tuple[float, ...], median_ms: float, sigma: float) -> tuple[float, ...]:
    """Probability mass per bucket (sums to 1); the last bucket takes the remainder."""
    # Memoised: an edge's shape only changes during a latency spike, and a pure function's
    # cache cannot make one call depend on another.
    shares: list[float] = []
    previous = 0.0
    for bound in bounds[:-1]:
        cdf = lognormal_cdf(bound, median_ms, sigma)
        shares.append(cdf - previous)
        previous = cdf
    shares.append(1.0 - previous)
    return tuple(shares)


def histogram(
    requests: float,
    mesh: str,
    median_ms: float,
    sigma: float,
    slow_fraction: float = 0.0,
    slow_factor: float = 1.0,
) -> Histogram:
    """Per-interval latency counts for `requests`.

    `slow_fraction` of the requests (the share of the interval a latency spike covered)
    follow the same shape with the median multiplied by `slow_factor`.
    """
    bounds = bounds_for(mesh)
    shares = bucket_shares(bounds, median_ms, sigma)
    if slow_fraction > 0.0 and slow_factor != 1.0:
        slow = bucket_shares(bounds, median_ms * slow_factor, sigma)
        shares = tuple(
            (1.0 - slow_fraction) * n + slow_fraction * s for n, s in zip(shares, slow, strict=True)
        )
    counts = [requests * s for s in shares]
    # Put float rounding into the +Inf bucket so the counts add up to `requests`; it is
    # only ever ~1e-15 of requests, far too little to move a percentile.
    counts[-1] = max(0.0, requests - math.fsum(counts[:-1]))
    return Histogram(bounds_ms=bounds, counts=tuple(counts))
