"""The simulator's DNS: deterministic, consistent with its world, and showing the story."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collectors.simulator import Simulator
from collectors.simulator.dns import UPSTREAM_BLIP, UPSTREAMS

AFTERNOON = datetime(2026, 11, 2, 14, 0, 0, tzinfo=UTC)


def blip_time() -> datetime:
    """A cycle end inside an upstream blip."""
    period = UPSTREAM_BLIP.period_s
    base = int(AFTERNOON.timestamp() // period * period + UPSTREAM_BLIP.offset_s + 30)
    return datetime.fromtimestamp(base, tz=UTC)


def test_same_seed_and_time_give_equal_dns():
    assert Simulator(7).records_at(AFTERNOON).dns == Simulator(7).records_at(AFTERNOON).dns


def test_earlier_calls_do_not_change_it():
    fresh = Simulator(7).records_at(AFTERNOON).dns
    used = Simulator(7)
    for minutes in (-90, 5, 0):
        used.records_at(AFTERNOON + timedelta(minutes=minutes))
    assert used.records_at(AFTERNOON).dns == fresh


def test_two_coredns_replicas_answer_as_the_pods_say():
    sim = Simulator(7)
    records = sim.records_at(AFTERNOON, interval_s=15.0)
    coredns = [p for p in records.inventory.pods if p.workload == "coredns"]
    assert len(coredns) == 2
    assert sorted(d.instance for d in records.dns) == sorted(f"{p.ip}:9153" for p in coredns)
    for sample in records.dns:
        (zone,) = sample.zones
        assert (zone.server, zone.zone, sample.interval_s) == ("dns://:53", ".", 15.0)
        assert sum(zone.responses_by_rcode.values()) == pytest.approx(zone.requests)
        assert zone.latency is not None and zone.latency.total == pytest.approx(zone.requests)
        hits = zone.cache_hits_success + zone.cache_hits_denial
        assert hits + zone.cache_misses == pytest.approx(zone.requests)
        assert {u.upstream for u in sample.upstreams} == set(UPSTREAMS)


def test_search_path_expansion_shows_as_nxdomain_from_the_kubernetes_plugin():
    (first, *_) = Simulator(7).records_at(AFTERNOON).dns
    zone = first.zones[0]
    share = zone.responses_by_rcode["NXDOMAIN"] / zone.requests
    assert 0.05 < share < 0.5
    assert zone.nxdomain_by_plugin["kubernetes"] > 0
    assert zone.requests_by_type["A"] == zone.requests_by_type["AAAA"]  # glibc asks both


def test_an_upstream_blips_now_and_then():
    quiet = Simulator(7).records_at(AFTERNOON).dns
    assert all(u.healthcheck_failures == 0 for d in quiet for u in d.upstreams)
    assert all("SERVFAIL" not in d.zones[0].responses_by_rcode for d in quiet)
    blip = Simulator(7).records_at(blip_time()).dns
    for sample in blip:
        failing = {u.upstream: u for u in sample.upstreams}[UPSTREAMS[1]]
        assert failing.healthcheck_failures > 0 and failing.responses_by_rcode["SERVFAIL"] > 0
        assert sample.zones[0].responses_by_rcode["SERVFAIL"] == pytest.approx(
            failing.responses_by_rcode["SERVFAIL"]
        )
