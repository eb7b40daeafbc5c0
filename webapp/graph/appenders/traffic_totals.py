"""Traffic totals: request rates and error share per node."""

from __future__ import annotations

from webapp.graph.context import GraphContext
from webapp.graph.traffic_map import TrafficMap


def apply(traffic_map: TrafficMap, context: GraphContext) -> None:
    """Set rps_in, rps_out and error_ratio_in on every node from its edges."""
    inbound = traffic_map.inbound()
    outbound = traffic_map.outbound()
    for node_id, node in traffic_map.nodes.items():
        edges_in = inbound.get(node_id, [])
        requests_in = sum(e.traffic.requests for e in edges_in)
        errors_in = sum(e.traffic.errors for e in edges_in)
        node.traffic.rps_in = sum(e.traffic.rps for e in edges_in)
        node.traffic.rps_out = sum(e.traffic.rps for e in outbound.get(node_id, []))
        node.traffic.error_ratio_in = errors_in / requests_in if requests_in > 0 else 0.0
