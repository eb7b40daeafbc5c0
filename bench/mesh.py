"""Synthetic meshes: a topology of workloads and edges, as Prometheus backfill and as records.

Half the namespaces are Istio, half Linkerd; each workload calls `edges_per_workload` others
in its namespace. Every edge has a steady request rate, a 2 % error share, a 20-bucket
latency histogram and mTLS on, so the same topology can be:
- written as OpenMetrics for `promtool tsdb create-blocks-from openmetrics` (the real path:
  Prometheus → MeshTelemetrySource), streamed to a file because size l is gigabytes, or
- yielded directly as `CycleRecords` by `SyntheticSource` (cheap cycles for the figures that
  only need stored rows to change: live deltas, rollups), with a per-cycle wobble.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from bench.sizes import Size
from collectors.records import CycleRecords, EdgeSample, Histogram, Peer

START = 1_700_000_000  # backfilled data is old: Prometheus runs with a 100 y retention
STEP_S = 15
DURATION_S = 180  # enough for a 60 s rate() at the repeated cycle times below
FIRST_CYCLE = START + 120  # cycles query at FIRST_CYCLE + 15 s × i, inside the data
ERROR_SHARE = 0.02


@dataclass(frozen=True)
class Edge:
    """One synthetic edge: client and server workloads in one namespace, and its rate."""

    namespace: str
    mesh: str
    source: str
    destination: str
    rps: float
    index: int


def namespace_name(i: int) -> str:
    return f"bench-{i:03d}"


# Istio's default request-duration buckets (ms): 19 finite bounds and +Inf make the 20.
ISTIO_BOUNDS_MS = (0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000,
                   60000, 300000, 600000, 1800000, 3600000)  # fmt: skip
TYPICAL_MS = 30.0  # latencies fall off exponentially around this


def bucket_bounds(buckets: int) -> list[float]:
    """`buckets - 1` finite upper bounds in ms (Istio's defaults, then doubling) and +Inf."""
    finite = list(ISTIO_BOUNDS_MS[: buckets - 1])
    while len(finite) < buckets - 1:
        finite.append(finite[-1] * 2)
    return [*map(float, finite), math.inf]


def cumulative_shares(buckets: int) -> list[float]:
    """Share of requests at or below each bound, the last one (+Inf) exactly 1."""
    finite = bucket_bounds(buckets)[:-1]
    return [1 - math.exp(-b / TYPICAL_MS) for b in finite] + [1.0]


def topology(size: Size) -> list[Edge]:
    """The edges of a mesh of `size`: workloads split evenly over namespaces, meshes alternate."""
    per_ns = max(size.edges_per_workload + 1, size.workloads // size.namespaces)
    edges: list[Edge] = []
    for ns_i in range(size.namespaces):
        ns, mesh = namespace_name(ns_i), ("istio" if ns_i % 2 == 0 else "linkerd")
        for w in range(per_ns):
            for k in range(1, size.edges_per_workload + 1):
                index = len(edges)
                rps = 1.0 + (index * 7919) % 50
                dst = f"svc-{(w + k) % per_ns:04d}"
                edges.append(Edge(ns, mesh, f"svc-{w:04d}", dst, rps, index))
    return edges


def _labels(labels: dict[str, str]) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def istio_labels(edge: Edge, reporter: str) -> dict[str, str]:
    """Istio's standard labels of an edge, as its proxies would report them."""
    ns = edge.namespace
    return {
        "reporter": reporter, "source_cluster": "bench", "destination_cluster": "bench",
        "source_workload_namespace": ns, "source_workload": edge.source,
        "source_canonical_service": edge.source, "source_canonical_revision": "v1",
        "source_principal": f"spiffe://cluster.local/ns/{ns}/sa/{edge.source}",
        "destination_workload_namespace": ns, "destination_workload": edge.destination,
        "destination_canonical_service": edge.destination,
        "destination_canonical_revision": "v1",
        "destination_principal": f"spiffe://cluster.local/ns/{ns}/sa/{edge.destination}",
        "destination_service_namespace": ns, "destination_service_name": edge.destination,
        "destination_service": f"{edge.destination}.{ns}.svc.cluster.local",
        "request_protocol": "http", "connection_security_policy": "mutual_tls",
        "response_flags": "-", "grpc_response_status": "",
    }  # fmt: skip


def linkerd_labels(edge: Edge) -> dict[str, str]:
    """Linkerd's outbound labels of an edge, with the scrape-time pod-owner labels."""
    ns = edge.namespace
    return {
        "direction": "outbound", "namespace": ns, "deployment": edge.source,
        "pod": f"{edge.source}-5d4f7c9b8-abcde", "dst_namespace": ns,
        "dst_deployment": edge.destination, "dst_service": edge.destination,
        "tls": "true", "authority": f"{edge.destination}.{ns}.svc.cluster.local:8080",
    }  # fmt: skip


def counter_series(edge: Edge, buckets: int) -> Iterator[tuple[str, dict[str, str], float]]:
    """(metric, labels, per-second rate) of every counter series the edge's proxies export."""
    ok, failed = edge.rps * (1 - ERROR_SHARE), edge.rps * ERROR_SHARE
    bounds = bucket_bounds(buckets)
    shares = cumulative_shares(buckets)
    les = ["+Inf" if math.isinf(b) else f"{b:g}" for b in bounds]
    if edge.mesh == "istio":
        for reporter in ("destination", "source"):
            base = istio_labels(edge, reporter)
            yield "istio_requests_total", {**base, "response_code": "200"}, ok
            yield "istio_requests_total", {**base, "response_code": "503"}, failed
        dest = istio_labels(edge, "destination")
        for le, share in zip(les, shares, strict=True):
            yield "istio_request_duration_milliseconds_bucket", {**dest, "le": le}, edge.rps * share
        yield "istio_request_bytes_sum", dest, edge.rps * 300
        yield "istio_response_bytes_sum", dest, edge.rps * 2000
        return
    base = linkerd_labels(edge)
    yield "request_total", base, edge.rps
    yield "response_total", {**base, "status_code": "200", "classification": "success"}, ok
    yield "response_total", {**base, "status_code": "500", "classification": "failure"}, failed
    for le, share in zip(les, shares, strict=True):
        yield (
            "response_latency_ms_bucket",
            {**base, "status_code": "200", "le": le},
            edge.rps * share,
        )
    tcp = {**base, "peer": "dst"}
    yield "tcp_write_bytes_total", tcp, edge.rps * 300
    yield "tcp_read_bytes_total", tcp, edge.rps * 2000
    yield "tcp_open_total", tcp, 0.1


def write_openmetrics(edges: list[Edge], buckets: int, out: TextIO) -> int:
    """Every series of `edges` as backfill text (families not interleaved); returns the count."""
    families: dict[str, list[tuple[str, float]]] = {}
    for edge in edges:
        for metric, labels, rate in counter_series(edge, buckets):
            families.setdefault(metric, []).append((_labels(labels), rate))
    count = 0
    steps = range(0, DURATION_S + 1, STEP_S)
    for metric, series in families.items():
        for text, rate in series:
            out.writelines(f"{metric}{text} {rate * s!r} {START + s}\n" for s in steps)
            count += 1
    out.write("# EOF\n")
    return count


def write_backfill(size: Size, path: Path) -> int:
    """The backfill file of `size` at `path`; returns how many series it holds."""
    with path.open("w", buffering=1 << 20) as out:
        return write_openmetrics(topology(size), size.buckets, out)


def cycle_time(i: int) -> datetime:
    """The time of the i-th measured cycle (inside the backfilled data for i < 5)."""
    return datetime.fromtimestamp(FIRST_CYCLE + STEP_S * i, tz=UTC)


class SyntheticSource:
    """The topology as records, without Prometheus: a cheap source of changing cycles."""

    name = "bench-synthetic"

    def __init__(self, size: Size) -> None:
        self.edges = topology(size)
        self.bounds = tuple(bucket_bounds(size.buckets))
        shares = cumulative_shares(size.buckets)
        self.shares = tuple(b - a for a, b in zip([0.0, *shares[:-1]], shares, strict=True))

    def fetch(self, at: datetime, interval_s: float) -> CycleRecords:
        """One cycle's records; rates wobble by ±20 % with time so every delta has content."""
        from collectors.mesh import telemetry_inventory

        phase = at.timestamp() / STEP_S
        samples = tuple(self._sample(e, phase, interval_s) for e in self.edges)
        return CycleRecords(at, self.name, telemetry_inventory(samples), samples)

    def _sample(self, edge: Edge, phase: float, interval_s: float) -> EdgeSample:
        requests = edge.rps * interval_s * (1 + 0.2 * math.sin(phase + edge.index))
        counts = tuple(requests * share for share in self.shares)
        return EdgeSample(
            source=Peer(edge.namespace, edge.source, edge.source, "v1"),
            destination=Peer(edge.namespace, edge.destination, edge.destination, "v1",
                             service=edge.destination),
            protocol="http", mesh=edge.mesh, interval_s=interval_s, requests=requests,
            errors_5xx=requests * ERROR_SHARE, mtls_requests=requests,
            bytes_sent=requests * 300, bytes_received=requests * 2000,
            latency=Histogram(self.bounds, counts),
        )  # fmt: skip


def after(at: datetime, cycles: int) -> datetime:
    """`cycles` intervals after `at`."""
    return at + timedelta(seconds=STEP_S * cycles)
