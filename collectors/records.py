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
    ready_replicas: int | None = None  # None: the source does not say (telemetry, bare pods)


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
    cluster_ips: tuple[str, ...] = ()  # both families on a dual-stack Service
    headless: bool = False  # clusterIP None: DNS answers with the endpoints themselves
    external_name: str = ""  # type ExternalName: a CNAME, no endpoints


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
    pod_ips: tuple[str, ...] = ()
    host_network: bool = False
    mesh_layout: str = ""  # "container", "native" (init sidecar), "ambient" or ""
    tls_mode: str = ""  # security.istio.io/tlsMode
    canonical_name: str = ""  # service.istio.io/canonical-name
    canonical_revision: str = ""
    restarts: int = 0
    nameservers: tuple[str, ...] = ()


@dataclass(frozen=True)
class NodeRecord:
    """A Node: its pod CIDRs, address and readiness."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)
    pod_cidrs: tuple[str, ...] = ()
    internal_ip: str = ""
    ready: bool | None = None  # None: no Ready condition reported yet
    kubelet_version: str = ""
    container_runtime: str = ""
    unschedulable: bool = False


@dataclass(frozen=True)
class EndpointRecord:
    """One endpoint of an EndpointSlice, with the conditions as consumers read them."""

    addresses: tuple[str, ...]
    ready: bool = True
    serving: bool = True
    terminating: bool = False
    pod: str = ""  # targetRef name when it is a Pod
    node: str = ""
    zone: str = ""


@dataclass(frozen=True)
class EndpointSliceRecord:
    """A discovery.k8s.io EndpointSlice and the Service it belongs to."""

    namespace: str
    name: str
    service: str = ""
    address_type: str = "IPv4"
    endpoints: tuple[EndpointRecord, ...] = ()
    ports: tuple[ServicePort, ...] = ()


@dataclass(frozen=True)
class NetworkPolicyRecord:
    """A NetworkPolicy; selectors and rules are JSON-ready parsed structures."""

    namespace: str
    name: str
    pod_selector: dict = field(default_factory=dict)  # {"match_labels", "match_expressions"}
    policy_types: tuple[str, ...] = ()
    ingress: tuple[dict, ...] = ()
    egress: tuple[dict, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def default_deny_ingress(self) -> bool:
        """Selects every pod, isolates ingress and allows nothing in."""
        return (
            _selects_all(self.pod_selector)
            and "Ingress" in self.policy_types
            and (not self.ingress)
        )

    @property
    def default_deny_egress(self) -> bool:
        """Selects every pod, isolates egress and allows nothing out."""
        return (
            _selects_all(self.pod_selector) and "Egress" in self.policy_types and (not self.egress)
        )


def _selects_all(selector: dict) -> bool:
    return not selector.get("match_labels") and not selector.get("match_expressions")


@dataclass(frozen=True)
class MeshPolicyRecord:
    """An Istio or Linkerd policy resource: its kind and its parsed spec as JSON."""

    namespace: str
    name: str
    kind: str  # PeerAuthentication, DestinationRule, AuthorizationPolicy, Sidecar, Server, ...
    mesh: str  # "istio" or "linkerd"
    spec: dict = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ClusterFactsRecord:
    """What the book teaches to look up by hand, with the evidence for each fact."""

    cni: str = "unknown"
    cni_evidence: tuple[str, ...] = ()
    cni_candidates: tuple[str, ...] = ()
    kube_proxy_mode: str = "unknown"
    kube_proxy_evidence: tuple[str, ...] = ()
    dns_service: dict | None = None  # namespace, name, cluster_ips, ports, pods, ready_pods, …
    node_pod_cidrs: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Inventory:
    """Everything the cluster said in one listing.

    Sources that cannot see a part (telemetry-only mode sees no nodes or policies) leave it
    empty; `facts` is None when nothing about the cluster's plumbing is known.
    """

    namespaces: tuple[NamespaceRecord, ...] = ()
    workloads: tuple[WorkloadRecord, ...] = ()
    services: tuple[ServiceRecord, ...] = ()
    pods: tuple[PodRecord, ...] = ()
    nodes: tuple[NodeRecord, ...] = ()
    endpoint_slices: tuple[EndpointSliceRecord, ...] = ()
    network_policies: tuple[NetworkPolicyRecord, ...] = ()
    mesh_policies: tuple[MeshPolicyRecord, ...] = ()
    facts: ClusterFactsRecord | None = None


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
    `response_flags` counts requests per Envoy response flag (Istio only; "-" left out; a
    request with several flags counts under each; bounded as webapp/traffic/flags.py says);
    empty where the mesh reports no flags (Linkerd).
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
    response_flags: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class DnsZoneSample:
    """What one CoreDNS instance did for one server block and zone during one interval.

    `server` is the listener (`dns://:53`; "" on old CoreDNS such as 1.1.0, which lacks it)
    and `zone` the server block's zone, not the name asked for: the default Corefile answers
    everything under ".". Counts are totals over the interval, as for EdgeSample.
    `nxdomain_by_plugin` splits NXDOMAIN answers by the plugin that wrote them (CoreDNS ≥ 1.7):
    "kubernetes" means a name inside the cluster domain that does not exist, the trace that
    search-path expansion leaves. `cache_entries` is a gauge at the interval's end (None:
    no cache plugin seen); `cache_misses` is derived from cache requests when only they exist.
    """

    server: str
    zone: str
    requests: float = 0.0
    requests_by_type: dict[str, float] = field(default_factory=dict)  # A, AAAA, ..., other
    requests_by_proto: dict[str, float] = field(default_factory=dict)  # udp, tcp
    responses_by_rcode: dict[str, float] = field(default_factory=dict)  # NOERROR, NXDOMAIN, ...
    nxdomain_by_plugin: dict[str, float] = field(default_factory=dict)
    latency: Histogram | None = None
    cache_hits_success: float = 0.0
    cache_hits_denial: float = 0.0
    cache_misses: float = 0.0
    cache_entries: float | None = None


@dataclass(frozen=True)
class DnsUpstreamSample:
    """What one CoreDNS instance saw of one upstream (`forward`/`proxy` `to`) in an interval.

    `responses_by_rcode` is empty where CoreDNS does not say (the pre-1.4 proxy plugin).
    """

    upstream: str  # "10.0.0.2:53"
    requests: float = 0.0
    responses_by_rcode: dict[str, float] = field(default_factory=dict)
    latency: Histogram | None = None
    healthcheck_failures: float = 0.0


@dataclass(frozen=True)
class DnsSample:
    """One CoreDNS instance (`instance` label, or the simulator's pod address) in one interval.

    Upstreams and panics belong to the instance, not to a zone: CoreDNS labels them with
    neither server nor zone.
    """

    instance: str
    interval_s: float
    zones: tuple[DnsZoneSample, ...] = ()
    upstreams: tuple[DnsUpstreamSample, ...] = ()
    panics: float = 0.0


@dataclass(frozen=True)
class CycleRecords:
    """What one collection cycle fetched: the inventory and the traffic at time `at`."""

    at: datetime
    source: str
    inventory: Inventory
    edges: tuple[EdgeSample, ...] = ()
    gaps: tuple[str, ...] = ()  # what a source could not say this cycle, in words
    dns: tuple[DnsSample, ...] = ()  # one per CoreDNS instance; empty when none is seen
