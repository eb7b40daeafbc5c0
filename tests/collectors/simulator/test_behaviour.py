"""Load curve, canary and the scheduled episodes, all functions of time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from collectors.simulator import Simulator, behaviour
from collectors.simulator.behaviour import CANARY_PERIOD_S, Episode

from .helpers import AFTERNOON, NIGHT, at, edge


def _rps(records, source: str, destination: str) -> float:
    sample = edge(records, source, destination)
    return sample.requests / sample.interval_s


def test_afternoon_carries_more_traffic_than_night() -> None:
    sim = Simulator()
    day = _rps(sim.records_at(AFTERNOON), "istio-ingressgateway", "productpage-v1")
    night = _rps(sim.records_at(NIGHT), "istio-ingressgateway", "productpage-v1")
    assert day > 2.5 * night
    assert night > 0


def test_load_never_drops_to_zero() -> None:
    factors = [behaviour.load_factor(h * 900.0) for h in range(96)]
    assert min(factors) >= behaviour.LOAD_MIN > 0
    assert max(factors) == pytest.approx(behaviour.LOAD_MAX, rel=1e-3)


def test_noise_stays_within_ten_percent() -> None:
    sim = Simulator()
    rates = [
        _rps(sim.records_at(AFTERNOON + timedelta(seconds=15 * i)), "unknown", "orders")
        for i in range(40)
    ]
    assert len(set(rates)) > 30  # it does move
    assert min(rates) >= 0.25 * 0.9 - 1e-9
    assert max(rates) <= 0.25 * 1.1 + 1e-9


def test_canary_goes_from_zero_past_a_third_and_back_within_its_period() -> None:
    sim = Simulator()
    start = (AFTERNOON.timestamp() // CANARY_PERIOD_S) * CANARY_PERIOD_S
    weights = [sim.canary_weight(at(start + m * 60.0)) for m in range(41)]
    assert weights[0] == 0.0 and weights[-1] == 0.0
    assert max(weights) > 0.3
    peak = weights.index(max(weights))
    assert all(a <= b for a, b in zip(weights[:peak], weights[1 : peak + 1], strict=True))
    assert all(a >= b for a, b in zip(weights[peak:-1], weights[peak + 1 :], strict=True))


def test_reviews_traffic_follows_the_canary() -> None:
    sim = Simulator()
    start = (AFTERNOON.timestamp() // CANARY_PERIOD_S) * CANARY_PERIOD_S
    peak = sim.records_at(at(start + 1350.0))
    idle = sim.records_at(at(start + 120.0))
    shares = {v: _rps(peak, "productpage-v1", f"reviews-{v}") for v in ("v1", "v2", "v3")}
    total = sum(shares.values())
    assert shares["v3"] / total == pytest.approx(0.5, abs=0.01)
    assert shares["v2"] / total == pytest.approx(0.3, abs=0.01)
    # With no canary weight there is no v3 traffic at all, so its edges are absent.
    idle_destinations = {e.destination.workload for e in idle.edges}
    assert "reviews-v3" not in idle_destinations
    assert "reviews-v2" in idle_destinations


@pytest.mark.parametrize(
    ("ts", "expected"),
    [(300.0, True), (419.0, True), (420.0, False), (299.0, False), (1680.0 + 30.0, True)],
)
def test_episode_windows_recur_from_the_epoch(ts: float, expected: bool) -> None:
    assert behaviour.RATINGS_OUTAGE.active(ts) is expected


def test_episode_overlap_is_the_covered_fraction() -> None:
    episode = Episode("x", period_s=100.0, offset_s=10.0, duration_s=20.0)
    assert episode.overlap(0.0, 10.0) == 0.0
    assert episode.overlap(10.0, 30.0) == 1.0
    assert episode.overlap(20.0, 40.0) == pytest.approx(0.5)
    assert episode.overlap(0.0, 200.0) == pytest.approx(0.2)  # two whole windows
