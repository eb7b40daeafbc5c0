"""Reading traffic: the latest cycle, and every edge summed over a window.

Windows are answered from raw rows where they still exist and from 5-minute rollups
(webapp/traffic/rollups.py) for buckets whose raw rows retention has pruned.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from collectors.records import EdgeSample, Histogram, Peer
from webapp.traffic import models
from webapp.traffic.convert import histogram_from_json
from webapp.traffic.flags import merge_flags
from webapp.traffic.histogram import merge
from webapp.traffic.models import ROLLUP_RESOLUTION_S

# Summed counters (and "sum_response_flags": flag → requests, or None) and the summed
# histogram of one edge, keyed by edge_key.
Summed = dict[str, tuple[dict[str, Any], Histogram | None]]


@dataclass(frozen=True)
class WindowTraffic:
    """Each edge summed over (start, end]; `covered_s` is the time good cycles covered."""

    start: datetime
    end: datetime
    covered_s: float
    cycles: int
    edges: tuple[EdgeSample, ...]


def latest_cycle_at(before: datetime | None = None) -> datetime | None:
    """The time of the newest successful cycle (at or before `before`), if any.

    Once a bucket's raw rows are pruned its cycles are gone too; the end of the newest such
    bucket that had good cycles then stands for them.
    """
    cycles = models.Cycle.objects.filter(status=models.Cycle.Status.OK)
    if before is not None:
        cycles = cycles.filter(at__lte=before)
    raw = cycles.order_by("-at").values_list("at", flat=True).first()
    if raw is not None and before is None:
        return raw  # nothing pruned is newer than a stored cycle
    buckets = models.RollupBucket.objects.filter(
        raw_pruned=True, cycles__gt=0, resolution_s=ROLLUP_RESOLUTION_S
    )
    if before is not None:
        buckets = buckets.filter(start__lte=before - timedelta(seconds=ROLLUP_RESOLUTION_S))
    start = buckets.order_by("-start").values_list("start", flat=True).first()
    rolled = start + timedelta(seconds=ROLLUP_RESOLUTION_S) if start is not None else None
    return max((t for t in (raw, rolled) if t is not None), default=None)


def pruned_buckets(start: datetime, end: datetime) -> QuerySet[models.RollupBucket]:
    """Rollup buckets overlapping (start, end] whose raw rows are gone: read them whole."""
    return models.RollupBucket.objects.filter(
        raw_pruned=True,
        resolution_s=ROLLUP_RESOLUTION_S,
        start__gt=start - timedelta(seconds=ROLLUP_RESOLUTION_S),
        start__lt=end,
    )


# The columns raw rows and rollup rows share: who talks to whom, and what is summed.
IDENTITY = (
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
COUNTERS = (
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
    or missing cycle is a gap rather than a dip to zero.
    1. Buckets whose raw rows were pruned and that overlap the window come from the rollups,
       whole: there the window widens to bucket bounds, and their covered seconds count.
    2. Everything else comes from raw rows. A pruned bucket has no raw rows left, so no cycle
       is counted twice, whichever part it would fall in.
    3. Each edge's two parts are added. Per part the database sums the counters (one GROUP
       BY) and a second query streams the histograms and response flags (NULL on most
       rows), which are added up here.
    """
    names = list(namespaces)
    buckets = pruned_buckets(start, end)
    rolled = buckets.aggregate(covered=Sum("covered_s"), cycles=Sum("cycles"), n=Count("id"))
    parts = []
    if rolled["n"]:
        parts.append(summed_edges(models.EdgeRollup.objects.filter(bucket__in=buckets), names))
    cycles = models.Cycle.objects.filter(status=models.Cycle.Status.OK, at__gt=start, at__lte=end)
    raw = cycles.aggregate(covered=Sum("interval_s"), cycles=Count("id"))
    rows = models.EdgeSample.objects.filter(at__gt=start, at__lte=end, cycle__status="ok")
    parts.append(summed_edges(rows, names))
    covered = float(raw["covered"] or 0.0) + float(rolled["covered"] or 0.0)
    count = raw["cycles"] + (rolled["cycles"] or 0)
    edges = tuple(_edge(row, covered, latency) for row, latency in _combine(parts))
    return WindowTraffic(start, end, covered, count, edges)


