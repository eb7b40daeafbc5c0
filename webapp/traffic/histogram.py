"""Latency histograms: parsing cumulative buckets, merging, and Prometheus-exact quantiles.

Shared by the graph (edge percentiles) and the heatmaps. Everything here works on
`collectors.records.Histogram`, which holds per-bucket (not cumulative) counts with numerically
sorted upper bounds and +Inf last.

Bucket labels are sorted as numbers, never as strings: sorting "10" before "5" is the recurring
Grafana bug that turns heatmaps and percentiles into nonsense.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from collectors.records import Histogram

# Multipliers that turn a bound in the given unit into milliseconds.
_TO_MS = {
    "s": 1000.0,
    "seconds": 1000.0,
    "ms": 1.0,
    "milliseconds": 1.0,
    "us": 0.001,
    "µs": 0.001,
    "microseconds": 0.001,
}


def parse_bound(label: str | float) -> float:
    """The numeric upper bound of an `le` label ("0.5", "1e3", "+Inf"); NaN is refused."""
    value = float(label.strip()) if isinstance(label, str) else float(label)
    if math.isnan(value):
        raise ValueError(f"histogram bound {label!r} is not a number")
    return value


def from_cumulative(
    buckets: Mapping[str, float] | Mapping[float, float] | Mapping[str | float, float],
) -> Histogram:
    """Per-bucket counts from Prometheus-style cumulative `le` buckets.

    1. Parse labels as numbers and sort numerically (+Inf sorts last by itself); labels that
       parse to the same bound ("1" and "1.0") are added together, as Prometheus coalesces them.
    2. Per-bucket count = cumulative count minus the previous one. A counter reset between the
       scrapes that produced the buckets can make that negative; it is clamped to 0.
    An empty mapping gives an empty histogram; a non-empty one without +Inf is refused, because
    without the total no quantile can be computed.
    """
    cumulative: dict[float, float] = {}
    for label, count in buckets.items():
        bound = parse_bound(label)
        cumulative[bound] = cumulative.get(bound, 0.0) + float(count)
    if not cumulative:
        return Histogram(bounds_ms=(), counts=())
    bounds = sorted(cumulative)
    if not math.isinf(bounds[-1]):
        raise ValueError("cumulative histogram buckets need a +Inf bucket")
    counts: list[float] = []
    previous = 0.0
    for bound in bounds:
        current = cumulative[bound]
        counts.append(max(current - previous, 0.0))
        previous = max(current, previous)
    return Histogram(bounds_ms=tuple(bounds), counts=tuple(counts))


def merge(histograms: Iterable[Histogram | None]) -> Histogram | None:
    """The sum of several histograms over the union of their bounds; None when none has bounds.

    Counts are added bound by bound. When inputs use different bucket layouts this is the same
    approximation Prometheus makes when `sum by (le)` meets mixed layouts.
    """
    by_bound: dict[float, float] = {}
    for hist in histograms:
        if hist is None:
            continue
        for bound, count in zip(hist.bounds_ms, hist.counts, strict=True):
            by_bound[bound] = by_bound.get(bound, 0.0) + count
    if not by_bound:
        return None
    bounds = sorted(by_bound)
    return Histogram(bounds_ms=tuple(bounds), counts=tuple(by_bound[b] for b in bounds))


def quantile(q: float, hist: Histogram | None) -> float | None:
    """The q-quantile (0 ≤ q ≤ 1) of `hist`, interpolated exactly as `histogram_quantile` does.

    Returns None where Prometheus returns NaN: no histogram, fewer than two buckets, or no
    observations. Prometheus answers ±Inf for q outside [0, 1]; that is a caller's bug here,
    so it raises ValueError.
    """
    return quantiles((q,), hist)[0]


def quantiles(qs: Sequence[float], hist: Histogram | None) -> tuple[float | None, ...]:
    """Several quantiles of one histogram, accumulating its buckets once (see `quantile`).

    1. rank = q × total; find the first finite bucket whose cumulative count reaches the rank.
    2. If only the +Inf bucket reaches it, answer the highest finite bound.
    3. Else interpolate linearly inside that bucket; the first bucket starts at 0 unless its
       upper bound is ≤ 0, in which case that bound is the answer.
    """
    for q in qs:
        if math.isnan(q) or not 0.0 <= q <= 1.0:
            raise ValueError(f"quantile must be within [0, 1], not {q}")
    if hist is None or len(hist.bounds_ms) < 2:
        return tuple(None for _ in qs)
    cumulative = _cumulative(hist.counts)
    if cumulative[-1] <= 0:
        return tuple(None for _ in qs)
    return tuple(_interpolate(q * cumulative[-1], hist.bounds_ms, cumulative) for q in qs)


def _interpolate(rank: float, bounds: Sequence[float], cumulative: Sequence[float]) -> float:
    """Prometheus's bucketQuantile for a rank within (0, total]."""
    last_finite = len(cumulative) - 2
    index = _first_reaching(cumulative, rank, last_finite)
    if index > last_finite:
        return bounds[last_finite]
    upper = bounds[index]
    if index == 0 and upper <= 0:
        return upper
    lower = bounds[index - 1] if index > 0 else 0.0
    below = cumulative[index - 1] if index > 0 else 0.0
    in_bucket = cumulative[index] - below
    if in_bucket <= 0:
        # Only reachable for rank 0 over an empty first bucket, where Prometheus computes 0/0.
        return lower
    return lower + (upper - lower) * ((rank - below) / in_bucket)


def to_ms(bounds: Sequence[float], unit: str) -> tuple[float, ...]:
    """Bounds given in `unit` ("s", "ms", "us" or their long names) converted to milliseconds."""
    try:
        factor = _TO_MS[unit.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown latency unit {unit!r}; use s, ms or us") from None
    return tuple(bound if math.isinf(bound) else bound * factor for bound in bounds)


def scale(hist: Histogram, unit: str) -> Histogram:
    """`hist` with its bounds converted from `unit` to milliseconds."""
    return Histogram(bounds_ms=to_ms(hist.bounds_ms, unit), counts=hist.counts)


def _cumulative(counts: Sequence[float]) -> list[float]:
    running = 0.0
    result = []
    for count in counts:
        running += count
        result.append(running)
    return result


def _first_reaching(cumulative: Sequence[float], rank: float, last_finite: int) -> int:
    """Binary search over the finite buckets, as Prometheus's sort.Search; past them: +Inf."""
    low, high = 0, last_finite + 1
    while low < high:
        middle = (low + high) // 2
        if cumulative[middle] >= rank:
            high = middle
        else:
            low = middle + 1
    return low
