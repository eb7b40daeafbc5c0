"""Two CoreDNS instances as backfill series, one per metric-name generation, with known rates.

`new` (CoreDNS ≥ 1.11 names): server dns://:53 with zones "." and "cluster.local.", the
plugin label on responses, cache requests instead of misses, upstreams only through the
`coredns_proxy_request_duration_seconds` histogram. `old` (the 1.1.0-era names of the
fixture): no server label, request counts by proto and by type apart, rcode counts,
`coredns_cache_size`, `coredns_forward_*_count_total`, `coredns_panic_count_total`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.support.openmetrics import DURATION_S, START, STEP_S, SeriesSet

NEW = "10.0.1.1:9153"
OLD = "10.0.2.2:9153"
SERVER = "dns://:53"
UP_A, UP_B = "10.0.0.2:53", "10.0.0.3:53"

# Cumulative per-second rates by `le` (seconds), for zone "." of NEW; A takes 60 %, AAAA 40 %.
NEW_ROOT_BUCKETS_S = {"0.00025": 3.0, "0.0005": 6.0, "0.001": 8.0, "0.002": 9.0,
                      "0.004": 9.5, "+Inf": 10.0}  # fmt: skip
NEW_CLUSTER_BUCKETS_S = {"0.00025": 2.0, "0.0005": 3.5, "+Inf": 4.0}
OLD_BUCKETS_S = {"0.00025": 1.0, "0.001": 3.0, "0.008": 5.0, "0.016": 6.0, "+Inf": 6.0}
NEW_UPSTREAM_BUCKETS_S = {"0.004": 1.0, "0.016": 4.0, "0.064": 5.5, "+Inf": 6.0}
OLD_UPSTREAM_BUCKETS_S = {"0.008": 0.5, "0.032": 1.5, "+Inf": 2.0}


@dataclass
class DnsSeriesSet(SeriesSet):
    """Counters as SeriesSet writes them, plus constant gauges (cache entries)."""

    gauges: dict[str, list[tuple[dict[str, str], float]]] = field(default_factory=dict)

    def gauge(self, name: str, labels: dict[str, str], value: float) -> None:
        """A gauge `name{labels}` holding `value` at every step."""
        self.gauges.setdefault(name, []).append((labels, value))

    def openmetrics(self) -> str:
        counters = super().openmetrics().removesuffix("# EOF\n")
        lines = []
        for name in sorted(self.gauges):
            for labels, value in self.gauges[name]:
                text = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
                for step in range(DURATION_S // STEP_S + 1):
                    lines.append(f"{name}{{{text}}} {value!r} {START + step * STEP_S}")
        return counters + "\n".join(lines) + "\n# EOF\n"


def _add_new(s: DnsSeriesSet) -> None:
    root = {"instance": NEW, "server": SERVER, "zone": "."}
    for proto, kind, rate in (("udp", "A", 6.0), ("udp", "AAAA", 3.0), ("tcp", "A", 1.0)):
        s.counter(
            "coredns_dns_requests_total",
            {**root, "proto": proto, "type": kind, "family": "1"},
            rate,
        )
    for rcode, plugin, rate in (
        ("NOERROR", "forward", 6.0),
        ("NXDOMAIN", "cache", 2.0),
        ("NXDOMAIN", "kubernetes", 1.0),
        ("SERVFAIL", "", 0.5),
        ("REFUSED", "", 0.25),
        ("FORMERR", "", 0.25),
    ):
        labels = {**root, "rcode": rcode, **({"plugin": plugin} if plugin else {})}
        s.counter("coredns_dns_responses_total", labels, rate)
    for kind, share in (("A", 0.6), ("AAAA", 0.4)):
        s.histogram(
            "coredns_dns_request_duration_seconds",
            {**root, "type": kind},
            {le: rate * share for le, rate in NEW_ROOT_BUCKETS_S.items()},
        )
    cache = {"instance": NEW, "server": SERVER, "zones": "."}
    s.counter("coredns_cache_hits_total", {**cache, "type": "success"}, 4.0)
    s.counter("coredns_cache_hits_total", {**cache, "type": "denial"}, 2.0)
    s.counter("coredns_cache_requests_total", cache, 8.0)
    s.gauge("coredns_cache_entries", {**cache, "type": "success"}, 120.0)
    s.gauge("coredns_cache_entries", {**cache, "type": "denial"}, 30.0)
    cluster = {"instance": NEW, "server": SERVER, "zone": "cluster.local."}
    s.counter("coredns_dns_requests_total", {**cluster, "proto": "udp", "type": "A"}, 4.0)
    s.counter(
        "coredns_dns_responses_total", {**cluster, "rcode": "NOERROR", "plugin": "kubernetes"}, 3.0
    )
    s.counter(
        "coredns_dns_responses_total", {**cluster, "rcode": "NXDOMAIN", "plugin": "kubernetes"}, 1.0
    )
    s.histogram("coredns_dns_request_duration_seconds", cluster, NEW_CLUSTER_BUCKETS_S)
    proxy = {"instance": NEW, "to": UP_A, "proxy_name": "forward"}
    s.histogram(
        "coredns_proxy_request_duration_seconds",
        {**proxy, "rcode": "NOERROR"},
        {le: r * 5 / 6 for le, r in NEW_UPSTREAM_BUCKETS_S.items()},
    )
    s.histogram(
        "coredns_proxy_request_duration_seconds",
        {**proxy, "rcode": "SERVFAIL"},
        {le: r / 6 for le, r in NEW_UPSTREAM_BUCKETS_S.items()},
    )
    s.counter("coredns_proxy_request_duration_seconds_count", {**proxy, "rcode": "NOERROR"}, 5.0)
    s.counter("coredns_proxy_request_duration_seconds_count", {**proxy, "rcode": "SERVFAIL"}, 1.0)
    s.counter(
        "coredns_proxy_healthcheck_failures_total",
        {"instance": NEW, "to": UP_B, "proxy_name": "forward"},
        0.1,
    )
    s.counter("coredns_panics_total", {"instance": NEW}, 0.01)


def _add_old(s: DnsSeriesSet) -> None:
    root = {"instance": OLD, "zone": "."}
    s.counter("coredns_dns_request_count_total", {**root, "proto": "udp", "family": "1"}, 5.0)
    s.counter("coredns_dns_request_count_total", {**root, "proto": "tcp", "family": "1"}, 1.0)
    s.counter("coredns_dns_request_type_count_total", {**root, "type": "A"}, 4.0)
    s.counter("coredns_dns_request_type_count_total", {**root, "type": "AAAA"}, 2.0)
    s.counter("coredns_dns_response_rcode_count_total", {**root, "rcode": "NOERROR"}, 3.0)
    s.counter("coredns_dns_response_rcode_count_total", {**root, "rcode": "NXDOMAIN"}, 3.0)
    s.histogram("coredns_dns_request_duration_seconds", root, OLD_BUCKETS_S)
    s.counter("coredns_cache_hits_total", {"instance": OLD, "type": "success"}, 1.0)
    s.counter("coredns_cache_hits_total", {"instance": OLD, "type": "denial"}, 2.0)
    s.counter("coredns_cache_misses_total", {"instance": OLD}, 3.0)
    s.gauge("coredns_cache_size", {"instance": OLD, "type": "success"}, 40.0)
    s.gauge("coredns_cache_size", {"instance": OLD, "type": "denial"}, 10.0)
    up = {"instance": OLD, "to": UP_A}
    s.counter("coredns_forward_request_count_total", up, 2.0)
    s.counter("coredns_forward_response_rcode_count_total", {**up, "rcode": "NOERROR"}, 1.5)
    s.counter("coredns_forward_response_rcode_count_total", {**up, "rcode": "SERVFAIL"}, 0.5)
    s.histogram("coredns_forward_request_duration_seconds", up, OLD_UPSTREAM_BUCKETS_S)
    s.counter("coredns_forward_healthcheck_failure_count_total", up, 0.05)
    s.counter("coredns_panic_count_total", {"instance": OLD}, 0.0)


def coredns_series() -> DnsSeriesSet:
    """Both instances in one Prometheus, as during an upgrade."""
    series = DnsSeriesSet()
    _add_new(series)
    _add_old(series)
    return series
