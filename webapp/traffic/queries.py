"""Reading traffic: the latest cycle, and every edge summed over a window."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from django.db.models import Q, Sum

from collectors.records import EdgeSample
from webapp.traffic import models
from webapp.traffic.convert import from_row
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


def window_traffic(start: datetime, end: datetime, namespaces: Iterable[str] = ()) -> WindowTraffic:
    """Sum every edge's samples in (start, end], optionally only edges touching `namespaces`.

    Rates over the window divide by the seconds that successful cycles covered, so a failed
    or missing cycle is a gap rather than a dip to zero.
    """
    cycles = models.Cycle.objects.filter(status=models.Cycle.Status.OK, at__gt=start, at__lte=end)
    totals = cycles.aggregate(covered=Sum("interval_s"))
    covered = float(totals["covered"] or 0.0)
    rows = models.EdgeSample.objects.filter(at__gt=start, at__lte=end, cycle__status="ok")
    names = list(namespaces)
    if names:
        rows = rows.filter(Q(source_namespace__in=names) | Q(destination_namespace__in=names))
    summed: dict[str, EdgeSample] = {}
    for row in rows.order_by("at").iterator(chunk_size=2000):
        sample = from_row(row)
        previous = summed.get(row.edge_key)
        summed[row.edge_key] = sample if previous is None else _add(previous, sample)
    edges = tuple(replace(edge, interval_s=covered) for edge in summed.values())
    return WindowTraffic(start, end, covered, cycles.count(), edges)


def _add(a: EdgeSample, b: EdgeSample) -> EdgeSample:
    mtls = (
        None
        if a.mtls_requests is None and b.mtls_requests is None
        else ((a.mtls_requests or 0.0) + (b.mtls_requests or 0.0))
    )
    latency = merge([h for h in (a.latency, b.latency) if h is not None])
    return replace(
        a,
        requests=a.requests + b.requests,
        errors_4xx=a.errors_4xx + b.errors_4xx,
        errors_5xx=a.errors_5xx + b.errors_5xx,
        errors_grpc=a.errors_grpc + b.errors_grpc,
        no_response=a.no_response + b.no_response,
        mtls_requests=mtls,
        bytes_sent=a.bytes_sent + b.bytes_sent,
        bytes_received=a.bytes_received + b.bytes_received,
        latency=latency,
    )