def summed_edges(
    rows: QuerySet[models.EdgeSample] | QuerySet[models.EdgeRollup], namespaces: list[str]
) -> Summed:
    """Each edge's counters and histogram summed over raw rows or rollup rows (same columns)."""
    if namespaces:
        touching = Q(source_namespace__in=namespaces) | Q(destination_namespace__in=namespaces)
        rows = rows.filter(touching)
    sums = (
        rows.values(*IDENTITY)
        .annotate(rows=Count("id"), **{f"sum_{c}": Sum(c) for c in COUNTERS})
        .order_by()
    )
    latencies, flags = _streamed(rows)
    summed: Summed = {}
    for row in sums:
        row["sum_response_flags"] = flags.get(row["edge_key"])
        summed[row["edge_key"]] = (row, latencies.get(row["edge_key"]))
    return summed


def _combine(parts: list[Summed]) -> list[tuple[dict[str, Any], Histogram | None]]:
    """The parts' edges, with an edge found in several parts added up."""
    if len(parts) == 1:
        return list(parts[0].values())
    merged: Summed = {}
    for part in parts:
        for key, (row, latency) in part.items():
            seen = merged.get(key)
            if seen is None:
                merged[key] = (dict(row), latency)
                continue
            acc = seen[0]
            for name in COUNTERS:
                acc[f"sum_{name}"] = _add(acc[f"sum_{name}"], row[f"sum_{name}"])
            acc["sum_response_flags"] = _add_flags(acc, row)
            merged[key] = (acc, merge([seen[1], latency]))
    return list(merged.values())


def _add_flags(a: dict[str, Any], b: dict[str, Any]) -> dict[str, float] | None:
    """Two parts' flag counts added (None when neither has any)."""
    if not a["sum_response_flags"] and not b["sum_response_flags"]:
        return None
    total: dict[str, float] = {}
    merge_flags(total, a["sum_response_flags"])
    merge_flags(total, b["sum_response_flags"])
    return total


def _add(a: float | None, b: float | None) -> float | None:
    """a + b where None is "unknown": unknown only when both are (mTLS share)."""
    return None if a is None and b is None else (a or 0.0) + (b or 0.0)


def _streamed(
    rows: QuerySet[models.EdgeSample] | QuerySet[models.EdgeRollup],
) -> tuple[dict[str, Histogram], dict[str, dict[str, float]]]:
    """Each edge's latency histogram and its requests per response flag, summed over `rows`.

    One streaming query for both: the rows with flags are nearly always rows with a
    histogram (HTTP), so this reads no more rows than the histograms alone did.
    """
    layouts = _Layouts()
    flags: dict[str, dict[str, float]] = {}
    streamed: Iterable[tuple[str, Any, Any, Any]] = (
        rows.filter(Q(latency_counts__isnull=False) | Q(response_flags__isnull=False))
        .values_list("edge_key", "latency_bounds", "latency_counts", "response_flags")
        .iterator(chunk_size=5000)
    )
    for key, bounds, counts, row_flags in streamed:
        if counts is not None:
            layouts.add(key, bounds, counts)
        if row_flags:
            merge_flags(flags.setdefault(key, {}), row_flags)
    return layouts.histograms(), {key: f for key, f in flags.items() if f}


class _Layouts:
    """Histograms summed per edge while rows stream in.

    Samples of one edge nearly always share one bucket layout, so counts add elementwise;
    a layout change (a mesh upgrade) falls back to merging by bound.
    """

    def __init__(self) -> None:
        self.layouts: dict[str, tuple[list[float | str], list[float]]] = {}
        self.merged: dict[str, list[Histogram]] = {}

    def add(self, key: str, bounds: list[float | str], counts: list[float]) -> None:
        """Add one row's histogram to its edge's."""
        seen = self.layouts.get(key)
        if seen is None:
            self.layouts[key] = (bounds, list(counts))
        elif seen[0] == bounds:
            acc = seen[1]
            for i, count in enumerate(counts):
                acc[i] += count
        else:
            self.merged.setdefault(key, []).append(histogram_from_json(bounds, counts))

    def histograms(self) -> dict[str, Histogram]:
        """Each edge's summed histogram."""
        result: dict[str, Histogram] = {}
        for key, (bounds, counts) in self.layouts.items():
            histogram = histogram_from_json(bounds, counts)
            extra = self.merged.get(key)
            result[key] = (merge([histogram, *extra]) or histogram) if extra else histogram
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
        response_flags=dict(row.get("sum_response_flags") or {}),
    )
