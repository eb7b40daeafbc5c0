"""Every anomaly the demo promises exists, at its documented time."""

from __future__ import annotations

import math

import pytest

from collectors.simulator import Simulator
from collectors.simulator.behaviour import CHECKOUT_4XX, PAYMENTS_SLOW, RATINGS_OUTAGE, Episode
from collectors.simulator.topology import DOUGHNUT_SHARE

from .helpers import AFTERNOON, at, edge


def _inside(episode: Episode, canary_on: bool = False) -> float:
    """End of a 15 s interval wholly inside one of the episode's windows after AFTERNOON.

    With `canary_on`, the first such window during which reviews-v3 gets traffic.
    """
    k = math.floor((AFTERNOON.timestamp() - episode.offset_s) / episode.period_s)
    while True:
        ts = k * episode.period_s + episode.offset_s + 30.0
        if not canary_on or Simulator().canary_weight(at(ts)) > 0.1:
            return ts
        k += 1


def _outside(episode: Episode) -> float:
    return _inside(episode) - 120.0 if episode.offset_s > 150 else _inside(episode) + 300.0


@pytest.mark.parametrize("reviews", ["reviews-v2", "reviews-v3"])
def test_ratings_fails_during_its_outage_and_not_otherwise(reviews: str) -> None:
    sim = Simulator()
    ts = _inside(RATINGS_OUTAGE, canary_on=True)  # reviews-v3 calls ratings only then
    burst = edge(sim.records_at(at(ts)), reviews, "ratings-v1")
    calm = edge(sim.records_at(at(ts - 60.0)), reviews, "ratings-v1")  # before it opens
    assert burst.errors_5xx / burst.requests == pytest.approx(0.35, abs=0.01)
    assert burst.no_response / burst.requests == pytest.approx(0.05, abs=1e-6)
    assert calm.errors_5xx / calm.requests < 0.01
    assert calm.no_response == 0.0


def test_ratings_outage_times_are_as_documented() -> None:
    # Every 23 minutes from the epoch, offset 5 minutes, lasting 2 minutes.
    assert (RATINGS_OUTAGE.period_s, RATINGS_OUTAGE.offset_s, RATINGS_OUTAGE.duration_s) == (
        1380.0,
        300.0,
        120.0,
    )


def test_partial_overlap_scales_the_burst() -> None:
    sim = Simulator()
    start = _inside(RATINGS_OUTAGE) - 30.0  # the window opens here
    half = edge(sim.records_at(at(start + 7.5)), "reviews-v2", "ratings-v1")
    assert half.errors_5xx / half.requests == pytest.approx(0.35 / 2, abs=0.01)


def test_checkout_4xx_window() -> None:
    sim = Simulator()
    bad = edge(sim.records_at(at(_inside(CHECKOUT_4XX))), "storefront", "orders")
    good = edge(sim.records_at(at(_outside(CHECKOUT_4XX))), "storefront", "orders")
    assert bad.errors_4xx / bad.requests > 0.15
    assert good.errors_4xx / good.requests < 0.02


def _median_bucket(sample) -> float:
    running = 0.0
    for bound, count in zip(sample.latency.bounds_ms, sample.latency.counts, strict=True):
        running += count
        if running >= sample.requests / 2:
            return bound
    raise AssertionError("histogram does not reach half the requests")


def test_payments_latency_spike() -> None:
    sim = Simulator()
    slow = edge(sim.records_at(at(_inside(PAYMENTS_SLOW))), "orders", "payments")
    normal = edge(sim.records_at(at(_outside(PAYMENTS_SLOW))), "orders", "payments")
    assert _median_bucket(normal) == 250.0  # median 120 ms
    assert _median_bucket(slow) == 1000.0  # median 600 ms


def test_orphan_service_selects_no_pod_and_its_callers_get_503() -> None:
    records = Simulator().records_at(AFTERNOON)
    service = next(s for s in records.inventory.services if s.name == "recommendations")
    matching = [
        p
        for p in records.inventory.pods
        if p.namespace == service.namespace
        and all(p.labels.get(k) == v for k, v in service.selector.items())
    ]
    assert matching == []
    calls = edge(records, "storefront", "recommendations")
    assert calls.destination.is_unknown and calls.destination.service == "recommendations"
    assert calls.errors_5xx == pytest.approx(calls.requests)


def test_one_meshed_namespace_pod_runs_without_its_sidecar() -> None:
    inventory = Simulator().inventory_at(AFTERNOON)
    injected = {
        ns.name for ns in inventory.namespaces if ns.labels.get("istio-injection") == "enabled"
    }
    bare = [p for p in inventory.pods if p.namespace in injected and not p.sidecar]
    assert [p.workload for p in bare] == ["legacy-reports"]
    assert "security.istio.io/tlsMode" not in bare[0].labels


def test_plaintext_client_arrives_unknown_without_mtls() -> None:
    records = Simulator().records_at(AFTERNOON)
    plaintext = edge(records, "unknown", "orders")
    assert plaintext.source.is_unknown and plaintext.source.namespace == "unknown"
    assert plaintext.requests > 0 and plaintext.mtls_requests == 0.0
    shop_ns = next(n for n in records.inventory.namespaces if n.name == "shop")
    assert shop_ns.labels["meshwatch.io/peer-authentication"] == "PERMISSIVE"


def test_meshed_edges_are_all_mtls() -> None:
    for sample in Simulator().records_at(AFTERNOON).edges:
        if sample.protocol == "tcp" or sample.source.is_unknown:
            continue
        assert sample.mtls_requests == sample.requests, sample


def test_doughnut_votes_fail_as_grpc_errors_and_http_500s() -> None:
    records = Simulator().records_at(AFTERNOON)
    voting = edge(records, "web", "voting")
    bot = edge(records, "vote-bot", "web")
    assert voting.protocol == "grpc" and voting.mesh == "linkerd"
    assert voting.errors_grpc == pytest.approx(voting.requests * DOUGHNUT_SHARE)
    assert voting.errors_5xx == 0.0
    assert bot.errors_5xx == pytest.approx(voting.errors_grpc)
    assert all(e.mtls_requests == e.requests for e in records.edges if e.mesh == "linkerd")


def test_error_classes_never_exceed_requests() -> None:
    sim = Simulator()
    for minute in range(0, 60, 3):
        for sample in sim.records_at(at(_inside(RATINGS_OUTAGE) + minute * 60.0)).edges:
            errors = sample.errors_4xx + sample.errors_5xx + sample.no_response
            assert 0.0 <= errors <= sample.requests + 1e-9
            assert 0.0 <= sample.errors_grpc <= sample.requests + 1e-9
