"""Reading latency histograms as a time series, for heatmaps: one histogram per column."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Q, QuerySet

from collectors.records import Histogram
from webapp.traffic import models
from webapp.traffic.convert import histogram_from_json
from webapp.traffic.heatmap import HeatmapOptions, Peer, build_heatmap
from webapp.traffic.histogram import merge
from webapp.traffic.models import ROLLUP_RESOLUTION_S
from webapp.traffic.queries import latest_cycle_at, pruned_buckets

_LATENCY = ("latency_bounds", "latency_counts")
_Rows = TypeVar("_Rows", QuerySet[models.EdgeSample], QuerySet[models.EdgeRollup])


def peer_filter(peer: Peer, side: str) -> Q:
    """Rows whose `side` ("source" or "destination") is `peer`."""
    if peer.kind == "unknown":
        return Q(**{f"{side}_workload__in": ["unknown", ""]})
    where = Q(**{f"{side}_namespace": peer.namespace})
    if peer.kind == "workload":
        return where & Q(**{f"{side}_workload": peer.name})
    if peer.kind == "service":
        if side == "source":
            raise ValueError("a service is never the source side of a sample")
        return where & Q(destination_service=peer.name)
    where &= Q(**{f"{side}_app": peer.name})
    return where & Q(**{f"{side}_version": peer.version}) if peer.version else where


def column_histograms(
    columns: Sequence[tuple[datetime, datetime]],
    source: Peer | None,
    target: Peer | None,
) -> list[Histogram | None]:
    """The summed latency histogram of the matching rows in each (start, end] column.

    One query over raw rows for the whole window, placed into columns by their cycle time;
    one over the 5-minute rollups of buckets whose raw rows retention pruned (as
    window_traffic reads them), each placed whole into the column holding its bucket's end
    (the last column when the window ends mid-bucket): old windows show rollup resolution.
    """
    if not columns:
        return []
    start, end = columns[0][0], columns[-1][1]
    raw = models.EdgeSample.objects.filter(
        at__gt=start, at__lte=end, cycle__status=models.Cycle.Status.OK
    )
    rolled = models.EdgeRollup.objects.filter(bucket__in=pruned_buckets(start, end))
    ends = [column_end for _, column_end in columns]
    per_column: list[list[Histogram]] = [[] for _ in columns]
    raw_values = _matching(raw, source, target).values_list("at", *_LATENCY)
    _place(per_column, ends, raw_values.iterator(chunk_size=5000), timedelta(0))
    rolled_values = _matching(rolled, source, target).values_list("start", *_LATENCY)
    step = timedelta(seconds=ROLLUP_RESOLUTION_S)  # a rollup's time is its bucket's end
    _place(per_column, ends, rolled_values.iterator(chunk_size=5000), step)
    return [merge(hists) for hists in per_column]


def _matching(rows: _Rows, source: Peer | None, target: Peer | None) -> _Rows:
    """`rows` (raw or rollup) with a histogram, narrowed to the given source and target."""
    rows = rows.exclude(latency_counts=None)
    if source is not None:
        rows = rows.filter(peer_filter(source, "source"))
    if target is not None:
        rows = rows.filter(peer_filter(target, "destination"))
    return rows


def _place(
    per_column: list[list[Histogram]],
    ends: list[datetime],
    values: Iterable[tuple[datetime, Any, Any]],
    shift: timedelta,
) -> None:
    """Append each (time, bounds, counts) to the column holding time + shift (or the last)."""
    for at, bounds, counts in values:
        column = min(bisect_left(ends, at + shift), len(ends) - 1)
        per_column[column].append(histogram_from_json(bounds, counts))


def heatmap_snapshot(options: HeatmapOptions, now: datetime | None = None) -> dict[str, object]:
    """The heatmap `options` ask for, over the window ending at `at` or the latest cycle."""
    generated_at = now or datetime.now(UTC)
    end = options.at or latest_cycle_at() or generated_at
    columns = options.columns(end, settings.MESHWATCH_INTERVAL_S)
    histograms = column_histograms(columns, options.source, options.target)
    return build_heatmap(options, columns, histograms, generated_at)
