"""CoreDNS through Prometheus → DNS records: the fixed queries of one cycle and their parser.

One cycle asks one query per family below, over every CoreDNS instance at once, at the cycle's
explicit time (`rate(...[range])`, at least a minute, as the mesh queries do). Each family
names every metric name CoreDNS has used for it, so one query reads old and new instances
alike (a cluster mid-upgrade has both); the names come from the metrics and cache plugin
READMEs and the 1.7.0 rename notes (tests/fixtures/prometheus/coredns-*.md):

- requests: `coredns_dns_requests_total` (≥ 1.7, with `type`), `coredns_dns_request_count_total`
  (< 1.7, without it); the old per-type counter `coredns_dns_request_type_count_total` apart,
  since adding it to the other would count each request twice.
- responses: `coredns_dns_responses_total` (with `plugin`), before 1.7
  `coredns_dns_response_rcode_count_total`.
- cache: `coredns_cache_hits_total`, `coredns_cache_misses_total`, `coredns_cache_requests_total`,
  and the gauge `coredns_cache_entries`, before 1.7 `coredns_cache_size`. Before 1.7 the cache
  carries no `server`/`zones` labels; it is then given to the instance's one zone.
- upstreams: `coredns_forward_*` (both spellings), the old `proxy` plugin's
  `coredns_proxy_request_count_total`, and since 1.11 `coredns_proxy_request_duration_seconds`
  whose `_count` by `rcode` is the only request and rcode count left.
- panics: `coredns_panics_total`, before 1.7 `coredns_panic_count_total`.
Durations are histograms in seconds; their bounds become milliseconds here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from collectors.mesh.common import MeshQuery
from collectors.prometheus import Sample, split_finite
from collectors.records import DnsSample, DnsUpstreamSample, DnsZoneSample, Histogram
from webapp.traffic.histogram import from_cumulative, parse_bound, to_ms

DIALECT = "coredns"


@dataclass(frozen=True)
class Family:
    """One query of the cycle: every name CoreDNS used for a quantity, and its group-by labels.

    `rate` is False for gauges, which are read as they are at the cycle time.
    """

    key: str
    names: tuple[str, ...]
    labels: tuple[str, ...]
    rate: bool = True


REQUESTS = "requests"
REQUEST_TYPES = "request_types"
RESPONSES = "responses"
DURATION = "duration"
CACHE_HITS = "cache_hits"
CACHE_MISSES = "cache_misses"
CACHE_REQUESTS = "cache_requests"
CACHE_ENTRIES = "cache_entries"
UP_REQUESTS = "upstream_requests"
UP_RESPONSES = "upstream_responses"
UP_DURATION = "upstream_duration"
UP_COUNTS = "upstream_counts"
UP_HEALTH = "upstream_healthcheck_failures"
PANICS = "panics"

ZONE = ("server", "zone")
CACHE = ("server", "zones")
FAMILIES: tuple[Family, ...] = (
    Family(REQUESTS, ("coredns_dns_requests_total", "coredns_dns_request_count_total"),
           (*ZONE, "proto", "type")),
    Family(REQUEST_TYPES, ("coredns_dns_request_type_count_total",), (*ZONE, "type")),
    Family(RESPONSES, ("coredns_dns_responses_total", "coredns_dns_response_rcode_count_total"),
           (*ZONE, "rcode", "plugin")),
    Family(DURATION, ("coredns_dns_request_duration_seconds_bucket",), (*ZONE, "le")),
    Family(CACHE_HITS, ("coredns_cache_hits_total",), (*CACHE, "type")),
    Family(CACHE_MISSES, ("coredns_cache_misses_total",), CACHE),
    Family(CACHE_REQUESTS, ("coredns_cache_requests_total",), CACHE),
    Family(CACHE_ENTRIES, ("coredns_cache_entries", "coredns_cache_size"), (*CACHE, "type"),
           rate=False),
    Family(UP_REQUESTS, ("coredns_forward_requests_total", "coredns_forward_request_count_total",
                         "coredns_proxy_request_count_total"), ("to",)),
    Family(UP_RESPONSES, ("coredns_forward_responses_total",
                          "coredns_forward_response_rcode_count_total"), ("to", "rcode")),
    Family(UP_DURATION, ("coredns_forward_request_duration_seconds_bucket",
                         "coredns_proxy_request_duration_seconds_bucket"), ("to", "le")),
    Family(UP_COUNTS, ("coredns_proxy_request_duration_seconds_count",), ("to", "rcode")),
    Family(UP_HEALTH, ("coredns_forward_healthcheck_failures_total",
                       "coredns_forward_healthcheck_failure_count_total",
                       "coredns_proxy_healthcheck_failures_total"), ("to",)),
    Family(PANICS, ("coredns_panics_total", "coredns_panic_count_total"), ()),
)  # fmt: skip
FAMILY = {family.key: family for family in FAMILIES}


def queries(range_s: int, available: frozenset[str] | None = None) -> list[MeshQuery]:
    """The cycle's queries (one per family); names absent from `available` are left out."""
    result = []
    for family in FAMILIES:
        names = [n for n in family.names if available is None or n in available]
        if not names:
            continue
        selector = names[0] if len(names) == 1 else f'{{__name__=~"{"|".join(names)}"}}'
        inner = f"rate({selector}[{range_s}s])" if family.rate else selector
        by = ",".join(("instance", *family.labels))
        result.append(MeshQuery(family.key, f"sum by ({by}) ({inner})"))
    return result


