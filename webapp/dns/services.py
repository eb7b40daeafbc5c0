"""Writing DNS: storing a cycle's CoreDNS samples (in the cycle's transaction)."""

from __future__ import annotations

from collections.abc import Sequence

from collectors.records import DnsSample, Histogram
from webapp.dns import models
from webapp.traffic.convert import bounded, histogram_to_json
from webapp.traffic.models import Cycle

_BATCH = 1000


def _latency(hist: Histogram | None) -> dict[str, object]:
    if hist is None:
        return {"latency_bounds": None, "latency_counts": None}
    bounds, counts = histogram_to_json(hist)
    return {"latency_bounds": bounds, "latency_counts": counts}


def store_dns(cycle: Cycle, samples: Sequence[DnsSample]) -> int:
    """Insert `samples` as rows of `cycle`; returns how many zone rows were written.

    Label values are cut to their columns as edge rows are (webapp.traffic.convert.bounded),
    so a hostile `to` or `server` label cannot fail the cycle.
    """
    zones, upstreams, instances = [], [], []
    for sample in samples:
        instance = bounded(sample.instance)
        common = {"cycle": cycle, "at": cycle.at, "instance": instance,
                  "interval_s": sample.interval_s}  # fmt: skip
        instances.append(models.DnsInstanceSample(**common, panics=sample.panics))
        for z in sample.zones:
            zones.append(models.DnsZoneSample(
                **common, server=bounded(z.server), zone=bounded(z.zone), requests=z.requests,
                requests_by_type=z.requests_by_type, requests_by_proto=z.requests_by_proto,
                responses_by_rcode=z.responses_by_rcode, nxdomain_by_plugin=z.nxdomain_by_plugin,
                cache_hits_success=z.cache_hits_success, cache_hits_denial=z.cache_hits_denial,
                cache_misses=z.cache_misses, cache_entries=z.cache_entries, **_latency(z.latency),
            ))  # fmt: skip
        for u in sample.upstreams:
            upstreams.append(models.DnsUpstreamSample(
                **common, upstream=bounded(u.upstream), requests=u.requests,
                responses_by_rcode=u.responses_by_rcode,
                healthcheck_failures=u.healthcheck_failures, **_latency(u.latency),
            ))  # fmt: skip
    models.DnsInstanceSample.objects.bulk_create(instances, batch_size=_BATCH)
    models.DnsZoneSample.objects.bulk_create(zones, batch_size=_BATCH)
    models.DnsUpstreamSample.objects.bulk_create(upstreams, batch_size=_BATCH)
    return len(zones)
