"""Mesh telemetry from a real Prometheus, as a Source of the collection pipeline.

`MeshTelemetrySource` runs one fixed set of queries per cycle (see istio.py and linkerd.py),
whatever the number of viewers or namespaces, and turns the answers into the same records the
simulator yields. With Prometheus as the only configured source it also derives a minimal
inventory from the telemetry labels, as Kiali draws its graph from telemetry alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from collectors.dns import coredns
from collectors.mesh import istio, linkerd
from collectors.mesh.common import MeshQuery
from collectors.prometheus import PrometheusClient, PrometheusError, Sample
from collectors.records import (
    CycleRecords,
    EdgeSample,
    Inventory,
    NamespaceRecord,
    Peer,
    WorkloadRecord,
)

__all__ = ["MeshTelemetrySource", "PrometheusError", "detect_dialects", "limit_edges"]

DIALECTS = {"istio": istio, "linkerd": linkerd}
MAX_EDGES = 20_000
MIN_RANGE_S = 60  # ≥ 4 scrapes at the usual 15 s: rate() needs two points in its range


def detect_dialects(names: Iterable[str]) -> tuple[str, ...]:
    """The meshes whose marker metrics exist; both at once is fine (two meshes, one cluster)."""
    present = set(names)
    return tuple(d for d, module in DIALECTS.items() if present & set(module.MARKERS))


def limit_edges(edges: Sequence[EdgeSample], max_edges: int) -> tuple[list[EdgeSample], str]:
    """The `max_edges` busiest edges (by request rate, then bytes) and a gap message if any cut."""
    if len(edges) <= max_edges:
        return list(edges), ""

    def weight(edge: EdgeSample) -> tuple[float, float]:
        return (edge.requests, edge.bytes_sent + edge.bytes_received)

    kept = sorted(edges, key=weight, reverse=True)[:max_edges]
    cut = len(edges) - max_edges
    return kept, (
        f"cardinality guard: {len(edges)} edges, kept the {max_edges} busiest by request rate, "
        f"cut {cut}"
    )


def telemetry_inventory(edges: Iterable[EdgeSample]) -> Inventory:
    """Namespaces and workloads (app, version, mesh) as the telemetry names them."""
    workloads: dict[tuple[str, str], WorkloadRecord] = {}
    meshes: dict[str, str] = {}
    for edge in edges:
        for peer in (edge.source, edge.destination):
            if peer.is_unknown or peer.namespace in ("", "unknown"):
                continue
            workloads.setdefault((peer.namespace, peer.workload), _workload(peer, edge.mesh))
            meshes.setdefault(peer.namespace, edge.mesh)
    return Inventory(
        namespaces=tuple(NamespaceRecord(ns, mesh=meshes[ns]) for ns in sorted(meshes)),
        workloads=tuple(workloads[key] for key in sorted(workloads)),
    )


def _workload(peer: Peer, mesh: str) -> WorkloadRecord:
    return WorkloadRecord(
        namespace=peer.namespace, name=peer.workload, app=peer.app, version=peer.version, mesh=mesh
    )


class MeshTelemetrySource:
    """Istio and/or Linkerd telemetry read from Prometheus at `prometheus_url`.

    `dialect` is "auto" (detected each cycle from the metric names, so a mesh installed later
    appears by itself), "istio", "linkerd" or "istio,linkerd". A query that fails raises
    PrometheusError: the pipeline records a gap rather than zeros.
    """

    name = "prometheus"

    def __init__(
        self,
        prometheus_url: str,
        dialect: str = "auto",
        timeout_s: float = 10,
        *,
        max_edges: int = MAX_EDGES,
        min_range_s: int = MIN_RANGE_S,
        client: PrometheusClient | None = None,
    ) -> None:
        self.client = client or PrometheusClient(prometheus_url, timeout_s=timeout_s)
        self.dialect = dialect.strip().lower() or "auto"
        unknown = set(self._configured()) - set(DIALECTS)
        if self.dialect != "auto" and unknown:
            raise ValueError(f"unknown mesh dialect(s) {sorted(unknown)}; use auto, istio, linkerd")
        self.max_edges = max_edges
        self.min_range_s = min_range_s

    def _configured(self) -> tuple[str, ...]:
        return tuple(d.strip() for d in self.dialect.split(",") if d.strip())

    def queries(self, at: datetime, interval_s: float) -> list[tuple[str, MeshQuery]]:
        """(dialect, query) pairs of one cycle, after detecting which metrics exist."""
        range_s = max(int(round(interval_s)), self.min_range_s)
        names = self.client.metric_names(start=at - timedelta(hours=1), end=at)
        dialects = detect_dialects(names) if self.dialect == "auto" else self._configured()
        mesh = [(d, q) for d in dialects for q in DIALECTS[d].queries(range_s, names)]
        # CoreDNS rides along in the same fixed set; `_records` parses it apart.
        return mesh + [(coredns.DIALECT, q) for q in coredns.queries(range_s, names)]

    def fetch(self, at: datetime, interval_s: float) -> CycleRecords:
        """One cycle: detect, query, parse, cut to the cardinality limit, derive inventory."""
        planned = self.queries(at, interval_s)
        answers: dict[str, dict[str, list[Sample]]] = {}
        for dialect, query in planned:
            answers.setdefault(dialect, {})[query.metric] = self.client.query(query.promql, at)
        return self._records(at, interval_s, planned, answers)

    def fetch_range(
        self, times: Sequence[datetime], interval_s: float
    ) -> dict[datetime, CycleRecords]:
        """The records of many cycles at once: one range query per metric instead of one
        instant query per metric per cycle. `times` are cycle times `interval_s` apart."""
        if not times:
            return {}
        start, end = min(times), max(times)
        planned = self.queries(end, interval_s)
        per_time: dict[float, dict[str, dict[str, list[Sample]]]] = {}
        for dialect, query in planned:
            matrix = self.client.query_range(query.promql, start, end, interval_s)
            for ts, vector in matrix.items():
                per_time.setdefault(round(ts, 3), {}).setdefault(dialect, {})[query.metric] = vector
        return {
            at: self._records(at, interval_s, planned, per_time.get(round(at.timestamp(), 3), {}))
            for at in times
        }

    def _records(
        self,
        at: datetime,
        interval_s: float,
        planned: Sequence[tuple[str, MeshQuery]],
        answers: dict[str, dict[str, list[Sample]]],
    ) -> CycleRecords:
        """Parse one cycle's answers into records (shared by fetch and fetch_range)."""
        edges: list[EdgeSample] = []
        gaps: list[str] = []
        dns, dns_gaps = coredns.parse(answers.get(coredns.DIALECT, {}), interval_s)
        gaps.extend(f"{coredns.DIALECT}: {gap}" for gap in dns_gaps)
        for dialect, results in answers.items():
            if dialect == coredns.DIALECT:
                continue
            parsed, dialect_gaps = DIALECTS[dialect].parse(results, interval_s)
            edges.extend(parsed)
            gaps.extend(f"{dialect}: {gap}" for gap in dialect_gaps)
        if not any(dialect in DIALECTS for dialect, _ in planned):
            gaps.append("no Istio or Linkerd metrics found in Prometheus")
        edges, cut = limit_edges(edges, self.max_edges)
        if cut:
            gaps.append(cut)
        return CycleRecords(
            at=at,
            source=self.name,
            inventory=telemetry_inventory(edges),
            edges=tuple(edges),
            gaps=tuple(gaps),
            dns=tuple(dns),
        )
