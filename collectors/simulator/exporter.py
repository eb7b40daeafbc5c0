"""The simulator as a Prometheus target: its mesh traffic in Istio's and Linkerd's exposition.

`docker compose up` runs the whole production path without a cluster: Prometheus scrapes this
exporter, and the worker reads the series back through `collectors/mesh` with real PromQL. So
the exporter emits exactly the metric names and labels istio.py and linkerd.py query.

Counters are a pure function of (seed, epoch, time): the integral of the simulator's traffic
since `epoch`. The simulator's totals are defined per 15 s noise bucket (the interval its own
cycles use), so the cumulative value at time t is

    C(t) = sum of the totals of the buckets completed since `epoch`
           + the current bucket's totals x the share of it already elapsed.

A scrape at any moment, by any number of Prometheus servers, sees the same value for the same
t; the counters only grow; and `rate(x[15s])` over a grid-aligned window gives back the
simulator's own records for that cycle. Completed buckets are summed once and kept as a
running total, so a scrape costs two buckets' worth of simulator work, not the whole history.

What is emitted, per edge of the simulator (see topology.py):
- Istio (destination namespace in Istio): `istio_requests_total` split by response_code,
  grpc_response_status, response_flags and connection_security_policy; the
  `istio_request_duration_milliseconds` histogram in Istio's default buckets; request and
  response size sums; TCP byte counters for TCP edges. The server's proxy reports as
  reporter="destination" (with the real mTLS policy); the client's proxy, when the client has
  one, reports the same requests again as reporter="source" with policy "unknown", as Istio
  does; the parser keeps one copy. Egress (fulfillment-worker → PassthroughCluster) and an
  orphan Service (no endpoints) are reported by the client only.
  `istio_tcp_connections_opened_total` is not emitted: the simulator has no connection
  counts, and inventing some would give TCP edges request rates the simulator never had.
- Linkerd (destination namespace in Linkerd): the client proxy's `direction="outbound"`
  `request_total`, `response_total` (status_code, grpc_status, classification),
  `response_latency_ms` in Linkerd's buckets and `tcp_{write,read}_bytes_total` with
  `peer="dst"`, labelled with the pod-owner labels Prometheus would attach at scrape time
  (`namespace`, `deployment`, `app`, `version`) and Linkerd's `dst_*` labels and `tls`.

Scrape it with `honor_labels: true`: the series carry a `namespace` label of their own, which
a Kubernetes scrape config would otherwise overwrite with the exporter pod's namespace.
CoreDNS series are not emitted yet: the simulator has no DNS records to integrate.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from prometheus_client.core import Metric
from prometheus_client.registry import CollectorRegistry

from collectors.records import EdgeSample, Histogram, Peer
from collectors.simulator.catalog import ISTIO as ISTIO_SIDECAR
from collectors.simulator.catalog import LINKERD as LINKERD_SIDECAR
from collectors.simulator.catalog import WORLD
from collectors.simulator.noise import NOISE_BUCKET_S
from collectors.simulator.topology import EDGES, UNKNOWN, edge_mesh, peer
from collectors.simulator.traffic import ResolvedEdge, request_rates, sample
from collectors.simulator.world import World

BUCKET_S = NOISE_BUCKET_S
CLUSTER = "Kubernetes"  # Istio's default cluster id, what an unconfigured mesh reports
# One label set, sorted, as a hashable key; a series is (sample name, labels).
Labels = tuple[tuple[str, str], ...]
SeriesKey = tuple[str, Labels]

# family → (Prometheus type, help). Sample names add _total / _bucket / _sum / _count.
FAMILIES: dict[str, tuple[str, str]] = {
    "istio_requests": ("counter", "Requests seen by an Istio proxy (simulated)."),
    "istio_request_duration_milliseconds": ("histogram", "Request duration (simulated)."),
    "istio_request_bytes": ("histogram", "Request body sizes (simulated)."),
    "istio_response_bytes": ("histogram", "Response body sizes (simulated)."),
    "istio_tcp_sent_bytes": ("counter", "Bytes sent by the server side (simulated)."),
    "istio_tcp_received_bytes": ("counter", "Bytes received by the server side (simulated)."),
    "request": ("counter", "Requests sent by a Linkerd proxy (simulated)."),
    "response": ("counter", "Responses received by a Linkerd proxy (simulated)."),
    "response_latency_ms": ("histogram", "Response latency in ms (simulated)."),
    "tcp_write_bytes": ("counter", "Bytes written towards the peer (simulated)."),
    "tcp_read_bytes": ("counter", "Bytes read from the peer (simulated)."),
}
_SUFFIXES = ("_total", "_bucket", "_sum", "_count")

# The HTTP status each error class is reported with: the checkout incident is a 400, web's
# failed votes a 500 (topology.py); otherwise a 404 and Envoy's 503.
_STATUS_4XX = {"storefront>orders": "400"}
_STATUS_5XX = {"vote-bot>web": "500"}
_GRPC_ERROR = "2"  # UNKNOWN: what emojivoto's voting answers for a :doughnut: vote


def resolved_edges(world: World = WORLD) -> tuple[ResolvedEdge, ...]:
    """The simulator's edges with their telemetry peers, as Simulator resolves them."""
    return tuple(
        ResolvedEdge(e, peer(world, e.source), peer(world, e.destination, e.service),
                     edge_mesh(world, e))
        for e in EDGES
    )  # fmt: skip


