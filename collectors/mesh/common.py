"""What the Istio and Linkerd parsers share: edge keys, per-edge accumulation, classification.

Query answers arrive as per-second rates (`rate(...[range])`); the parsers multiply by the
cycle's interval so every EdgeSample holds counts over its interval, as records.py asks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from collectors.prometheus import Sample, split_finite
from collectors.records import EdgeSample, Histogram, Peer
from webapp.traffic.flags import add_flags, split_flags
from webapp.traffic.histogram import from_cumulative, merge, parse_bound, to_ms

UNKNOWN = "unknown"
UNKNOWN_PEER = Peer(namespace=UNKNOWN, workload=UNKNOWN)


@dataclass(frozen=True)
class MeshQuery:
    """One query of the cycle: the metric it reads and its PromQL."""

    metric: str
    promql: str


@dataclass(frozen=True)
class EdgeKey:
    """What makes two rows the same edge: both ends, the protocol and the mesh."""

    source: Peer
    destination: Peer
    protocol: str
    mesh: str


KeyOf = Callable[[Mapping[str, str]], "EdgeKey"]


def known(value: str | None) -> str:
    """`value`, or "" when telemetry says it does not know it."""
    return "" if value in (None, "", UNKNOWN) else str(value)


def response_class(code: str, grpc_status: str) -> str:
    """The one error class of a response ("" for success), keeping the classes disjoint.

    HTTP code 0 means the proxy got no response at all. A gRPC status other than OK only
    counts when the HTTP status is not already an error (gRPC errors travel in a 200).
    """
    code = code.strip()
    if code == "0":
        return "no_response"
    if code[:1] == "4" and len(code) == 3:
        return "errors_4xx"
    if code[:1] == "5" and len(code) == 3:
        return "errors_5xx"
    if grpc_status.strip() not in ("", "0", "OK"):
        return "errors_grpc"
    return ""


@dataclass
class EdgeTotals:
    """Counts of one edge over the interval, while rows are folded in."""

    requests: float = 0.0
    errors: dict[str, float] = field(default_factory=dict)
    mtls: float = 0.0
    security_known: float = 0.0
    security_seen: bool = False
    bytes_sent: float = 0.0
    bytes_received: float = 0.0
    buckets: list[dict[float, float]] = field(default_factory=list)
    flags: dict[str, float] = field(default_factory=dict)

    def add_requests(self, count: float, error_class: str, security: str | None) -> None:
        """Count `count` requests of one error class; security is "mtls", "plain" or None."""
        self.requests += count
        if error_class:
            self.errors[error_class] = self.errors.get(error_class, 0.0) + count
        self.add_security(count, security)

    def add_flags(self, count: float, response_flags: str | None) -> None:
        """Count `count` requests under each Envoy flag of a `response_flags` label value."""
        add_flags(self.flags, split_flags(response_flags), count)

    def add_security(self, count: float, security: str | None) -> None:
        """Note whether `count` requests (or connections) were protected."""
        if security is None:
            return
        self.security_seen = True
        self.security_known += count
        if security == "mtls":
            self.mtls += count

    def histogram(self) -> Histogram | None:
        """The latency histogram of every bucket layout seen, merged."""
        parts = [from_cumulative(layout) for layout in self.buckets if layout]
        return merge(p for p in parts if p.bounds_ms)

    def sample(self, key: EdgeKey, interval_s: float) -> EdgeSample:
        """The EdgeSample of these totals."""
        return EdgeSample(
            source=key.source,
            destination=key.destination,
            protocol=key.protocol,
            mesh=key.mesh,
            interval_s=interval_s,
            requests=self.requests,
            errors_4xx=self.errors.get("errors_4xx", 0.0),
            errors_5xx=self.errors.get("errors_5xx", 0.0),
            errors_grpc=self.errors.get("errors_grpc", 0.0),
            no_response=self.errors.get("no_response", 0.0),
            # Unknown policy on every row: say "unknown", not "plaintext".
            mtls_requests=self.mtls if self.security_seen else None,
            bytes_sent=self.bytes_sent,
            bytes_received=self.bytes_received,
            latency=self.histogram(),
            response_flags=dict(self.flags),
        )


class Edges:
    """Edge totals by key, plus the words for what had to be left out."""

    def __init__(self) -> None:
        self.totals: dict[EdgeKey, EdgeTotals] = {}
        self.gaps: list[str] = []

    def at(self, key: EdgeKey) -> EdgeTotals:
        """The totals of `key`, created empty when new."""
        totals = self.totals.get(key)
        if totals is None:
            totals = self.totals[key] = EdgeTotals()
        return totals

    def finite(self, family: str, rows: Iterable[Sample]) -> list[Sample]:
        """`rows` without NaN/±Inf values; a gap message says how many were dropped."""
        kept, dropped = split_finite(rows)
        if dropped:
            self.gaps.append(f"{family}: dropped {dropped} non-finite value(s) (NaN or Inf)")
        return kept

    def add_buckets(self, key: EdgeKey, rows: Sequence[tuple[str, float]], unit: str) -> None:
        """Cumulative (le, count) pairs of one layout for one edge, bounds converted to ms."""
        layout: dict[float, float] = {}
        for le, count in rows:
            bound = to_ms((parse_bound(le),), unit)[0]
            layout[bound] = layout.get(bound, 0.0) + count
        if layout and math.isinf(max(layout)):
            self.at(key).buckets.append(layout)

    def samples(self, interval_s: float) -> list[EdgeSample]:
        """One EdgeSample per key, in a stable order."""
        ordered = sorted(self.totals.items(), key=lambda item: _sort_key(item[0]))
        return [totals.sample(key, interval_s) for key, totals in ordered]


def _sort_key(key: EdgeKey) -> tuple[str, ...]:
    s, d = key.source, key.destination
    return (s.namespace, s.workload, d.namespace, d.workload, d.service, key.protocol, key.mesh)
