"""CoreDNS 1.1.0's real /metrics (pre-1.7 names) read into the expected DNS record."""

from __future__ import annotations

import pytest

from collectors.dns import coredns
from tests.collectors.dns.exposition import query_rows, read
from webapp.traffic.histogram import quantile

FIXTURE = "prometheus/coredns-1.1.0.datadog-fixture.excerpt.txt"
RENAMES = "prometheus/coredns-metric-renames-1.7.0.release-notes-excerpt.md"
INSTANCE = "10.1.0.5:9153"


@pytest.fixture(scope="module")
def sample():
    rows = query_rows(read(FIXTURE), {"instance": INSTANCE})
    samples, gaps = coredns.parse(rows, interval_s=1.0)
    assert gaps == []
    (only,) = samples
    return only


def test_requests_by_proto_and_type(sample):
    (root,) = sample.zones
    assert (sample.instance, root.server, root.zone) == (INSTANCE, "", ".")
    assert root.requests == 8_219_674  # udp 8,219,670 + tcp 4
    assert root.requests_by_proto == {"udp": 8_219_670, "tcp": 4}
    assert root.requests_by_type == {"A": 4_898_455, "AAAA": 3_321_219}
    assert root.responses_by_rcode == {"NOERROR": 2_011_725, "NXDOMAIN": 6_207_949}


def test_duration_histogram_in_ms(sample):
    latency = sample.zones[0].latency
    assert latency is not None
    assert latency.bounds_ms[:3] == (0.25, 0.5, 1.0) and latency.bounds_ms[-2] == 8192.0
    assert latency.total == 8_219_674
    assert latency.counts[0] == 7_794_767
    # 94.8 % of the answers took at most 0.25 ms: the median is inside the first bucket.
    median = quantile(0.5, latency)
    assert median is not None and 0 < median <= 0.25


def test_cache_from_pre_1_7_names(sample):
    root = sample.zones[0]
    assert (root.cache_hits_success, root.cache_hits_denial) == (167_389, 8_051_403)
    assert root.cache_misses == 882
    assert root.cache_entries == 52 + 836  # coredns_cache_size, now coredns_cache_entries


def test_the_old_proxy_plugin_is_an_upstream(sample):
    (upstream,) = sample.upstreams
    assert (upstream.upstream, upstream.requests) == ("10.205.0.2:53", 2031)
    assert upstream.responses_by_rcode == {}  # the proxy plugin did not count rcodes
    assert upstream.latency is not None and upstream.latency.total == 2031
    assert sample.panics == 0


def test_every_renamed_family_we_read_is_queried_under_both_names():
    text = read(RENAMES)
    queried = {name for family in coredns.FAMILIES for name in family.names}
    for old, new in (
        ("coredns_dns_request_count_total", "coredns_dns_requests_total"),
        ("coredns_dns_response_rcode_count_total", "coredns_dns_responses_total"),
        ("coredns_forward_request_count_total", "coredns_forward_requests_total"),
        ("coredns_forward_response_rcode_count_total", "coredns_forward_responses_total"),
        ("coredns_forward_healthcheck_failure_count_total",
         "coredns_forward_healthcheck_failures_total"),
        ("coredns_panic_count_total", "coredns_panics_total"),
        ("coredns_cache_size", "coredns_cache_entries"),
    ):  # fmt: skip
        assert f"`{old}` -\\> `{new}`" in text
        assert {old, new} <= queried
