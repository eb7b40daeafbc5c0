"""The plain records every source yields.

The Kubernetes collector, the Prometheus collectors and the simulator all produce these, so
everything downstream (storage, builders, broadcast) is one code path for the demo and for
production. Records are immutable dataclasses with no Django in them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

INF = math.inf


@dataclass(frozen=True)
class NamespaceRecord:
    """A Kubernetes namespace and what the mesh thinks of it."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)
    mesh: str = ""  # "istio", "linkerd" or "" when not enrolled


@dataclass(frozen=True)
class WorkloadRecord:
    """A Deployment, StatefulSet, DaemonSet, Job or bare Pod owner as the graph sees it."""

    namespace: str
    name: str
    kind: str = "Deployment"
    app: str = ""
    version: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    mesh: str = ""
    replicas: int = 1


@dataclass(frozen=True)
class ServicePort:
    """One port of a Service."""

    port: int
    protocol: str = "TCP"
    name: str = ""
    target_port: str = ""


@dataclass(frozen=True)
class ServiceRecord:
    """A Kubernetes Service."""

    namespace: str
    name: str
    type: str = "ClusterIP"
    cluster_ip: str = ""
    selector: dict[str, str] = field(default_factory=dict)
    ports: tuple[ServicePort, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PodRecord:
    """A pod: where it runs and whether the mesh is in it."""

    namespace: str
    name: str
    workload: str = ""
    workload_kind: str = ""
    ip: str = ""
    node: str = ""
    phase: str = "Running"
    ready: bool = True
    labels: dict[str, str] = field(default_factory=dict)
    sidecar: str = ""  # "istio", "linkerd" or "" when the pod has no proxy
    dns_policy: str = "ClusterFirst"
    ndots: int = 5
    search: tuple[str, ...] = ()


@dataclass(frozen=True)
class Inventory:
    """Everything the cluster said in one listing."""

    namespaces: tuple[NamespaceRecord, ...] = ()
    workloads: tuple[WorkloadRecord, ...] = ()
    services: tuple[ServiceRecord, ...] = ()
    pods: tuple[PodRecord, ...] = ()


@dataclass(frozen=True)
class Peer:
    """One end of an edge, as telemetry names it.

    `workload` is "unknown" when the telemetry could not attribute the traffic (a client
    outside the mesh, or a request that never reached a workload). `service` is only set
    on the destination side.
    """

    namespace: str
    workload: str
    app: str = ""
    version: str = ""
    service: str = ""

    @property
    def is_unknown(self) -> bool:
        return self.workload in ("", "unknown")


@dataclass(frozen=True)
class Histogram:
    """Latency counts per bucket for one interval (not cumulative).

    `bounds_ms` are the upper bounds, sorted ascending, the last one +Inf; `counts[i]` is
    the number of requests with latency in (bounds_ms[i-1], bounds_ms[i]].
    """

    bounds_ms: tuple[float, ...]
    counts: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.bounds_ms) != len(self.counts):
            raise ValueError("histogram bounds and counts differ in length")
        if list(self.bounds_ms) != sorted(self.bounds_ms):
            raise ValueError("histogram bounds must be sorted ascending")
        if self.bounds_ms and not math.isinf(self.bounds_ms[-1]):
            raise ValueError("the last histogram bound must be +Inf")

    @property
    def total(self) -> float:
        return float(sum(self.counts))


@dataclass(frozen=True)
class EdgeSample:
    """Traffic on one edge during one collection interval.

    Counts are totals over the interval (`interval_s` seconds ending at the cycle time), so
    samples can be summed over any window. The error classes are disjoint: `no_response`
    (Istio's response_code 0) is not also counted in `errors_5xx`, and `errors_grpc` counts
    gRPC failures whose HTTP status was not already an error. `mtls_requests` is None when
    the source cannot tell whether traffic was protected. `bytes_sent` flows from source to
    destination (the request direction), `bytes_received` back to the source.
    """

    source: Peer
    destination: Peer
    protocol: str  # "http", "grpc" or "tcp"
    mesh: str  # "istio", "linkerd" or "" for traffic seen by neither
    interval_s: float
    requests: float = 0.0
    errors_4xx: float = 0.0
    errors_5xx: float = 0.0
    errors_grpc: float = 0.0
    no_response: float = 0.0
    mtls_requests: float | None = None
    bytes_sent: float = 0.0
    bytes_received: float = 0.0
    latency: Histogram | None = None


@dataclass(frozen=True)
class CycleRecords:
    """What one collection cycle fetched: the inventory and the traffic at time `at`."""

    at: datetime
    source: str
    inventory: Inventory
    edges: tuple[EdgeSample, ...] = ()
    gaps: tuple[str, ...] = ()  # what a source could not say this cycle, in words
