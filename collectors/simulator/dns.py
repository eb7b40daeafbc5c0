"""The demo cluster's DNS: what its two CoreDNS replicas would report, per cycle.

Every ClusterFirst pod resolves the Services it calls by short name (found at the first
search domain: one NOERROR per address family) and the external names its workload spec
lists (world.py). With the kubelet's ndots:5 and three search domains an external name such
as api.stripe.com is tried as api.stripe.com.shop.svc.cluster.local, .svc.cluster.local and
.cluster.local first: three NXDOMAINs from the kubernetes plugin before the real answer,
for A and AAAA alike, so shop's payments, fulfillment-worker and legacy-reports make the
NXDOMAIN share the dashboard should point at. CoreDNS runs the default Corefile (one `.:53`
server block, `cache 30`, `forward . /etc/resolv.conf`) with two node nameservers upstream;
every UPSTREAM_BLIP the second one fails for 45 s: SERVFAIL, slow answers, failed health checks.
Counts are expectations, like the traffic's, so they are pure functions of (seed, time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from collectors.records import (
    INF,
    DnsSample,
    DnsUpstreamSample,
    DnsZoneSample,
    Histogram,
    PodRecord,
)
from collectors.simulator.behaviour import Episode, load_factor
from collectors.simulator.latency import bucket_shares
from collectors.simulator.noise import bucket, jitter
from collectors.simulator.topology import EDGES
from collectors.simulator.world import World

SERVER = "dns://:53"
ZONE = "."
UPSTREAMS = ("10.0.0.2:53", "10.0.0.3:53")
UPSTREAM_BLIP = Episode("upstream-blip", period_s=1500.0, offset_s=450.0, duration_s=45.0)
BLIP_SERVFAIL_SHARE = 0.6
HEALTHCHECKS_PER_S = 2.0  # forward's health_check every 0.5 s, per instance and upstream
# coredns_dns_request_duration_seconds buckets (prometheus.ExponentialBuckets(0.00025, 2, 16)), ms.
BOUNDS_MS: tuple[float, ...] = (*(0.25 * 2**k for k in range(16)), INF)
NAME_LOOKUPS_PER_S = 1.5  # per replica and Service it calls, at peak load
EXTERNAL_LOOKUPS_PER_S = 0.6  # per replica and external name, at peak load
CACHE_HIT_SHARE = 0.8
TCP_SHARE = 0.02


@dataclass(frozen=True)
class Client:
    """One client workload: its replicas, resolver settings and what it looks up."""

    replicas: int
    ndots: int
    search: tuple[str, ...]
    services: int
    external_names: tuple[str, ...]


def clients(world: World, pods: Sequence[PodRecord]) -> tuple[Client, ...]:
    """Every workload whose pods use the cluster DNS, with their resolver settings."""
    calls: dict[str, set[str]] = {}
    for edge in EDGES:
        calls.setdefault(edge.source, set()).add(edge.service)
    result = []
    for spec in world.workloads:
        mine = [p for p in pods if p.namespace == spec.namespace and p.workload == spec.name]
        if spec.dns_policy != "ClusterFirst" or not mine:
            continue
        services = len(calls.get(spec.key, ()))
        result.append(Client(len(mine), mine[0].ndots, mine[0].search, services,
                             spec.external_names))  # fmt: skip
    return tuple(result)


@dataclass
class Load:
    """Queries per second the clients send, split by what answers them."""

    noerror: float = 0.0  # found: short Service names and the external names themselves
    nxdomain: float = 0.0  # search-path expansions of external names
    forwarded: float = 0.0  # the external names' own queries, before the cache


def client_load(all_clients: Sequence[Client], ts: float) -> Load:
    """Per-second queries at `ts`, A and AAAA both counted (glibc asks both)."""
    load = Load()
    factor = load_factor(ts)
    for c in all_clients:
        load.noerror += 2 * c.replicas * c.services * NAME_LOOKUPS_PER_S * factor
        for name in c.external_names:
            rate = 2 * c.replicas * EXTERNAL_LOOKUPS_PER_S * factor
            expansions = len(c.search) if name.count(".") < c.ndots else 0
            load.nxdomain += rate * expansions
            load.noerror += rate
            load.forwarded += rate
    return load


def _histogram(parts: Sequence[tuple[float, float, float]]) -> Histogram:
    """Counts per bucket of several lognormal groups (count, median ms, sigma)."""
    counts = [0.0] * len(BOUNDS_MS)
    for count, median, sigma in parts:
        for i, share in enumerate(bucket_shares(BOUNDS_MS, median, sigma)):
            counts[i] += count * share
    return Histogram(BOUNDS_MS, tuple(counts))


@dataclass(frozen=True)
class Interval:
    """The interval being simulated: its length, the blip's share of it, its noise bucket."""

    seconds: float
    blip: float
    noise: int


