"""Reading traffic: the latest cycle, and every edge summed over a window."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet, Sum

from collectors.records import EdgeSample, Histogram, Peer
from webapp.traffic import models
from webapp.traffic.convert import histogram_from_json
from webapp.traffic.histogram import merge


@dataclass(frozen=True)
class WindowTraffic:
    """Each edge summed over (start, end]; `covered_s` is the time good cycles covered."""

    start: datetime
    end: datetime
    covered_s: float
    cycles: int
    edges: tuple[EdgeSample, ...]


def latest_cycle_at(before: datetime | None = None) -> datetime | None:
    """The time of the newest successful cycle (at or before `before`), if any."""
    cycles = models.Cycle.objects.filter(status=models.Cycle.Status.OK)
    if before is not None:
        cycles = cycles.filter(at__lte=before)
    return cycles.order_by("-at").values_list("at", flat=True).first()


_IDENTITY = (
    "edge_key",
    "source_namespace",
    "source_workload",
    "source_app",
    "source_version",
    "destination_namespace",
    "destination_workload",
    "destination_app",
    "destination_version",
    "destination_service",
    "protocol",
    "mesh",
)
_COUNTS = (
    "requests",
    "errors_4xx",
    "errors_5xx",
    "errors_grpc",
    "no_response",
    "mtls_requests",
    "bytes_sent",
    "bytes_received",
)


def window_traffic(start: datetime, end: datetime, namespaces: Iterable[str] = ()) -> WindowTraffic:
    """Sum every edge's samples in (start, end], optionally only edges touching `namespaces`.

    Rates over the window divide by the seconds that successful cycles covered, so a failed
    or missing cycle is a gap rather than a dip to zero. The counters are summed by the
    database (one GROUP BY); only the histograms are added up here.
    """
    cycles = models.Cycle.objects.filter(status=models.Cycle.Status.OK, at__gt=start, at__lte=end)
    totals = cycles.aggregate(covered=Sum("interval_s"))
    covered = float(totals["covered"] or 0.0)
    rows = models.EdgeSample.objects.filter(at__gt=start, at__lte=end, cycle__status="ok")
    names = list(namespaces)
    if names:
        rows = rows.filter(Q(source_namespace__in=names) | Q(destination_namespace__in=names))
    sums = rows.values(*_IDENTITY).annotate(**{f"sum_{c}": Sum(c) for c in _COUNTS}).order_by()
    latencies = _latencies(rows)
    edges = tuple(_edge(row, covered, latencies.get(row["edge_key"])) for row in sums)
    return WindowTraffic(start, end, covered, cycles.count(), edges)


def _latencies(rows: QuerySet[models.EdgeSample]) -> dict[str, Histogram]:
    """Each edge's latency histogram summed over `rows`.

    Samples of one edge nearly always share one bucket layout, so counts add elementwise;
    a layout change (a mesh upgrade) falls back to merging by bound.
    """
    layouts: dict[str, tuple[list[float | str], list[float]]] = {}
    merged: dict[str, list[Histogram]] = {}
    with_latency = rows.exclude(latency_counts=None).values_list(
        "edge_key", "latency_bounds", "latency_counts"
    )
    for key, bounds, counts in with_latency.iterator(chunk_size=5000):
        seen = layouts.get(key)
        if seen is None:
            layouts[key] = (bounds, list(counts))
        elif seen[0] == bounds:
            acc = seen[1]
            for i, count in enumerate(counts):
                acc[i] += count
        else:
            merged.setdefault(key, []).append(histogram_from_json(bounds, counts))
    result = {}
    for key, (bounds, counts) in layouts.items():
        histogram = histogram_from_json(bounds, counts)
        extra = merged.get(key)
        result[key] = merge([histogram, *extra]) if extra else histogram
    return result


def _edge(row: dict[str, Any], covered: float, latency: Histogram | None) -> EdgeSample:
    return EdgeSample(
        source=Peer(
            row["source_namespace"],
            row["source_workload"],
            row["source_app"],
            row["source_version"],
        ),
        destination=Peer(
            row["destination_namespace"],
            row["destination_workload"],
            row["destination_app"],
            row["destination_version"],
            row["destination_service"],
        ),
        protocol=row["protocol"],
        mesh=row["mesh"],
        interval_s=covered,
        requests=row["sum_requests"] or 0.0,
        errors_4xx=row["sum_errors_4xx"] or 0.0,
        errors_5xx=row["sum_errors_5xx"] or 0.0,
        errors_grpc=row["sum_errors_grpc"] or 0.0,
        no_response=row["sum_no_response"] or 0.0,
        mtls_requests=row["sum_mtls_requests"],  # NULL when every sample said "unknown"
        bytes_sent=row["sum_bytes_sent"] or 0.0,
        bytes_received=row["sum_bytes_received"] or 0.0,
        latency=latency,
    )
