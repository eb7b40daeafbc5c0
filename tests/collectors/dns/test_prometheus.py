"""CoreDNS from a real Prometheus backfilled with both metric-name generations."""

from __future__ import annotations

import pytest

from collectors.dns import coredns
from collectors.prometheus import PrometheusClient
from collectors.records import DnsSample, DnsZoneSample
from tests.collectors.dns.conftest import AT
from tests.collectors.dns.series import (
    NEW,
    NEW_CLUSTER_BUCKETS_S,
    NEW_ROOT_BUCKETS_S,
    OLD,
    OLD_BUCKETS_S,
    SERVER,
    UP_A,
    UP_B,
)
from webapp.traffic.histogram import from_cumulative, quantile, scale

INTERVAL = 15.0


def instance(cycle, name: str) -> DnsSample:
    found = [d for d in cycle.dns if d.instance == name]
    assert len(found) == 1, [d.instance for d in cycle.dns]
    return found[0]


def zone(sample: DnsSample, server: str, name: str) -> DnsZoneSample:
    return next(z for z in sample.zones if (z.server, z.zone) == (server, name))


def counts(expected: dict[str, float]) -> dict[str, float]:
    """Expected counts over the interval, compared within float rounding."""
    return {k: pytest.approx(v, rel=1e-6) for k, v in expected.items()}


def test_it_finds_both_instances_and_their_zones(dns_cycle):
    assert {d.instance for d in dns_cycle.dns} == {NEW, OLD}
    assert {(z.server, z.zone) for z in instance(dns_cycle, NEW).zones} == {
        (SERVER, "."),
        (SERVER, "cluster.local."),
    }
    assert [(z.server, z.zone) for z in instance(dns_cycle, OLD).zones] == [("", ".")]
    assert all(d.interval_s == INTERVAL for d in dns_cycle.dns)
    assert not [g for g in dns_cycle.gaps if g.startswith("coredns")]


def test_new_names_give_requests_rcodes_and_nxdomain_by_plugin(dns_cycle):
    root = zone(instance(dns_cycle, NEW), SERVER, ".")
    assert root.requests / INTERVAL == pytest.approx(10.0, rel=1e-6)
    assert root.requests_by_type == counts({"A": 7.0 * INTERVAL, "AAAA": 3.0 * INTERVAL})
    assert root.requests_by_proto == counts({"udp": 9.0 * INTERVAL, "tcp": 1.0 * INTERVAL})
    rcodes = {"NOERROR": 6.0, "NXDOMAIN": 3.0, "SERVFAIL": 0.5, "REFUSED": 0.25, "FORMERR": 0.25}
    assert root.responses_by_rcode == counts({k: v * INTERVAL for k, v in rcodes.items()})
    assert root.nxdomain_by_plugin == counts({"cache": 2 * INTERVAL, "kubernetes": INTERVAL})


def test_old_names_give_the_same_shape(dns_cycle):
    root = zone(instance(dns_cycle, OLD), "", ".")
    assert root.requests / INTERVAL == pytest.approx(6.0, rel=1e-6)
    assert root.requests_by_type == counts({"A": 4 * INTERVAL, "AAAA": 2 * INTERVAL})
    assert root.requests_by_proto == counts({"udp": 5 * INTERVAL, "tcp": 1 * INTERVAL})
    assert root.responses_by_rcode == counts({"NOERROR": 3 * INTERVAL, "NXDOMAIN": 3 * INTERVAL})
    assert root.nxdomain_by_plugin == {}


@pytest.mark.parametrize(
    ("name", "server", "zone_name", "buckets"),
    [
        (NEW, SERVER, ".", NEW_ROOT_BUCKETS_S),
        (NEW, SERVER, "cluster.local.", NEW_CLUSTER_BUCKETS_S),
        (OLD, "", ".", OLD_BUCKETS_S),
    ],
)
def test_durations_are_histograms_in_ms(dns_cycle, name, server, zone_name, buckets):
    latency = zone(instance(dns_cycle, name), server, zone_name).latency
    expected = scale(from_cumulative(buckets), "s")
    assert latency is not None and latency.bounds_ms == expected.bounds_ms
    assert [c / INTERVAL for c in latency.counts] == pytest.approx(expected.counts, rel=1e-6)