def dns_samples(
    seed: int, instances: Sequence[str], all_clients: Sequence[Client], start: float, end: float
) -> tuple[DnsSample, ...]:
    """One DnsSample per CoreDNS instance for the interval (start, end]."""
    mid = (start + end) / 2.0
    load = client_load(all_clients, mid)
    interval = Interval(end - start, UPSTREAM_BLIP.overlap(start, end), bucket(mid))
    samples = []
    for i, instance in enumerate(instances):
        # kube-proxy spreads queries over the replicas about evenly.
        share = jitter(0.05, seed, "dns-share", i, interval.noise) / len(instances)
        samples.append(_instance(seed, instance, load, share, interval))
    return tuple(samples)


def _instance(seed: int, instance: str, load: Load, share: float, at: Interval) -> DnsSample:
    """One replica's counts, answering `share` of the clients' load."""
    scale = share * at.seconds
    hit = CACHE_HIT_SHARE * jitter(0.05, seed, "dns-cache", instance, at.noise)
    noerror, nxdomain = load.noerror * scale, load.nxdomain * scale
    per_upstream = load.forwarded * scale * (1.0 - hit) / len(UPSTREAMS)
    servfail = per_upstream * at.blip * BLIP_SERVFAIL_SHARE
    requests = noerror + nxdomain
    local = requests - per_upstream * len(UPSTREAMS)
    latency = _histogram((
        (local * hit, 0.1, 0.5),  # cache hits
        (local * (1.0 - hit), 0.4, 0.6),  # answered by the kubernetes plugin
        (per_upstream * (2.0 - at.blip), 12.0, 0.7),
        (per_upstream * at.blip, 900.0, 0.8),  # the failing upstream, until it gives up
    ))  # fmt: skip
    hits_success, hits_denial = (noerror - servfail) * hit, nxdomain * hit
    zone = DnsZoneSample(
        server=SERVER, zone=ZONE, requests=requests,
        requests_by_type={"A": requests / 2, "AAAA": requests / 2},
        requests_by_proto={"udp": requests * (1 - TCP_SHARE), "tcp": requests * TCP_SHARE},
        responses_by_rcode={"NOERROR": noerror - servfail, "NXDOMAIN": nxdomain,
                            **({"SERVFAIL": servfail} if servfail else {})},
        nxdomain_by_plugin={"cache": hits_denial, "kubernetes": nxdomain - hits_denial},
        latency=latency, cache_hits_success=hits_success, cache_hits_denial=hits_denial,
        cache_misses=requests - hits_success - hits_denial,
        cache_entries=float(round(180 * jitter(0.1, seed, "dns-entries", instance, at.noise))),
    )  # fmt: skip
    upstreams = tuple(
        _upstream(upstream, per_upstream, at if k == 1 else Interval(at.seconds, 0.0, at.noise))
        for k, upstream in enumerate(UPSTREAMS)
    )
    return DnsSample(instance, at.seconds, (zone,), upstreams, 0.0)


def _upstream(upstream: str, requests: float, at: Interval) -> DnsUpstreamSample:
    """One upstream's view; during a blip (`at.blip` > 0) it fails and is slow."""
    servfail = requests * at.blip * BLIP_SERVFAIL_SHARE
    latency = _histogram(((requests * (1 - at.blip), 11.0, 0.7),
                          (requests * at.blip, 900.0, 0.8)))  # fmt: skip
    return DnsUpstreamSample(
        upstream,
        requests,
        {"NOERROR": requests - servfail, **({"SERVFAIL": servfail} if servfail else {})},
        latency,
        healthcheck_failures=HEALTHCHECKS_PER_S * at.seconds * at.blip,
    )
