"""Histogram parsing, merging and Prometheus-exact quantiles.

Expected values are worked by hand with histogram_quantile's algorithm: find the first bucket
whose cumulative count reaches rank = q × total, then interpolate linearly inside it.
"""

from __future__ import annotations

import math

import pytest

from collectors.records import Histogram
from webapp.traffic.histogram import from_cumulative, merge, quantile, scale, to_ms

INF = math.inf
# Cumulative 10, 30, 40, 50: per bucket 10, 20, 10, 10.
SECONDS = {"0.1": 10, "0.5": 30, "1": 40, "+Inf": 50}


def test_it_turns_cumulative_into_per_bucket_counts() -> None:
    hist = from_cumulative(SECONDS)
    assert hist.bounds_ms == (0.1, 0.5, 1.0, INF)
    assert hist.counts == (10, 20, 10, 10)


def test_it_sorts_labels_numerically_not_as_strings() -> None:
    # As strings "10" < "2.5" < "5" < "+Inf" would be wrong ("+" sorts first, even).
    hist = from_cumulative({"10": 4, "5": 2, "+Inf": 4, "2.5": 1})
    assert hist.bounds_ms == (2.5, 5.0, 10.0, INF)
    assert hist.counts == (1, 1, 2, 0)


def test_it_reads_exponent_labels_and_float_keys() -> None:
    assert from_cumulative({"1e3": 5, "+Inf": 6}).bounds_ms == (1000.0, INF)
    assert from_cumulative({0.25: 1, INF: 2}).counts == (1, 1)


def test_it_coalesces_labels_with_the_same_bound() -> None:
    hist = from_cumulative({"1": 2, "1.0": 3, "+Inf": 5})
    assert hist.bounds_ms == (1.0, INF)
    assert hist.counts == (5, 0)


def test_it_clamps_a_counter_reset_to_zero() -> None:
    hist = from_cumulative({"1": 5, "2": 3, "+Inf": 6})
    assert hist.counts == (5, 0, 1)
    assert all(count >= 0 for count in hist.counts)


def test_it_refuses_buckets_without_inf_and_nan_labels() -> None:
    with pytest.raises(ValueError):
        from_cumulative({"1": 5})
    with pytest.raises(ValueError):
        from_cumulative({"NaN": 1, "+Inf": 1})


def test_empty_buckets_give_an_empty_histogram() -> None:
    hist = from_cumulative({})
    assert hist.bounds_ms == ()
    assert quantile(0.5, hist) is None


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        (0.0, 0.0),  # rank 0 in the first bucket, which starts at 0
        (0.1, 0.05),  # rank 5: 0 + 0.1 × 5/10
        (0.5, 0.4),  # rank 25: 0.1 + 0.4 × (25-10)/20
        (0.8, 1.0),  # rank 40: 0.5 + 0.5 × (40-30)/10, the top of the bucket
        (0.9, 1.0),  # rank 45 falls in +Inf: the highest finite bound
        (1.0, 1.0),
    ],
)
def test_quantile_interpolates_as_prometheus(q: float, expected: float) -> None:
    assert quantile(q, from_cumulative(SECONDS)) == pytest.approx(expected)


def test_quantile_over_unsorted_string_labels() -> None:
    hist = from_cumulative({"10": 4, "5": 2, "+Inf": 4, "2.5": 1})
    assert quantile(0.5, hist) == pytest.approx(5.0)  # rank 2: 2.5 + 2.5 × 1/1
    assert quantile(0.75, hist) == pytest.approx(7.5)  # rank 3: 5 + 5 × 1/2


def test_quantile_of_a_single_finite_bucket() -> None:
    hist = from_cumulative({"0.5": 4, "+Inf": 4})
    assert quantile(0.5, hist) == pytest.approx(0.25)
    assert quantile(0.99, hist) == pytest.approx(0.495)


def test_quantile_of_inf_only_is_none_as_prometheus_nan() -> None:
    assert quantile(0.5, from_cumulative({"+Inf": 7})) is None


def test_quantile_with_every_observation_above_the_finite_buckets() -> None:
    assert quantile(0.5, from_cumulative({"0.1": 0, "1": 0, "+Inf": 9})) == 1.0


def test_quantile_answers_a_non_positive_first_bound() -> None:
    assert quantile(0.25, from_cumulative({"-1": 2, "1": 4, "+Inf": 4})) == -1.0


def test_quantile_without_observations_is_none() -> None:
    assert quantile(0.5, from_cumulative({"1": 0, "+Inf": 0})) is None
    assert quantile(0.5, None) is None


@pytest.mark.parametrize("q", [-0.01, 1.01, math.nan])
def test_quantile_refuses_q_outside_unit_interval(q: float) -> None:
    with pytest.raises(ValueError):
        quantile(q, from_cumulative(SECONDS))


def test_merge_sums_over_the_union_of_bounds() -> None:
    a = Histogram(bounds_ms=(1.0, INF), counts=(1, 1))
    b = Histogram(bounds_ms=(1.0, 2.0, INF), counts=(2, 3, 4))
    merged = merge([a, None, b])
    assert merged == Histogram(bounds_ms=(1.0, 2.0, INF), counts=(3, 3, 5))


def test_merge_of_nothing_is_none() -> None:
    assert merge([]) is None
    assert merge([None, Histogram(bounds_ms=(), counts=())]) is None


def test_to_ms_normalises_seconds() -> None:
    assert to_ms((0.005, 1.0, INF), "s") == (5.0, 1000.0, INF)
    assert to_ms((5.0, INF), "ms") == (5.0, INF)
    assert to_ms((500.0, INF), "us") == (0.5, INF)
    assert scale(from_cumulative(SECONDS), "seconds").bounds_ms == (100.0, 500.0, 1000.0, INF)
    with pytest.raises(ValueError):
        to_ms((1.0,), "minutes")
