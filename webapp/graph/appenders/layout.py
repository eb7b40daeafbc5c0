"""Layout: deterministic positions, computed once on the server."""

from __future__ import annotations

from webapp.graph.context import GraphContext
from webapp.graph.layout import compute_positions
from webapp.graph.traffic_map import TrafficMap


def apply(traffic_map: TrafficMap, context: GraphContext) -> None:
    """Give every node its `position`; see webapp.graph.layout for the method."""
    positions = compute_positions(
        {node_id: node.namespace for node_id, node in traffic_map.nodes.items()},
        [(edge.source, edge.target) for edge in traffic_map.edges.values()],
    )
    for node_id, position in positions.items():
        traffic_map.nodes[node_id].position = position
