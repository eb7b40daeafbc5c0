"""Namespace scope: keep the traffic that touches the requested namespaces."""

from __future__ import annotations

from webapp.graph.context import GraphContext
from webapp.graph.traffic_map import Node, TrafficMap


def apply(traffic_map: TrafficMap, context: GraphContext) -> None:
    """Drop edges with neither end in `options.namespaces`; mark the other ends `outside`.

    No namespaces requested means all of them, and nothing changes. The `unknown` node
    belongs to no namespace; it stays when it talks to the scope and is never "outside".
    """
    if not context.options.namespaces:
        return

    def inside(node: Node) -> bool:
        return node.kind != "unknown" and context.in_scope(node.namespace)

    nodes = traffic_map.nodes
    for key in [
        key
        for key, edge in traffic_map.edges.items()
        if not (inside(nodes[edge.source]) or inside(nodes[edge.target]))
    ]:
        del traffic_map.edges[key]
    traffic_map.remove_orphans()
    for node in nodes.values():
        node.outside = node.kind != "unknown" and not inside(node)
