"""The DNS view: window totals, inventory pods and a latency heatmap in, JSON-ready data out.

Pure functions (no I/O): REST and the live `dns` topic both call `build_dns`, and its tests
build the inputs by hand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from collectors.records import PodRecord
from webapp.dns import amplification, remedies
from webapp.dns.options import DnsOptions
from webapp.dns.queries import UpstreamTotals, WindowDns, ZoneTotals
from webapp.traffic.histogram import quantiles

RCODES = ("NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED")
# Upstream health: any error degrades, this share of SERVFAIL/REFUSED/other fails.
UPSTREAM_FAILURE_SHARE = 0.10
# Answers that are not the upstream's fault: the name exists, or it does not.
_UPSTREAM_OK = ("NOERROR", "NXDOMAIN")


def _round(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(f"{value:.6g}")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _share(part: float, whole: float) -> float | None:
    return _round(part / whole) if whole > 0 else None


def rcode_shares(rcodes: Mapping[str, float]) -> dict[str, float | None]:
    """Shares of NOERROR, NXDOMAIN, SERVFAIL, REFUSED and every other rcode as "other"."""
    total = sum(rcodes.values())
    shares = {code: _share(rcodes.get(code, 0.0), total) for code in RCODES}
    shares["other"] = _share(sum(v for k, v in rcodes.items() if k not in RCODES), total)
    return shares


def _percentiles(hist: Any) -> dict[str, float | None]:
    p50, p95, p99 = quantiles((0.5, 0.95, 0.99), hist)
    return {"p50_ms": _round(p50), "p95_ms": _round(p95), "p99_ms": _round(p99)}


def _rates(counts: Mapping[str, float], covered_s: float) -> dict[str, float | None]:
    return {k: _round(v / covered_s) if covered_s else None for k, v in sorted(counts.items())}


def server_item(z: ZoneTotals, covered_s: float) -> dict[str, Any]:
    """One server block and zone: rate, rcode shares, latency, cache."""
    hits = z.cache_hits_success + z.cache_hits_denial
    per_s = (lambda v: _round(v / covered_s)) if covered_s else (lambda v: None)
    return {
        "id": f"{z.server}|{z.zone}",
        "server": z.server,
        "zone": z.zone,
        "instances": sorted(z.instances),
        "rps": per_s(z.requests),
        "requests": _round(z.requests),
        "by_type_rps": _rates(z.by_type, covered_s),
        "by_proto_rps": _rates(z.by_proto, covered_s),
        "rcodes": rcode_shares(z.rcodes),
        **_percentiles(z.latency),
        "cache": {
            "hit_ratio": _share(hits, hits + z.cache_misses),
            "hits_success_per_s": per_s(z.cache_hits_success),
            "hits_denial_per_s": per_s(z.cache_hits_denial),
            "misses_per_s": per_s(z.cache_misses),
            "entries": _round(z.cache_entries),
        },
    }


def upstream_item(u: UpstreamTotals, covered_s: float) -> dict[str, Any]:
    """One upstream: request rate, error share (SERVFAIL, REFUSED, ...), latency, health checks."""
    answered = sum(u.rcodes.values())
    errors = sum(v for k, v in u.rcodes.items() if k not in _UPSTREAM_OK)
    error_share = _share(errors, answered)
    if u.requests <= 0 and u.healthcheck_failures <= 0:
        health = "unknown"
    elif (error_share or 0.0) >= UPSTREAM_FAILURE_SHARE:
        health = "failure"
    elif (error_share or 0.0) > 0 or u.healthcheck_failures > 0:
        health = "degraded"
    else:
        health = "healthy"
    return {
        "id": u.upstream,
        "upstream": u.upstream,
        "instances": sorted(u.instances),
        "rps": _round(u.requests / covered_s) if covered_s else None,
        "requests": _round(u.requests),
        "error_share": error_share,
        "rcodes": {k: _round(v) for k, v in sorted(u.rcodes.items())},
        **_percentiles(u.latency),
        "healthcheck_failures": _round(u.healthcheck_failures),
        "health": health,
    }


def amplification_report(
    zones: Sequence[ZoneTotals], pods: Sequence[PodRecord], namespaces: Sequence[str]
) -> dict[str, Any]:
    """Expected (inventory) and observed (CoreDNS) amplification, with the remedies."""
    domain = amplification.cluster_domain(pods)
    seen = amplification.observed(zones, domain)
    # Without CoreDNS numbers assume glibc's behaviour: A and AAAA for every name.
    aaaa = bool(seen["a_aaaa_doubling"]) or seen["aaaa_share"] is None
    profiles = amplification.namespace_profiles(pods, namespaces, aaaa=aaaa)
    example = amplification.EXAMPLE_NAME
    return {
        "method": amplification.METHOD,
        "cluster_domain": domain,
        "example_name": example,
        "observed": {k: _round(v) if isinstance(v, float) else v for k, v in seen.items()},
        "namespaces": [
            {
                "id": p.namespace,
                "namespace": p.namespace,
                "pods": p.pods,
                "ndots": p.ndots,
                "search": list(p.search),
                "lookups_per_family": p.lookups_per_family,
                "a_and_aaaa": aaaa,
                "expected_lookups": p.expected_lookups,
                "pods_amplified": p.pods_amplified,
                "configurations": p.configurations,
                "remedies": ["dns_config", "trailing_dot", "autopath"] if p.pods_amplified else [],
            }
            for p in profiles
        ],  # fmt: skip
        "remedies": remedies.remedies(domain, example, amplification.RECOMMENDED_NDOTS),
    }


def build_dns(
    window: WindowDns,
    pods: Sequence[PodRecord],
    options: DnsOptions,
    heatmap: Mapping[str, Any],
    generated_at: datetime,
) -> dict[str, Any]:
    """The whole DNS view. `heatmap` is webapp.traffic.heatmap.build_heatmap's output; its
    columns become the top-level `latency_columns` collection, so live deltas append them."""
    heat = dict(heatmap)
    columns = heat.pop("columns", [])
    covered = window.covered_s
    return {
        "generated_at": _iso(generated_at),
        "window": {"start": _iso(window.start), "end": _iso(window.end)},
        "covered_s": _round(covered),
        "cycles": window.cycles,
        "filters": {"server": options.server, "zone": options.zone},
        "servers": [server_item(z, covered) for z in window.zones],
        "upstreams": [upstream_item(u, covered) for u in window.upstreams],
        "panics": _round(window.panics),
        "amplification": amplification_report(window.zones, pods, options.namespaces),
        "latency_heatmap": {k: heat[k] for k in ("unit", "bounds_ms", "window") if k in heat},
        "latency_columns": columns,
    }
