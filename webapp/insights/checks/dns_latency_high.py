"""Slow DNS: a high p99 of CoreDNS's request duration delays every first request of a client.

Most lookups are cache hits in well under a millisecond; a p99 in the hundreds of
milliseconds means some lookups wait on a slow upstream, or CoreDNS is CPU-throttled.
"""

from __future__ import annotations

from collections.abc import Iterator

from webapp.dns.queries import ZoneTotals
from webapp.insights.checks import dns_common as d
from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy
from webapp.insights.checks.traffic_common import q
from webapp.traffic.histogram import quantiles

ID = "dns_latency_high"
BOOK_ROW = (
    "Slow name resolution → check CoreDNS latency (p99), its CPU limits and throttling, "
    "cache hit ratio and the upstreams' latency"
)
# p99 of a zone's request duration: warning from 100 ms, critical from 1 s (glibc's resolver
# retries after 5 s by default, so a second-long p99 is already near visible timeouts).
P99_WARNING_MS = 100.0
P99_CRITICAL_MS = 1000.0


def finding(zone: ZoneTotals, context: InsightContext) -> Draft | None:
    """The draft for one server block and zone, or None when fast enough (or unmeasured)."""
    if zone.requests < d.MIN_QUERIES or zone.latency is None:
        return None
    p50, p99 = quantiles((0.5, 0.99), zone.latency)
    if p99 is None or p99 < P99_WARNING_MS:
        return None
    subject = d.subject(context.inventory)
    hits = zone.cache_hits_success + zone.cache_hits_denial
    return Draft(
        check=ID,
        severity="critical" if p99 >= P99_CRITICAL_MS else "warning",
        subject=subject,
        title=f"CoreDNS p99 latency {p99:.0f} ms (zone {zone.zone or '.'})",
        message=f"One lookup in a hundred took {p99:.0f} ms or more in zone {zone.zone or '.'} "
        f"(median {p50 or 0:.1f} ms) over the window.",
        evidence={
            "server": zone.server,
            "zone": zone.zone,
            "p50_ms": round(p50, 3) if p50 is not None else None,
            "p99_ms": round(p99, 3),
            "requests": round(zone.requests, 3),
            "cache_hit_ratio": d.share(hits, hits + zone.cache_misses),
        },  # fmt: skip
        remedy=Remedy(
            "Check the upstreams' latency (forward), CoreDNS's CPU throttling and limits, and "
            "the cache hit ratio; scale CoreDNS (or NodeLocal DNSCache) if it is saturated.",
            "\n".join(
                (
                    f"kubectl top pods -n {q(subject.namespace)} -l k8s-app=kube-dns",
                    f"kubectl get deploy -n {q(subject.namespace)} coredns "
                    "-o jsonpath='{.spec.template.spec.containers[0].resources}'",
                )
            ),
            "shell",
        ),  # fmt: skip
        key=f"{zone.server}|{zone.zone}",
    )


def run(context: InsightContext) -> Iterator[Draft]:
    """One finding per zone whose p99 reaches P99_WARNING_MS."""
    if context.dns is None:
        return
    for zone in context.dns.zones:
        draft = finding(zone, context)
        if draft is not None:
            yield draft


CHECK = Check(
    id=ID,
    title="CoreDNS latency high",
    book_row=BOOK_ROW,
    run=run,
    description=f"Per CoreDNS server block and zone: p99 ≥ {P99_WARNING_MS:g} ms is a "
    f"warning, ≥ {P99_CRITICAL_MS:g} ms critical.",
)