def bucket_samples(
    edges: tuple[ResolvedEdge, ...], seed: int, end: float
) -> list[tuple[ResolvedEdge, EdgeSample]]:
    """Each edge's sample over the bucket ending at `end`, exactly as `records_at(end, 15)`."""
    start = end - BUCKET_S
    rates = request_rates(seed, (start + end) / 2.0)
    pairs = ((edge, sample(edge, rates[edge.spec.id], seed, start, end)) for edge in edges)
    return [(edge, s) for edge, s in pairs if s is not None]


# --- one interval's counts as series -----------------------------------------------------


def _key(name: str, labels: Mapping[str, str]) -> SeriesKey:
    # Empty values are dropped: Prometheus treats an empty label as an absent one.
    return name, tuple(sorted((k, v) for k, v in labels.items() if v != ""))


def _bound(bound: float) -> str:
    if math.isinf(bound):
        return "+Inf"
    return str(int(bound)) if bound == int(bound) else repr(bound)


def _histogram(
    out: dict[SeriesKey, float], family: str, labels: Mapping[str, str], hist: Histogram
) -> None:
    """Cumulative `le` buckets, `_sum` and `_count` of one interval's latency counts."""
    cumulative = 0.0
    total_ms = 0.0
    previous = 0.0
    for bound, count in zip(hist.bounds_ms, hist.counts, strict=True):
        cumulative += count
        out[_key(f"{family}_bucket", {**labels, "le": _bound(bound)})] = cumulative
        # The sum is not in the simulator's records: estimate each request at its bucket's
        # midpoint (the +Inf bucket at the last finite bound). Nothing meshwatch reads uses it.
        upper = previous if math.isinf(bound) else bound
        total_ms += count * (previous + upper) / 2.0
        previous = upper
    out[_key(f"{family}_sum", labels)] = total_ms
    out[_key(f"{family}_count", labels)] = cumulative


def _size(out: dict[SeriesKey, float], family: str, labels: Mapping[str, str], n: float,
          total: float) -> None:  # fmt: skip
    """A size histogram reduced to its +Inf bucket: meshwatch reads only the `_sum`."""
    out[_key(f"{family}_bucket", {**labels, "le": "+Inf"})] = n
    out[_key(f"{family}_sum", labels)] = total
    out[_key(f"{family}_count", labels)] = n


def _outcomes(edge: ResolvedEdge, s: EdgeSample) -> list[tuple[str, str, float]]:
    """(HTTP status, gRPC status, count) per outcome; the counts sum to the requests."""
    grpc = s.protocol == "grpc"
    ok = s.requests - s.errors_4xx - s.errors_5xx - s.no_response - s.errors_grpc
    rows = [
        ("200", "0" if grpc else "", max(0.0, ok)),
        (_STATUS_4XX.get(edge.spec.id, "404"), "", s.errors_4xx),
        (_STATUS_5XX.get(edge.spec.id, "503"), "", s.errors_5xx),
        ("0", "", s.no_response),
        ("200", _GRPC_ERROR, s.errors_grpc),
    ]
    return [row for row in rows if row[2] > 0.0]


def _flag(s: EdgeSample, code: str) -> str:
    """The response_flags label of one outcome row, from the sample's own flags (traffic.py).

    DC goes with the no-response rows (code 0), UH with the 5xx of an orphan Service.
    """
    if code == "0" and s.response_flags.get("DC"):
        return "DC"
    if code[:1] == "5" and s.response_flags.get("UH"):
        return "UH"
    return "-"


