"""The traffic map: the graph's nodes and edges while appenders enrich it.

Node ids (fixed by DESIGN.md §3; ids are opaque to clients but stable across cycles):
  `workload:<ns>/<name>`, `service:<ns>/<name>`, `app:<ns>/<app>`, `app:<ns>/<app>/<version>`,
  and `unknown`, the single node for traffic whose source telemetry could not attribute.
Edge ids: `<source id>><target id>|<protocol>`, e.g. `workload:a/web>service:b/api|http`.
Neither `>` nor `|` can occur in a Kubernetes name, so the id splits back unambiguously, and one
pair of nodes carries one edge per protocol, as in Kiali.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collectors.records import EdgeSample, Histogram
from webapp.traffic.histogram import merge

UNKNOWN_ID = "unknown"


def workload_id(namespace: str, name: str) -> str:
    """The id of a workload node."""
    return f"workload:{namespace}/{name}"


def service_id(namespace: str, name: str) -> str:
    """The id of a service node."""
    return f"service:{namespace}/{name}"


def app_id(namespace: str, app: str, version: str = "") -> str:
    """The id of an app node, or of a versioned app node when `version` is given."""
    return f"app:{namespace}/{app}/{version}" if version else f"app:{namespace}/{app}"


def edge_id(source: str, target: str, protocol: str) -> str:
    """The id of the edge from `source` to `target` for one protocol."""
    return f"{source}>{target}|{protocol}"


@dataclass
class EdgeTraffic:
    """Totals of every sample merged into one edge.

    Rates are summed sample by sample (requests / interval_s of each), because samples merged
    into one edge may cover different parts of the window. `mtls_known` counts the requests of
    samples that could tell whether they were protected, so unknown samples do not dilute the
    ratio.
    """

    requests: float = 0.0
    errors_4xx: float = 0.0
    errors_5xx: float = 0.0
    errors_grpc: float = 0.0
    no_response: float = 0.0
    mtls_requests: float = 0.0
    mtls_known: float = 0.0
    rps: float = 0.0
    bytes_sent_per_s: float = 0.0
    bytes_received_per_s: float = 0.0
    latency: Histogram | None = None

    def add(self, sample: EdgeSample) -> None:
        """Add one sample's counts, rates and histogram."""
        self.requests += sample.requests
        self.errors_4xx += sample.errors_4xx
        self.errors_5xx += sample.errors_5xx
        self.errors_grpc += sample.errors_grpc
        self.no_response += sample.no_response
        if sample.mtls_requests is not None:
            self.mtls_requests += sample.mtls_requests
            self.mtls_known += sample.requests
        if sample.interval_s > 0:
            self.rps += sample.requests / sample.interval_s
            self.bytes_sent_per_s += sample.bytes_sent / sample.interval_s
            self.bytes_received_per_s += sample.bytes_received / sample.interval_s
        if self.latency is None:
            self.latency = sample.latency  # immutable, so sharing it is safe
        elif sample.latency is not None:
            self.latency = merge((self.latency, sample.latency))

    @property
    def errors(self) -> float:
        """All failed requests; the collectors report the classes disjoint (DESIGN.md §6)."""
        return min(
            self.errors_4xx + self.errors_5xx + self.errors_grpc + self.no_response,
            self.requests,
        )

    def ratio(self, count: float) -> float:
        """`count` as a share of the requests; 0 when there were none."""
        return count / self.requests if self.requests > 0 else 0.0


@dataclass
class NodeTraffic:
    """What the traffic totals and response time appenders compute for a node."""

    rps_in: float = 0.0
    rps_out: float = 0.0
    error_ratio_in: float = 0.0
    p50_ms_in: float | None = None
    p95_ms_in: float | None = None
    p99_ms_in: float | None = None
    mtls_ratio_in: float | None = None


@dataclass
class Node:
    """One vertex of the graph; `kind` is workload, service, app or unknown."""

    id: str
    kind: str
    namespace: str
    name: str
    app: str = ""
    version: str = ""
    workload: str = ""
    service: str = ""
    mesh: str = ""
    workload_kind: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    pods: int = 0
    ready_pods: int = 0
    meshed_pods: int = 0  # pods with a mesh proxy (sidecar or native sidecar)
    # Service nodes: their EndpointSlices' endpoints, and the workload nodes behind them.
    endpoints_ready: int = 0
    endpoints_not_ready: int = 0
    endpoint_workloads: tuple[str, ...] = ()
    in_inventory: bool = False
    outside: bool = False
    idle: bool = False
    health: str = "unknown"
    traffic: NodeTraffic = field(default_factory=NodeTraffic)
    position: tuple[float, float] = (0.0, 0.0)


@dataclass
class Edge:
    """Traffic from one node to another over one protocol."""

    id: str
    source: str
    target: str
    protocol: str
    mesh: str = ""
    traffic: EdgeTraffic = field(default_factory=EdgeTraffic)
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    mtls_ratio: float | None = None
    health: str = "unknown"
    dns: dict[str, float | None] | None = None  # edges into the cluster DNS (appenders/dns.py)


@dataclass
class TrafficMap:
    """Nodes by id and edges by id; the one structure every appender works on."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[str, Edge] = field(default_factory=dict)

    def add_node(self, node: Node) -> Node:
        """Insert `node` unless a node with its id exists; return the node in the map."""
        return self.nodes.setdefault(node.id, node)

    def add_sample(self, source: str, target: str, sample: EdgeSample) -> Edge:
        """Merge `sample` into the edge source → target for its protocol, creating it if new."""
        key = edge_id(source, target, sample.protocol)
        edge = self.edges.get(key)
        if edge is None:
            edge = Edge(key, source, target, sample.protocol, mesh=sample.mesh)
            self.edges[key] = edge
        elif edge.mesh != sample.mesh:
            # Samples of two meshes (or meshed and not) on one edge: say so rather than pick one.
            edge.mesh = "mixed"
        edge.traffic.add(sample)
        return edge

    def inbound(self) -> dict[str, list[Edge]]:
        """Edges by target id, for every node (empty lists included); O(N + E)."""
        result: dict[str, list[Edge]] = {node_id: [] for node_id in self.nodes}
        for edge in self.edges.values():
            result.setdefault(edge.target, []).append(edge)
        return result

    def outbound(self) -> dict[str, list[Edge]]:
        """Edges by source id, for every node (empty lists included); O(N + E)."""
        result: dict[str, list[Edge]] = {node_id: [] for node_id in self.nodes}
        for edge in self.edges.values():
            result.setdefault(edge.source, []).append(edge)
        return result

    def remove_orphans(self, keep: set[str] | None = None) -> None:
        """Drop nodes that no edge touches, except those in `keep`."""
        touched = {e.source for e in self.edges.values()} | {e.target for e in self.edges.values()}
        keep = keep or set()
        for node_id in [n for n in self.nodes if n not in touched and n not in keep]:
            del self.nodes[node_id]
