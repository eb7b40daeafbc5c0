"""Per-cycle series of one edge or node (the graph side panel's sparklines), or of the mesh.

`GET /api/v1/series?edge=<edge id>|node=<node id>|scope=mesh&window=&at=&step=` answers one
row of points per series: an edge has one ("edge"), a node two ("inbound": every edge into it
summed, and "outbound": every edge out of it; a service node has only "inbound", as a service
is never the source side of a sample), the mesh one ("mesh": every edge, or with
`namespaces=a,b` every edge touching them, as the mTLS view counts mesh-wide coverage; the
mTLS trend reads it). Each point covers (start, end] and holds requests, rps, error_ratio,
p95_ms and mtls_ratio over that step.

How it reads the store (webapp/traffic/queries.py documents the two tiers):
- raw rows of good cycles, and the 5-minute rollups of buckets whose raw rows were pruned;
  a rollup lands whole in the point holding its bucket's end, so windows reaching past raw
  retention get a step of at least one bucket;
- per tier one GROUP BY query sums the counters per cycle time (or bucket start), with one
  conditional sum per series, and one query streams the histograms; two small queries read
  the covered seconds. The number of queries does not depend on the number of points.
Rates divide by the seconds good cycles covered in the step, so a step without a good cycle is
a gap (null), not a dip to zero.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Sum

from webapp.graph.options import (
    DEFAULT_WINDOW,
    OptionsError,
    parse_at,
    parse_namespaces,
    parse_window,
)
from webapp.traffic import models
from webapp.traffic.convert import histogram_from_json
from webapp.traffic.heatmap import Peer, parse_node
from webapp.traffic.histogram import merge, quantile
from webapp.traffic.models import ROLLUP_RESOLUTION_S
from webapp.traffic.queries import latest_cycle_at, pruned_buckets
from webapp.traffic.series import peer_filter

MAX_POINTS = 120
_ERRORS = ("errors_4xx", "errors_5xx", "errors_grpc", "no_response")


@dataclass(frozen=True)
class SeriesOptions:
    """A parsed series request: the subject (an edge, or a node) and the time window."""

    kind: str  # "edge", "node" or "mesh"
    subject_id: str
    source: Peer | None  # edge: its two ends; node, mesh: None
    target: Peer | None
    node: Peer | None
    protocol: str
    window_s: float
    window_text: str
    step_s: float | None  # None: chosen from the window
    at: datetime | None
    scope_namespaces: tuple[str, ...] = ()  # mesh: only edges touching these; (): all

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> SeriesOptions:
        """Parse `edge=` (a graph edge id, `edge:` prefix allowed), `node=` or `scope=mesh`
        (with `namespaces=`), `window`, `step`, `at`; raises OptionsError with a sentence
        naming the bad parameter."""
        edge_text = str(params.get("edge") or "").strip()
        node_text = str(params.get("node") or "").strip()
        scope_text = str(params.get("scope") or "").strip()
        if scope_text and scope_text != "mesh":
            raise OptionsError("scope: the only scope is mesh")
        if sum(map(bool, (edge_text, node_text, scope_text))) != 1:
            raise OptionsError(
                "name exactly one subject: edge=<edge id>, node=<node id> or scope=mesh"
            )
        if params.get("namespaces") and not scope_text:
            raise OptionsError("namespaces: only with scope=mesh (an edge or node names its own)")
        window_text = str(params.get("window") or DEFAULT_WINDOW)
        window_s = parse_window("window", window_text)
        step_text = str(params.get("step") or "auto")
        step_s = None if step_text == "auto" else parse_window("step", step_text)
        if step_s is not None and window_s / step_s > MAX_POINTS:
            raise OptionsError(f"window/step gives more than {MAX_POINTS} points")
        at = parse_at(params.get("at"))
        if scope_text:
            names = parse_namespaces(params.get("namespaces"))
            subject = "mesh" + (f":{','.join(names)}" if names else "")
            return cls("mesh", subject, None, None, None, "", window_s, window_text, step_s, at,
                       names)  # fmt: skip
        if node_text:
            node = parse_node(node_text)
            return cls("node", node.id, None, None, node, "", window_s, window_text, step_s, at)
        source, target, protocol = _parse_edge(edge_text)
        subject = f"{source.id}>{target.id}" + (f"|{protocol}" if protocol else "")
        return cls("edge", subject, source, target, None, protocol, window_s, window_text,
                   step_s, at)  # fmt: skip

    @property
    def namespaces(self) -> tuple[str, ...]:
        """The namespaces the subject names, for the scoping check."""
        if self.kind == "mesh":
            return self.scope_namespaces
        peers = [p for p in (self.source, self.target, self.node) if p is not None]
        return tuple(sorted({p.namespace for p in peers if p.namespace}))

    def series_filters(self) -> dict[str, Q]:
        """Each series' name and the rows it sums."""
        if self.kind == "mesh":
            names = list(self.scope_namespaces)
            if not names:
                return {"mesh": Q()}
            return {"mesh": Q(source_namespace__in=names) | Q(destination_namespace__in=names)}
        if self.kind == "edge" and self.source and self.target:
            where = peer_filter(self.source, "source") & peer_filter(self.target, "destination")
            return {"edge": where & Q(protocol=self.protocol) if self.protocol else where}
        assert self.node is not None
        filters = {"inbound": peer_filter(self.node, "destination")}
        if self.node.kind != "service":
            filters["outbound"] = peer_filter(self.node, "source")
        return filters