def test_percentiles_match_prometheus_histogram_quantile(dns_cycle, dns_prometheus):
    latency = zone(instance(dns_cycle, NEW), SERVER, ".").latency
    client = PrometheusClient(dns_prometheus.url)
    for q in (0.5, 0.95, 0.99):
        promql = (
            f"histogram_quantile({q}, sum by (le) (rate(coredns_dns_request_duration_seconds_bucket"
            f'{{instance="{NEW}",zone="."}}[60s])))'
        )
        (answer,) = client.query(promql, AT)
        assert quantile(q, latency) == pytest.approx(answer.value * 1000, rel=1e-6)


def test_cache_numbers_for_both_generations(dns_cycle):
    new = zone(instance(dns_cycle, NEW), SERVER, ".")
    assert (new.cache_hits_success / INTERVAL, new.cache_hits_denial / INTERVAL) == (
        pytest.approx(4.0), pytest.approx(2.0))  # fmt: skip
    # No misses counter: derived from cache requests (8) minus hits (6).
    assert new.cache_misses / INTERVAL == pytest.approx(2.0)
    assert new.cache_entries == 150.0  # a gauge, not a rate
    assert zone(instance(dns_cycle, NEW), SERVER, "cluster.local.").cache_entries is None
    old = zone(instance(dns_cycle, OLD), "", ".")  # unlabelled cache rows: the only zone
    assert old.cache_misses / INTERVAL == pytest.approx(3.0)
    assert (old.cache_hits_success / INTERVAL, old.cache_entries) == (pytest.approx(1.0), 50.0)


def test_upstreams_from_the_proxy_histogram_and_the_old_forward_counters(dns_cycle):
    new = {u.upstream: u for u in instance(dns_cycle, NEW).upstreams}
    assert new[UP_A].requests / INTERVAL == pytest.approx(6.0, rel=1e-6)
    assert new[UP_A].responses_by_rcode == counts({"NOERROR": 5 * INTERVAL, "SERVFAIL": INTERVAL})
    assert new[UP_A].latency is not None and new[UP_A].latency.bounds_ms[0] == 4.0
    assert new[UP_B].healthcheck_failures / INTERVAL == pytest.approx(0.1, rel=1e-6)
    (old,) = instance(dns_cycle, OLD).upstreams
    assert (old.upstream, old.requests / INTERVAL) == (UP_A, pytest.approx(2.0, rel=1e-6))
    assert old.responses_by_rcode == counts({"NOERROR": 1.5 * INTERVAL, "SERVFAIL": 0.5 * INTERVAL})
    assert old.healthcheck_failures / INTERVAL == pytest.approx(0.05, rel=1e-6)


def test_panics_under_either_name(dns_cycle):
    assert instance(dns_cycle, NEW).panics / INTERVAL == pytest.approx(0.01, rel=1e-6)
    assert instance(dns_cycle, OLD).panics == 0.0


def test_the_query_set_is_fixed_and_small(dns_prometheus):
    client = PrometheusClient(dns_prometheus.url)
    names = client.metric_names()
    planned = coredns.queries(60, names)
    assert len(planned) == len(coredns.FAMILIES) == 14
    assert all("instance" in q.promql and "[60s]" in q.promql for q in planned if "cache_entries"
               not in q.metric)  # fmt: skip


def test_fetch_range_gives_the_same_records_as_fetch(dns_prometheus, dns_cycle):
    from collectors.mesh import MeshTelemetrySource

    source = MeshTelemetrySource(dns_prometheus.url)
    ranged = source.fetch_range([AT], INTERVAL)[AT]
    assert {d.instance for d in ranged.dns} == {NEW, OLD}
    assert zone(instance(ranged, NEW), SERVER, ".").requests == pytest.approx(
        zone(instance(dns_cycle, NEW), SERVER, ".").requests, rel=1e-6
    )
