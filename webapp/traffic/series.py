"""Reading latency histograms as a time series, for heatmaps: one histogram per column."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Q

from collectors.records import Histogram
from webapp.traffic import models
from webapp.traffic.convert import histogram_from_json
from webapp.traffic.heatmap import HeatmapOptions, Peer, build_heatmap
from webapp.traffic.histogram import merge
from webapp.traffic.queries import latest_cycle_at


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

    One query for the whole window; rows are placed into columns by their cycle time.
    """
    if not columns:
        return []
    rows = models.EdgeSample.objects.filter(
        at__gt=columns[0][0], at__lte=columns[-1][1], cycle__status=models.Cycle.Status.OK
    ).exclude(latency_counts=None)
    if source is not None:
        rows = rows.filter(peer_filter(source, "source"))
    if target is not None:
        rows = rows.filter(peer_filter(target, "destination"))
    ends = [end for _, end in columns]
    per_column: list[list[Histogram]] = [[] for _ in columns]
    values = rows.values_list("at", "latency_bounds", "latency_counts")
    for at, bounds, counts in values.iterator(chunk_size=5000):
        # Rows without a histogram were excluded above; the stubs cannot know that.
        assert bounds is not None and counts is not None
        per_column[bisect_left(ends, at)].append(histogram_from_json(bounds, counts))
    return [merge(hists) for hists in per_column]


def heatmap_snapshot(options: HeatmapOptions, now: datetime | None = None) -> dict[str, object]:
    """The heatmap `options` ask for, over the window ending at `at` or the latest cycle."""
    generated_at = now or datetime.now(UTC)
    end = options.at or latest_cycle_at() or generated_at
    columns = options.columns(end, settings.MESHWATCH_INTERVAL_S)
    histograms = column_histograms(columns, options.source, options.target)
    return build_heatmap(options, columns, histograms, generated_at)