def _parse_edge(text: str) -> tuple[Peer, Peer, str]:
    ends, _, protocol = text.removeprefix("edge:").partition("|")
    src, sep, dst = ends.partition(">")
    if not sep:
        raise OptionsError("edge must read <source id>><target id>|<protocol>")
    if protocol and protocol not in ("http", "grpc", "tcp"):
        raise OptionsError(f"edge protocol {protocol[:20]!r} is not http, grpc or tcp")
    source, target = parse_node(src), parse_node(dst)
    if source.kind == "service":
        raise OptionsError(
            "series of service → service edges are not kept; ask for node=<the target> instead"
        )
    return source, target, protocol


@dataclass
class _Point:
    """What one step of one series adds up to before it is rendered.

    Histograms of one layout (nearly all of an edge's rows share one) are added elementwise
    as they stream in; building a Histogram per row cost more than the queries did.
    """

    requests: float = 0.0
    errors: float = 0.0
    mtls: float = 0.0
    mtls_known: float = 0.0
    layouts: dict[tuple[Any, ...], list[float]] = field(default_factory=dict)

    def add_latency(self, bounds: list[Any], counts: list[float]) -> bool:
        """Add one row's per-bucket counts (as stored: bounds with "+Inf" last); False for a
        row whose counts do not fit its bounds, which is left out and counted by the caller."""
        key = tuple(bounds)
        acc = self.layouts.get(key)
        if acc is None:
            try:
                histogram_from_json(list(bounds), counts)  # checked once per layout
            except (TypeError, ValueError):
                return False
            self.layouts[key] = list(counts)
            return True
        if len(acc) != len(counts):
            return False
        for i, count in enumerate(counts):
            acc[i] += count
        return True

    def p95_ms(self) -> float | None:
        """The 95th percentile of everything added, or None without histograms."""
        merged = merge(histogram_from_json(list(b), c) for b, c in self.layouts.items())
        return quantile(0.95, merged) if merged is not None else None


def choose_step(window_s: float, step_s: float | None, interval_s: float, coarse: bool) -> float:
    """The step: a whole number of cycles (of rollup buckets when `coarse`), <= MAX_POINTS."""
    unit = float(ROLLUP_RESOLUTION_S) if coarse else interval_s
    wanted = step_s if step_s is not None else window_s / MAX_POINTS
    return max(unit, math.ceil(wanted / unit - 1e-9) * unit)


def series_columns(
    end: datetime, window_s: float, step_s: float
) -> list[tuple[datetime, datetime]]:
    """(start, end] steps covering the window ending at `end`, aligned to the step so points
    stay put as the window slides, oldest first."""
    last_end = math.ceil(end.timestamp() / step_s - 1e-9) * step_s
    count = max(1, min(MAX_POINTS, math.ceil(window_s / step_s - 1e-9)))
    return [
        (datetime.fromtimestamp(last_end - step_s * (i + 1), tz=UTC),
         datetime.fromtimestamp(last_end - step_s * i, tz=UTC))
        for i in reversed(range(count))
    ]  # fmt: skip


def series_snapshot(options: SeriesOptions, now: datetime | None = None) -> dict[str, Any]:
    """The series `options` ask for, over the window ending at `at` or the latest cycle.

    1. The end is `at` or the newest good cycle; a window that retention pruned in part is
       read partly from rollups, so its step is a whole number of buckets.
    2. Covered seconds per step, from good cycles and pruned buckets.
    3. Counters and histograms per step and series, from both tiers.
    """
    generated_at = now or datetime.now(UTC)
    end = options.at or latest_cycle_at() or generated_at
    interval_s = float(settings.MESHWATCH_INTERVAL_S)
    coarse = pruned_buckets(end - timedelta(seconds=options.window_s), end).exists()
    step = choose_step(options.window_s, options.step_s, interval_s, coarse)
    columns = series_columns(end, options.window_s, step)
    start, stop = columns[0][0], columns[-1][1]
    ends = [column_end for _, column_end in columns]
    buckets = pruned_buckets(start, stop)
    covered, rolled_up = _coverage(ends, start, stop, buckets)
    filters = options.series_filters()
    points = {name: [_Point() for _ in columns] for name in filters}
    raw = models.EdgeSample.objects.filter(at__gt=start, at__lte=stop, cycle__status="ok")
    skipped: dict[str, int] = {}
    _accumulate(points, ends, raw, filters, "at", timedelta(0), skipped)
    if rolled_up:  # the rollup queries only run when a pruned bucket overlaps the window
        rolled = models.EdgeRollup.objects.filter(bucket__in=buckets)
        rollup_end = timedelta(seconds=ROLLUP_RESOLUTION_S)
        _accumulate(points, ends, rolled, filters, "start", rollup_end, skipped)
    return {
        "generated_at": _iso(generated_at),
        "window": {"start": _iso(start), "end": _iso(stop)},
        "step_s": step,
        "subject": {"kind": options.kind, "id": options.subject_id},
        "series": [
            {
                "name": name,
                "points": [_render(c, p, s) for c, p, s in zip(columns, pts, covered, strict=True)],
                "malformed_histograms": skipped.get(name, 0),
            }
            for name, pts in points.items()
        ],
    }


