"""Idle nodes: show what the inventory knows but the window saw no traffic for."""

from __future__ import annotations

from collections.abc import Iterator

from webapp.graph.context import GraphContext
from webapp.graph.mapping import app_node, service_node, workload_node
from webapp.graph.traffic_map import Node, TrafficMap


def apply(traffic_map: TrafficMap, context: GraphContext) -> None:
    """Mark nodes without traffic idle; with `options.idle_nodes`, add the silent inventory.

    Added nodes are of the graph type's own kind (service nodes in the service graph, app
    nodes in the app graphs, workload nodes otherwise) and only from requested namespaces.
    An edge counts as traffic when it carried requests or bytes.
    """
    if context.options.idle_nodes:
        for node in _inventory_nodes(context):
            if context.in_scope(node.namespace):
                traffic_map.add_node(node)
    busy: set[str] = set()
    for edge in traffic_map.edges.values():
        t = edge.traffic
        if t.requests > 0 or t.bytes_sent_per_s > 0 or t.bytes_received_per_s > 0:
            busy.update((edge.source, edge.target))
    for node in traffic_map.nodes.values():
        node.idle = node.id not in busy


def _inventory_nodes(context: GraphContext) -> Iterator[Node]:
    """Every node the inventory implies for the requested graph type."""
    graph_type = context.options.graph_type
    if graph_type == "service":
        for service in context.inventory.services:
            yield service_node(service.namespace, service.name)
        return
    for workload in context.inventory.workloads:
        if graph_type in ("app", "versioned_app") and workload.app:
            version = workload.version if graph_type == "versioned_app" else ""
            yield app_node(workload.namespace, workload.app, version)
        else:
            yield workload_node(workload.namespace, workload.name, workload.app, workload.version)