@dataclass
class _Zone:
    """One zone's totals while rows are folded in."""

    requests: float = 0.0
    by_type: dict[str, float] = field(default_factory=dict)
    old_types: dict[str, float] = field(default_factory=dict)
    by_proto: dict[str, float] = field(default_factory=dict)
    rcodes: dict[str, float] = field(default_factory=dict)
    nxdomain_by_plugin: dict[str, float] = field(default_factory=dict)
    buckets: dict[float, float] = field(default_factory=dict)
    hits: dict[str, float] = field(default_factory=dict)
    misses: float | None = None
    cache_requests: float | None = None
    entries: float | None = None

    def sample(self, server: str, zone: str) -> DnsZoneSample:
        """The record of these totals."""
        types = self.by_type or self.old_types
        requests = self.requests or math.fsum(types.values())
        hits = math.fsum(self.hits.values())
        misses = self.misses
        if misses is None:
            # 1.11 deprecated the misses counter: derive it from requests, as its README says.
            misses = max(self.cache_requests - hits, 0.0) if self.cache_requests else 0.0
        return DnsZoneSample(
            server=server, zone=zone, requests=requests, requests_by_type=types,
            requests_by_proto=self.by_proto, responses_by_rcode=self.rcodes,
            nxdomain_by_plugin=self.nxdomain_by_plugin, latency=_histogram(self.buckets),
            cache_hits_success=self.hits.get("success", 0.0),
            cache_hits_denial=self.hits.get("denial", 0.0), cache_misses=misses,
            cache_entries=self.entries,
        )  # fmt: skip


@dataclass
class _Upstream:
    """One upstream's totals while rows are folded in."""

    counted: float = 0.0
    rcodes: dict[str, float] = field(default_factory=dict)
    counted_by_rcode: dict[str, float] = field(default_factory=dict)
    buckets: dict[float, float] = field(default_factory=dict)
    healthcheck_failures: float = 0.0

    def sample(self, upstream: str) -> DnsUpstreamSample:
        """The record; requests are the largest of the counts the generations offer."""
        latency = _histogram(self.buckets)
        observed = latency.total if latency else 0.0
        requests = max(self.counted, math.fsum(self.counted_by_rcode.values()), observed)
        rcodes = self.rcodes or {k: v for k, v in self.counted_by_rcode.items() if k}
        return DnsUpstreamSample(upstream, requests, rcodes, latency, self.healthcheck_failures)


@dataclass
class _Instance:
    zones: dict[tuple[str, str], _Zone] = field(default_factory=dict)
    upstreams: dict[str, _Upstream] = field(default_factory=dict)
    panics: float = 0.0

    def zone(self, labels: Mapping[str, str]) -> _Zone:
        key = (labels.get("server", ""), labels.get("zone", ""))
        return self.zones.setdefault(key, _Zone())

    def cache_zone(self, labels: Mapping[str, str]) -> _Zone:
        """The zone a cache row belongs to; an unlabelled (pre-1.7) row goes to the only zone."""
        server, zones = labels.get("server", ""), labels.get("zones", "")
        if (server, zones) in self.zones or zones:
            return self.zones.setdefault((server, zones), _Zone())
        same = [key for key in self.zones if not server or key[0] == server]
        key = same[0] if len(same) == 1 else (server, zones)
        return self.zones.setdefault(key, _Zone())

    def upstream(self, labels: Mapping[str, str]) -> _Upstream:
        return self.upstreams.setdefault(labels.get("to", ""), _Upstream())


# A family's rows: the instance each belongs to, its labels, and its count over the interval.
Rows = Callable[[str], list[tuple[_Instance, Mapping[str, str], float]]]


