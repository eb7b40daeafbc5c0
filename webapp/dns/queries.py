"""Reading DNS: every CoreDNS zone and upstream summed over a window, and latency per column.

Sums happen here, over one query per table: a window of an hour holds a few hundred rows
per table (instances × zones × cycles), and the per-type, per-rcode and histogram columns are
JSON that is added key by key anyway.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet, Sum

from collectors.records import Histogram
from webapp.dns import models
from webapp.traffic.convert import histogram_from_json
from webapp.traffic.histogram import merge
from webapp.traffic.models import Cycle


@dataclass
class ZoneTotals:
    """One server block and zone, summed over every instance and cycle of a window."""

    server: str
    zone: str
    instances: set[str] = field(default_factory=set)
    requests: float = 0.0
    by_type: dict[str, float] = field(default_factory=dict)
    by_proto: dict[str, float] = field(default_factory=dict)
    rcodes: dict[str, float] = field(default_factory=dict)
    nxdomain_by_plugin: dict[str, float] = field(default_factory=dict)
    latency: Histogram | None = None
    cache_hits_success: float = 0.0
    cache_hits_denial: float = 0.0
    cache_misses: float = 0.0
    cache_entries: float | None = None  # summed over instances at the newest cycle with any
    entries_at: datetime | None = None


@dataclass
class UpstreamTotals:
    """One upstream, summed over every instance forwarding to it and every cycle."""

    upstream: str
    instances: set[str] = field(default_factory=set)
    requests: float = 0.0
    rcodes: dict[str, float] = field(default_factory=dict)
    latency: Histogram | None = None
    healthcheck_failures: float = 0.0


@dataclass(frozen=True)
class WindowDns:
    """DNS in (start, end]; `covered_s` is the time good cycles covered (the rate divisor)."""

    start: datetime
    end: datetime
    covered_s: float
    cycles: int
    zones: tuple[ZoneTotals, ...]
    upstreams: tuple[UpstreamTotals, ...]
    panics: float


def add_counts(into: dict[str, float], counts: Mapping[str, Any] | None) -> None:
    """Add a JSON {key: count} into `into`."""
    for key, value in (counts or {}).items():
        into[key] = into.get(key, 0.0) + float(value)


def _histogram(bounds: Any, counts: Any) -> Histogram | None:
    return histogram_from_json(bounds, counts) if bounds is not None and counts else None


def _in_window(rows: QuerySet[Any], start: datetime, end: datetime) -> QuerySet[Any]:
    return rows.filter(at__gt=start, at__lte=end, cycle__status=Cycle.Status.OK)


def window_dns(start: datetime, end: datetime, server: str = "", zone: str = "") -> WindowDns:
    """Every zone (optionally one `server` and/or `zone`) and upstream summed over (start, end]."""
    cycles = Cycle.objects.filter(status=Cycle.Status.OK, at__gt=start, at__lte=end)
    covered = cycles.aggregate(covered=Sum("interval_s"), n=Count("id"))
    zone_rows = _in_window(models.DnsZoneSample.objects.all(), start, end)
    if server:
        zone_rows = zone_rows.filter(server=server)
    if zone:
        zone_rows = zone_rows.filter(zone=zone)
    panics = _in_window(models.DnsInstanceSample.objects.all(), start, end).aggregate(
        total=Sum("panics")
    )
    return WindowDns(
        start=start,
        end=end,
        covered_s=float(covered["covered"] or 0.0),
        cycles=int(covered["n"] or 0),
        zones=tuple(_zones(zone_rows)),
        upstreams=tuple(_upstreams(_in_window(models.DnsUpstreamSample.objects.all(), start, end))),
        panics=float(panics["total"] or 0.0),
    )


def _zones(rows: QuerySet[models.DnsZoneSample]) -> list[ZoneTotals]:
    totals: dict[tuple[str, str], ZoneTotals] = {}
    latencies: dict[tuple[str, str], list[Histogram]] = {}
    for row in rows.order_by("at").iterator(chunk_size=2000):
        key = (row.server, row.zone)
        t = totals.setdefault(key, ZoneTotals(row.server, row.zone))
        t.instances.add(row.instance)
        t.requests += row.requests
        add_counts(t.by_type, row.requests_by_type)
        add_counts(t.by_proto, row.requests_by_proto)
        add_counts(t.rcodes, row.responses_by_rcode)
        add_counts(t.nxdomain_by_plugin, row.nxdomain_by_plugin)
        t.cache_hits_success += row.cache_hits_success
        t.cache_hits_denial += row.cache_hits_denial
        t.cache_misses += row.cache_misses
        if row.cache_entries is not None:
            # Rows come oldest first: a newer cycle's gauge replaces the older sum.
            if t.entries_at != row.at:
                t.entries_at, t.cache_entries = row.at, 0.0
            t.cache_entries = (t.cache_entries or 0.0) + row.cache_entries
        hist = _histogram(row.latency_bounds, row.latency_counts)
        if hist is not None:
            latencies.setdefault(key, []).append(hist)
    for key, hists in latencies.items():
        totals[key].latency = merge(hists)
    return [totals[key] for key in sorted(totals)]


def _upstreams(rows: QuerySet[models.DnsUpstreamSample]) -> list[UpstreamTotals]:
    totals: dict[str, UpstreamTotals] = {}
    latencies: dict[str, list[Histogram]] = {}
    for row in rows.iterator(chunk_size=2000):
        t = totals.setdefault(row.upstream, UpstreamTotals(row.upstream))
        t.instances.add(row.instance)
        t.requests += row.requests
        add_counts(t.rcodes, row.responses_by_rcode)
        t.healthcheck_failures += row.healthcheck_failures
        hist = _histogram(row.latency_bounds, row.latency_counts)
        if hist is not None:
            latencies.setdefault(row.upstream, []).append(hist)
    for key, hists in latencies.items():
        totals[key].latency = merge(hists)
    return [totals[key] for key in sorted(totals)]


def latency_columns(
    columns: Sequence[tuple[datetime, datetime]], server: str = "", zone: str = ""
) -> list[Histogram | None]:
    """The summed request-duration histogram of the matching zones in each (start, end] column."""
    if not columns:
        return []
    rows = _in_window(models.DnsZoneSample.objects.all(), columns[0][0], columns[-1][1])
    rows = rows.exclude(latency_counts=None)
    if server:
        rows = rows.filter(server=server)
    if zone:
        rows = rows.filter(zone=zone)
    ends = [end for _, end in columns]
    per_column: list[list[Histogram]] = [[] for _ in columns]
    values: Iterable[tuple[datetime, Any, Any]] = rows.values_list(
        "at", "latency_bounds", "latency_counts"
    ).iterator(chunk_size=5000)
    for at, bounds, counts in values:
        hist = _histogram(bounds, counts)
        if hist is not None:
            per_column[bisect_left(ends, at)].append(hist)
    return [merge(hists) for hists in per_column]