def _coverage(
    ends: list[datetime], start: datetime, stop: datetime, buckets: QuerySet[models.RollupBucket]
) -> tuple[list[float], bool]:
    """Seconds good cycles covered in each step (raw cycles, plus pruned buckets whole), and
    whether any pruned bucket overlaps the window."""
    covered = [0.0] * len(ends)
    cycles = models.Cycle.objects.filter(status=models.Cycle.Status.OK, at__gt=start, at__lte=stop)
    for at, seconds in cycles.values_list("at", "interval_s"):
        covered[_column(ends, at)] += seconds
    bucket_end = timedelta(seconds=ROLLUP_RESOLUTION_S)
    rolled = list(buckets.values_list("start", "covered_s"))
    for bucket_start, seconds in rolled:
        covered[_column(ends, bucket_start + bucket_end)] += seconds
    return covered, bool(rolled)


def _column(ends: list[datetime], moment: datetime) -> int:
    """The step holding `moment` (the last one for a bucket ending past the window)."""
    return min(bisect_left(ends, moment), len(ends) - 1)


def _accumulate(
    points: dict[str, list[_Point]],
    ends: list[datetime],
    rows: QuerySet[models.EdgeSample] | QuerySet[models.EdgeRollup],
    filters: dict[str, Q],
    time_field: str,
    shift: timedelta,
    skipped: dict[str, int],
) -> None:
    """Add one tier's rows to every series: counters by one GROUP BY, histograms streamed
    (a malformed histogram is counted in `skipped` rather than failing the request)."""
    rows = rows.filter(reduce(or_, filters.values()))
    sums: dict[str, Any] = {}
    for name, where in filters.items():
        sums[f"{name}_requests"] = Sum("requests", filter=where)
        for error in _ERRORS:
            sums[f"{name}_{error}"] = Sum(error, filter=where)
        sums[f"{name}_mtls"] = Sum("mtls_requests", filter=where)
        sums[f"{name}_known"] = Sum("requests", filter=where & Q(mtls_requests__isnull=False))
    for row in rows.values(time_field).annotate(**sums).order_by():
        column = _column(ends, row[time_field] + shift)
        for name in filters:
            _add_counters(points[name][column], row, name)
    flags = {f"is_{name}": ExpressionWrapper(where, output_field=BooleanField())
             for name, where in filters.items()}  # fmt: skip
    latency: Iterable[tuple[Any, ...]] = (
        rows.exclude(latency_counts=None)
        .annotate(**flags)
        .values_list(time_field, "latency_bounds", "latency_counts", *flags)
        .iterator(chunk_size=5000)
    )
    for moment, bounds, counts, *matches in latency:
        column = _column(ends, moment + shift)
        for name, matched in zip(filters, matches, strict=True):
            if matched and not points[name][column].add_latency(bounds, counts):
                skipped[name] = skipped.get(name, 0) + 1


def _add_counters(point: _Point, row: Mapping[str, Any], name: str) -> None:
    requests = row[f"{name}_requests"] or 0.0
    errors = sum(row[f"{name}_{error}"] or 0.0 for error in _ERRORS)
    point.requests += requests
    # The error classes are disjoint (graph/traffic_map.py), but never more than the requests.
    point.errors += min(errors, requests)
    if row[f"{name}_mtls"] is not None:
        point.mtls += row[f"{name}_mtls"]
        point.mtls_known += row[f"{name}_known"] or 0.0


def _render(column: tuple[datetime, datetime], point: _Point, covered_s: float) -> dict[str, Any]:
    """One point; every ratio is null where its denominator is zero (a gap, not a zero)."""
    requests = point.requests
    return {
        "start": _iso(column[0]),
        "end": _iso(column[1]),
        "covered_s": _round(covered_s),
        "requests": _round(requests),
        "rps": _round(requests / covered_s) if covered_s > 0 else None,
        "error_ratio": _round(point.errors / requests) if requests > 0 else None,
        "p95_ms": _round(point.p95_ms()),
        "mtls_ratio": _round(point.mtls / point.mtls_known) if point.mtls_known > 0 else None,
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _round(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return 0.0 if value == 0 else float(f"{value:.6g}")