def _histogram(buckets: Mapping[float, float]) -> Histogram | None:
    if not buckets or not math.isinf(max(buckets)):
        return None
    return from_cumulative(buckets)


def _add(counts: dict[str, float], key: str, value: float) -> None:
    counts[key] = counts.get(key, 0.0) + value


def _add_bucket(buckets: dict[float, float], le: str, value: float) -> None:
    bound = to_ms((parse_bound(le),), "s")[0]
    buckets[bound] = buckets.get(bound, 0.0) + value


def parse(
    results: Mapping[str, Sequence[Sample]], interval_s: float
) -> tuple[list[DnsSample], list[str]]:
    """DNS samples (one per instance) and gap messages from the answers to `queries()`.

    Rates are multiplied by `interval_s` into counts over the interval; gauges are kept.
    Steps: 1. drop non-finite values; 2. fold the zone families (the cache last, so that
    unlabelled cache rows find their zone); 3. the upstream families; 4. panics.
    """
    gaps: list[str] = []
    instances: dict[str, _Instance] = {}

    def rows(key: str) -> list[tuple[_Instance, Mapping[str, str], float]]:
        kept, dropped = split_finite(results.get(key, ()))
        if dropped:
            gaps.append(f"{key}: dropped {dropped} non-finite value(s) (NaN or Inf)")
        scale = interval_s if FAMILY[key].rate else 1.0
        return [
            (instances.setdefault(s.labels.get("instance") or "unknown", _Instance()),
             s.labels, s.value * scale)
            for s in kept
        ]  # fmt: skip

    _fold_zones(rows)
    _fold_cache(rows)
    _fold_upstreams(rows)
    for instance, _labels, value in rows(PANICS):
        instance.panics += value
    samples = [_sample(name, inst, interval_s) for name, inst in sorted(instances.items())]
    return samples, gaps


def _fold_zones(rows: Rows) -> None:
    for inst, labels, value in rows(REQUESTS):
        zone = inst.zone(labels)
        zone.requests += value
        _add(zone.by_proto, labels.get("proto", "") or "unknown", value)
        if labels.get("type"):
            _add(zone.by_type, labels["type"], value)
    for inst, labels, value in rows(REQUEST_TYPES):
        _add(inst.zone(labels).old_types, labels.get("type", "") or "other", value)
    for inst, labels, value in rows(RESPONSES):
        zone = inst.zone(labels)
        rcode = labels.get("rcode", "") or "other"
        _add(zone.rcodes, rcode, value)
        if rcode == "NXDOMAIN" and labels.get("plugin"):
            _add(zone.nxdomain_by_plugin, labels["plugin"], value)
    for inst, labels, value in rows(DURATION):
        if "le" in labels:
            _add_bucket(inst.zone(labels).buckets, labels["le"], value)


def _fold_cache(rows: Rows) -> None:
    for inst, labels, value in rows(CACHE_HITS):
        _add(inst.cache_zone(labels).hits, labels.get("type", "") or "success", value)
    for inst, labels, value in rows(CACHE_MISSES):
        zone = inst.cache_zone(labels)
        zone.misses = (zone.misses or 0.0) + value
    for inst, labels, value in rows(CACHE_REQUESTS):
        zone = inst.cache_zone(labels)
        zone.cache_requests = (zone.cache_requests or 0.0) + value
    for inst, labels, value in rows(CACHE_ENTRIES):
        zone = inst.cache_zone(labels)
        zone.entries = (zone.entries or 0.0) + value


def _fold_upstreams(rows: Rows) -> None:
    for inst, labels, value in rows(UP_REQUESTS):
        inst.upstream(labels).counted += value
    for inst, labels, value in rows(UP_RESPONSES):
        _add(inst.upstream(labels).rcodes, labels.get("rcode", "") or "other", value)
    for inst, labels, value in rows(UP_COUNTS):
        _add(inst.upstream(labels).counted_by_rcode, labels.get("rcode", ""), value)
    for inst, labels, value in rows(UP_DURATION):
        if "le" in labels:
            _add_bucket(inst.upstream(labels).buckets, labels["le"], value)
    for inst, labels, value in rows(UP_HEALTH):
        inst.upstream(labels).healthcheck_failures += value


def _sample(name: str, inst: _Instance, interval_s: float) -> DnsSample:
    zones = tuple(inst.zones[key].sample(*key) for key in sorted(inst.zones))
    upstreams = tuple(inst.upstreams[to].sample(to) for to in sorted(inst.upstreams))
    return DnsSample(name, interval_s, zones, upstreams, inst.panics)
