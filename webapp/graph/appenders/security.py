"""Security: the share of requests protected by mutual TLS."""

from __future__ import annotations

from webapp.graph.context import GraphContext
from webapp.graph.traffic_map import Edge, TrafficMap


def apply(traffic_map: TrafficMap, context: GraphContext) -> None:
    """Set `mtls_ratio` (0..1) on edges and `mtls_ratio_in` on nodes; None when unknown.

    The ratio counts only requests whose samples could tell (mtls_requests not None), so a
    source that cannot see mTLS does not pass for plaintext. TCP edges carry no request
    count to divide by, hence None.
    """
    for edge in traffic_map.edges.values():
        edge.mtls_ratio = edge_mtls_ratio(edge)
    for node_id, edges in traffic_map.inbound().items():
        known = [e for e in edges if e.mtls_ratio is not None]
        protected = sum(e.traffic.mtls_requests for e in known)
        total = sum(e.traffic.mtls_known for e in known)
        ratio = min(protected / total, 1.0) if total > 0 else None
        traffic_map.nodes[node_id].traffic.mtls_ratio_in = ratio


def edge_mtls_ratio(edge: Edge) -> float | None:
    """Protected requests over requests of known status, or None (unknown, none, or TCP)."""
    traffic = edge.traffic
    if edge.protocol == "tcp" or traffic.mtls_known <= 0:
        return None
    return min(traffic.mtls_requests / traffic.mtls_known, 1.0)
