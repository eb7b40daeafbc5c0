"""Latency heatmaps: what a request asks for, and the pure builder from time-bucketed rows.

A heatmap covers an edge, a workload or a service over a window: one column per time step,
one cell per latency bucket (upper bounds in ms, numerically sorted, +Inf last), the count of
requests in it, and the p50/p95/p99 of each column for the lines drawn over it. REST
(`GET /api/v1/heatmap`) and the live `heatmap` topic parse the same parameters here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from collectors.records import Histogram
from webapp.graph.options import OptionsError, parse_at, parse_window
from webapp.traffic.histogram import merge, quantiles

MAX_COLUMNS = 240
DEFAULT_COLUMNS = 60
_NODE = re.compile(
    r"^(workload|service|app):([a-z0-9][-a-z0-9]{0,62})/([^/\s>|]{1,253})(?:/([^/\s>|]{1,253}))?$"
)


@dataclass(frozen=True)
class Peer:
    """One end of the heatmap's subject, parsed from a graph node id."""

    kind: str  # workload, service, app or unknown
    namespace: str = ""
    name: str = ""
    version: str = ""

    @property
    def id(self) -> str:
        if self.kind == "unknown":
            return "unknown"
        tail = f"/{self.version}" if self.version else ""
        return f"{self.kind}:{self.namespace}/{self.name}{tail}"


@dataclass(frozen=True)
class HeatmapOptions:
    """A parsed heatmap request; `source`/`target` are node ids, at least one of them set."""

    source: Peer | None
    target: Peer | None
    window_s: float
    window_text: str
    step_s: float | None
    at: datetime | None

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> HeatmapOptions:
        """Parse `edge=SRC>DST|proto`, or `source=`/`target=` node ids, or `workload=ns/name`
        or `service=ns/name` (traffic into it), plus `window`, `step` and `at`."""
        source, target = _subject(params)
        window_text = str(params.get("window") or "1h")
        window_s = parse_window("window", window_text)
        step = params.get("step")
        step_s = parse_window("step", str(step)) if step not in (None, "") else None
        if step_s is not None and window_s / step_s > MAX_COLUMNS:
            raise OptionsError(f"window/step gives more than {MAX_COLUMNS} columns")
        return cls(source, target, window_s, window_text, step_s, parse_at(params.get("at")))

    @property
    def namespaces(self) -> tuple[str, ...]:
        """The namespaces the subject touches, for scoping checks."""
        peers = [p for p in (self.source, self.target) if p is not None and p.namespace]
        return tuple(sorted({p.namespace for p in peers}))

    def as_params(self) -> dict[str, object]:
        """Canonical parameters (cache keys, echoes to clients)."""
        return {
            "source": self.source.id if self.source else None,
            "target": self.target.id if self.target else None,
            "window": self.window_text,
            "step": f"{self.step_s:g}s" if self.step_s else None,
            "at": self.at.astimezone(UTC).isoformat() if self.at else None,
        }

    def columns(self, end: datetime, interval_s: float) -> list[tuple[datetime, datetime]]:
        """The (start, end] time columns of the window ending at `end`, oldest first.

        The step is a whole number of cycle intervals, so every cycle lands in exactly one
        column, and columns are aligned to the step so they stay put as the window slides.
        """
        step = self.step_s or max(interval_s, self.window_s / DEFAULT_COLUMNS)
        step = max(interval_s, math.ceil(step / interval_s) * interval_s)
        last_end = datetime.fromtimestamp(math.ceil(end.timestamp() / step) * step, tz=UTC)
        count = max(1, min(MAX_COLUMNS, round(self.window_s / step)))
        return [
            (last_end - timedelta(seconds=step * (i + 1)), last_end - timedelta(seconds=step * i))
            for i in reversed(range(count))
        ]


def parse_node(text: str) -> Peer:
    """A node id as the graph writes it (workload:ns/name, service:ns/name, app:ns/app[/v])."""
    if text == "unknown":
        return Peer("unknown")
    match = _NODE.match(text)
    if not match:
        raise OptionsError(f"{text[:80]!r} is not a node id like workload:<namespace>/<name>")
    kind, namespace, name, version = match.groups()
    if version and kind != "app":
        raise OptionsError(f"{text[:80]!r}: only app ids carry a version")
    return Peer(kind, namespace, name, version or "")


def _subject(params: Mapping[str, object]) -> tuple[Peer | None, Peer | None]:
    def text(key: str) -> str:
        return str(params.get(key) or "").strip()

    if text("edge"):
        ends, _, _protocol = text("edge").partition("|")
        src, sep, dst = ends.partition(">")
        if not sep:
            raise OptionsError("edge must read <source id>><target id>|<protocol>")
        return parse_node(src), parse_node(dst)
    for kind in ("workload", "service"):
        if text(kind):
            return None, parse_node(f"{kind}:{text(kind)}")
    source = parse_node(text("source")) if text("source") else None
    target = parse_node(text("target")) if text("target") else None
    if source is None and target is None:
        raise OptionsError("name the subject: edge=, workload=, service=, source= or target=")
    return source, target


def build_heatmap(
    options: HeatmapOptions,
    columns: Sequence[tuple[datetime, datetime]],
    histograms: Sequence[Histogram | None],
    generated_at: datetime,
) -> dict[str, object]:
    """The JSON-ready heatmap from one (possibly empty) histogram per column.

    1. The bounds are the union over all columns (Istio and Linkerd bucket differently).
    2. Each column's counts are laid onto those bounds; a column with no data has zeros and
       null percentiles, so a quiet minute reads as quiet, not as missing.
    """
    union = merge([h for h in histograms if h is not None])
    bounds = list(union.bounds_ms) if union else []
    index = {bound: i for i, bound in enumerate(bounds)}
    rendered = []
    for (start, end), hist in zip(columns, histograms, strict=True):
        counts = [0.0] * len(bounds)
        for bound, count in zip(
            hist.bounds_ms if hist else (), hist.counts if hist else (), strict=True
        ):
            counts[index[bound]] += count
        p50, p95, p99 = quantiles((0.5, 0.95, 0.99), hist) if hist else (None, None, None)
        rendered.append(
            {
                "id": _iso(start),
                "start": _iso(start),
                "end": _iso(end),
                "counts": [_round(c) for c in counts],
                "total": _round(sum(counts)),
                "p50_ms": _round(p50),
                "p95_ms": _round(p95),
                "p99_ms": _round(p99),
            }
        )
    window_end = columns[-1][1] if columns else generated_at
    return {
        "generated_at": _iso(generated_at),
        "window": {
            "start": _iso(columns[0][0]) if columns else _iso(generated_at),
            "end": _iso(window_end),
        },
        "subject": {
            "source": options.source.id if options.source else None,
            "target": options.target.id if options.target else None,
        },
        "unit": "ms",
        "bounds_ms": ["+Inf" if math.isinf(b) else _round(b) for b in bounds],
        "columns": rendered,
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _round(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(f"{value:.6g}")