def _istio_side(prefix: str, p: Peer) -> dict[str, str]:
    if p.is_unknown:
        return {
            f"{prefix}_workload": UNKNOWN,
            f"{prefix}_workload_namespace": UNKNOWN,
            f"{prefix}_canonical_service": UNKNOWN,
        }
    # An unversioned workload has no canonical revision here (real Istio says "latest"), so
    # the Prometheus path yields the same peers, and graph ids, as the simulator itself.
    return {
        f"{prefix}_workload": p.workload,
        f"{prefix}_workload_namespace": p.namespace,
        f"{prefix}_canonical_service": p.app,
        f"{prefix}_canonical_revision": p.version,
    }


def _has_sidecar(world: World, key: str, mesh: str) -> bool:
    if key == UNKNOWN or key.endswith(f"/{UNKNOWN}"):
        return False
    return world.workload(key).sidecar == mesh


def istio_series(edge: ResolvedEdge, s: EdgeSample, world: World = WORLD) -> dict[SeriesKey, float]:
    """One interval of an Istio edge as Istio's proxies would count it."""
    dst = edge.destination
    service_ns = dst.namespace
    base = {
        "source_cluster": CLUSTER, "destination_cluster": CLUSTER,
        **_istio_side("source", edge.source), **_istio_side("destination", dst),
        "destination_service_name": dst.service, "destination_service_namespace": service_ns,
        # Egress has no Service: Istio names the cluster it left through (PassthroughCluster).
        "destination_service": dst.service if service_ns == UNKNOWN
        else f"{dst.service}.{service_ns}.svc.cluster.local",
    }  # fmt: skip
    reporters = []
    if _has_sidecar(world, edge.spec.destination, ISTIO_SIDECAR):
        reporters.append(("destination", "none" if edge.spec.plaintext else "mutual_tls"))
    if _has_sidecar(world, edge.spec.source, ISTIO_SIDECAR):
        reporters.append(("source", "unknown"))  # the client's proxy cannot see the policy
    out: dict[SeriesKey, float] = {}
    for reporter, policy in reporters:
        labels = {**base, "reporter": reporter}
        if s.protocol == "tcp":
            tcp = {**labels, "request_protocol": "tcp", "connection_security_policy": policy}
            out[_key("istio_tcp_received_bytes_total", tcp)] = s.bytes_sent  # request direction
            out[_key("istio_tcp_sent_bytes_total", tcp)] = s.bytes_received
            continue
        http = {**labels, "request_protocol": s.protocol}
        for code, grpc, count in _outcomes(edge, s):
            row = {**http, "response_code": code, "grpc_response_status": grpc,
                   "response_flags": _flag(s, code),
                   "connection_security_policy": policy}  # fmt: skip
            out[_key("istio_requests_total", row)] = count
        if s.latency is not None:
            _histogram(out, "istio_request_duration_milliseconds", http, s.latency)
        _size(out, "istio_request_bytes", http, s.requests, s.bytes_sent)
        _size(out, "istio_response_bytes", http, s.requests, s.bytes_received)
    return out


def _kind(world: World, key: str) -> str:
    """The owner kind as Linkerd's labels name it: deployment, statefulset, daemonset, job."""
    return world.workload(key).kind.lower()


def _source_owner(world: World, key: str) -> str:
    kind = _kind(world, key)
    return "k8s_job" if kind == "job" else kind


def linkerd_series(
    edge: ResolvedEdge, s: EdgeSample, world: World = WORLD
) -> dict[SeriesKey, float]:
    """One interval of a Linkerd edge as the client's proxy counts it (outbound)."""
    if not _has_sidecar(world, edge.spec.source, LINKERD_SIDECAR):
        return {}  # only a meshed client's proxy reports the outbound side meshwatch reads
    src, dst = edge.source, edge.destination
    mtls = s.mtls_requests is not None and s.mtls_requests > 0.0
    labels = {
        "direction": "outbound", "namespace": src.namespace,
        # A Job owner is `k8s_job` on the source: `job` is the scrape job's own label.
        _source_owner(world, edge.spec.source): src.workload, "app": src.app,
        "version": src.version, "dst_namespace": dst.namespace, "dst_service": dst.service,
        "dst_app": dst.app, "dst_version": dst.version,
        "tls": "true" if mtls else "no_identity",
        "no_tls_reason": "" if mtls else "not_provided_by_remote",
    }  # fmt: skip
    if not dst.is_unknown:
        labels[f"dst_{_kind(world, edge.spec.destination)}"] = dst.workload
    out: dict[SeriesKey, float] = {}
    if s.protocol != "tcp":
        out[_key("request_total", labels)] = s.requests
        for code, grpc, count in _outcomes(edge, s):
            failed = code[0] == "5" or code == "0" or grpc not in ("", "0")
            row = {**labels, "status_code": "" if code == "0" else code, "grpc_status": grpc,
                   "classification": "failure" if failed else "success"}  # fmt: skip
            out[_key("response_total", row)] = count
        if s.latency is not None:
            _histogram(out, "response_latency_ms", labels, s.latency)
    tcp = {**labels, "peer": "dst"}
    out[_key("tcp_write_bytes_total", tcp)] = s.bytes_sent  # the client writes requests
    out[_key("tcp_read_bytes_total", tcp)] = s.bytes_received
    return out


