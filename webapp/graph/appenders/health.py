"""Health: Kiali's edge rules on error classes; a node is as bad as its worst inbound edge."""

from __future__ import annotations

from webapp.graph.context import GraphContext
from webapp.graph.options import HealthThresholds
from webapp.graph.traffic_map import EdgeTraffic, TrafficMap

# Worst last; a node takes the highest rank among its inbound edges.
RANK = {"unknown": 0, "idle": 1, "healthy": 2, "degraded": 3, "failure": 4}


def apply(traffic_map: TrafficMap, context: GraphContext) -> None:
    """Set `health` on edges, then on nodes (no inbound edge: idle or unknown)."""
    for edge in traffic_map.edges.values():
        edge.health = edge_health(edge.traffic, edge.protocol, context.thresholds)
    for node_id, edges in traffic_map.inbound().items():
        node = traffic_map.nodes[node_id]
        if edges:
            node.health = max((e.health for e in edges), key=RANK.__getitem__)
        else:
            node.health = "idle" if node.idle else "unknown"


def edge_health(traffic: EdgeTraffic, protocol: str, limits: HealthThresholds) -> str:
    """failure, degraded or healthy from the error ratios; idle (unknown for TCP) without requests.

    No-response requests (Istio's response code 0) count with the 5xx. Thresholds compare
    with ≥ (failure_5xx 0.1 means 10% 5xx is already a failure), except `degraded_any`,
    which must be exceeded (>), so that its default 0 means "any error at all".
    """
    if traffic.requests <= 0:
        return "unknown" if protocol == "tcp" else "idle"
    # A request that got no response at all is at least as bad as a 5xx.
    if traffic.ratio(traffic.errors_5xx + traffic.no_response) >= limits.failure_5xx:
        return "failure"
    if traffic.ratio(traffic.errors_4xx) >= limits.failure_4xx:
        return "failure"
    if traffic.ratio(traffic.errors_grpc) >= limits.failure_grpc:
        return "failure"
    if traffic.ratio(traffic.errors_4xx) >= limits.degraded_4xx:
        return "degraded"
    if traffic.ratio(traffic.errors) > limits.degraded_any:
        return "degraded"
    return "healthy"