def interval_series(
    samples: list[tuple[ResolvedEdge, EdgeSample]], world: World = WORLD
) -> dict[SeriesKey, float]:
    """Every series' increase over one interval, from that interval's edge samples."""
    out: dict[SeriesKey, float] = {}
    for edge, s in samples:
        per_edge = (
            istio_series(edge, s, world) if s.mesh == "istio" else linkerd_series(edge, s, world)
        )
        for key, value in per_edge.items():
            out[key] = out.get(key, 0.0) + value
    return out


# --- the counters: integral since the epoch ----------------------------------------------


def align(ts: float) -> float:
    """`ts` rounded down to the bucket grid (the grid the simulator's cycles use)."""
    return math.floor(ts / BUCKET_S) * BUCKET_S


@dataclass
class _Running:
    """The sum of buckets [0, index) since the epoch."""

    index: int
    totals: dict[SeriesKey, float]


class CumulativeSeries:
    """The exporter's counters as a pure function of time, for one seed and epoch."""

    def __init__(self, seed: int = 7, epoch: float | None = None, world: World = WORLD) -> None:
        """`epoch` (default: now) is rounded down to the 15 s grid; counters are 0 there."""
        self.seed = seed
        self.world = world
        self.epoch = align(time.time() if epoch is None else epoch)
        self._edges = resolved_edges(world)
        self._running = _Running(0, {})
        self._lock = threading.Lock()  # the HTTP server answers scrapes on several threads

    def increase(self, index: int) -> dict[SeriesKey, float]:
        """The increase of every series during bucket `index` (0 = the first after the epoch)."""
        end = self.epoch + (index + 1) * BUCKET_S
        return interval_series(bucket_samples(self._edges, self.seed, end), self.world)

    def _completed(self, index: int) -> dict[SeriesKey, float]:
        """The sum of buckets [0, index): advanced incrementally, restarted if asked earlier."""
        with self._lock:
            if index < self._running.index:
                self._running = _Running(0, {})  # pure: recomputing gives the same answer
            totals = dict(self._running.totals)
            for i in range(self._running.index, index):
                for key, value in self.increase(i).items():
                    totals[key] = totals.get(key, 0.0) + value
            self._running = _Running(index, totals)
            return dict(totals)  # a copy: the caller adds the current bucket to it

    def at(self, ts: float) -> dict[SeriesKey, float]:
        """Every series' value at Unix time `ts` (nothing before the epoch)."""
        if ts < self.epoch:
            return {}
        index = int((ts - self.epoch) // BUCKET_S)
        elapsed = (ts - self.epoch - index * BUCKET_S) / BUCKET_S
        values = self._completed(index)
        for key, value in self.increase(index).items():
            values[key] = values.get(key, 0.0) + value * elapsed
        return values


# --- exposition --------------------------------------------------------------------------


def family_of(sample_name: str) -> str:
    """The family a sample belongs to (`istio_requests_total` → `istio_requests`)."""
    for suffix in _SUFFIXES:
        base = sample_name.removesuffix(suffix)
        if base != sample_name and base in FAMILIES:
            return base
    raise KeyError(sample_name)


def metrics(values: Mapping[SeriesKey, float]) -> list[Metric]:
    """prometheus_client metric families holding `values`, in a stable order."""
    families: dict[str, Metric] = {}
    for name, labels in sorted(values):
        family = family_of(name)
        if family not in families:
            kind, doc = FAMILIES[family]
            families[family] = Metric(family, doc, kind)
        families[family].add_sample(name, dict(labels), values[(name, labels)])
    return [families[name] for name in sorted(families)]


class SimulatorCollector:
    """A prometheus_client collector: every scrape reads the counters at the current time."""

    def __init__(self, series: CumulativeSeries) -> None:
        self.series = series

    def collect(self) -> Iterator[Metric]:
        """The metric families at the moment of the scrape."""
        yield from metrics(self.series.at(time.time()))


def registry(series: CumulativeSeries) -> CollectorRegistry:
    """A registry with only the simulator's series (no process metrics of the exporter)."""
    reg = CollectorRegistry(auto_describe=False)
    reg.register(SimulatorCollector(series))  # type: ignore[arg-type]
    return reg
