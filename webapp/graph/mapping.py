"""From edge samples to a traffic map, for each graph type.

- workload: source workload → destination workload. A destination whose workload telemetry
  could not name but whose service it could becomes a service node (a request that reached
  no pod); an unattributed source becomes the `unknown` node.
- app / versioned_app: as workload, with each peer replaced by its app (and version) node;
  a peer without an app label stays a workload node.
- service: Kiali's service graph. The destination is the service that was called; the
  source is the service that routes to the calling workload, so edges read service → service.
  A caller that no service fronts (an ingress gateway, a cron job) stays a workload node.
A destination with neither workload nor service says nothing about where traffic went; it is
left out. Samples that land on one edge are merged there (TrafficMap.add_sample).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from collectors.records import EdgeSample, Peer
from webapp.graph.context import GraphContext, Key
from webapp.graph.traffic_map import (
    UNKNOWN_ID,
    Node,
    TrafficMap,
    app_id,
    service_id,
    workload_id,
)


def map_traffic(samples: Sequence[EdgeSample], context: GraphContext) -> TrafficMap:
    """The traffic map of `samples` for the graph type of `context.options`."""
    graph_type = context.options.graph_type
    routing = _observed_routing(samples) if graph_type == "service" else {}
    traffic_map = TrafficMap()
    # Many samples share a peer; resolving each peer once keeps 10,000 edges cheap.
    sources: dict[Peer, str] = {}
    targets: dict[Peer, str | None] = {}
    for sample in samples:
        if sample.destination not in targets:
            target_node = _destination_node(sample.destination, graph_type)
            targets[sample.destination] = _add(traffic_map, target_node)
        target = targets[sample.destination]
        if target is None:
            continue
        if sample.source not in sources:
            if graph_type == "service":
                source_node = _routing_service_node(sample.source, routing, context)
            else:
                source_node = peer_node(sample.source, graph_type)
            sources[sample.source] = traffic_map.add_node(source_node).id
        source = sources[sample.source]
        for node_id in (source, target):
            node = traffic_map.nodes[node_id]
            # Telemetry's word on the mesh, for when there is no inventory; inventory wins later.
            if not node.mesh and node.kind != "unknown":
                node.mesh = sample.mesh
        traffic_map.add_sample(source, target, sample)
    return traffic_map


def _add(traffic_map: TrafficMap, node: Node | None) -> str | None:
    return None if node is None else traffic_map.add_node(node).id


def unknown_node() -> Node:
    """The one node standing for every source telemetry could not attribute."""
    return Node(UNKNOWN_ID, "unknown", namespace="", name="unknown")


def workload_node(namespace: str, name: str, app: str = "", version: str = "") -> Node:
    """A workload node."""
    return Node(
        workload_id(namespace, name),
        "workload",
        namespace,
        name,
        app=app,
        version=version,
        workload=name,
    )


def service_node(namespace: str, name: str) -> Node:
    """A service node."""
    return Node(service_id(namespace, name), "service", namespace, name, service=name)


def app_node(namespace: str, app: str, version: str = "") -> Node:
    """An app node, versioned when `version` is given."""
    return Node(app_id(namespace, app, version), "app", namespace, app, app=app, version=version)


def peer_node(peer: Peer, graph_type: str) -> Node:
    """The node a known or unknown peer stands for in a workload, app or versioned_app graph."""
    if peer.is_unknown:
        return unknown_node()
    if graph_type in ("app", "versioned_app") and peer.app:
        version = peer.version if graph_type == "versioned_app" else ""
        return app_node(peer.namespace, peer.app, version)
    return workload_node(peer.namespace, peer.workload, peer.app, peer.version)


def _destination_node(peer: Peer, graph_type: str) -> Node | None:
    if peer.service and (peer.is_unknown or graph_type == "service"):
        return service_node(peer.namespace, peer.service)
    if peer.is_unknown:
        return None
    return peer_node(peer, graph_type)


def _observed_routing(samples: Sequence[EdgeSample]) -> dict[Key, str]:
    """For each destination workload, the service that carried most requests to it.

    Telemetry is the best witness of routing: it also covers services without selectors
    (hand-made EndpointSlices) that the inventory cannot match. Ties go to the first name,
    so the choice is deterministic. One service per workload keeps totals honest; Kiali
    copies the traffic onto every fronting service instead.
    """
    carried: dict[Key, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for sample in samples:
        dest = sample.destination
        if dest.service and not dest.is_unknown:
            carried[(dest.namespace, dest.workload)][dest.service] += sample.requests
    return {
        key: min(by_service, key=lambda name: (-by_service[name], name))
        for key, by_service in carried.items()
    }


def _routing_service_node(peer: Peer, routing: Mapping[Key, str], context: GraphContext) -> Node:
    """The source node of the service graph: the service fronting the calling workload."""
    if peer.is_unknown:
        return unknown_node()
    name = routing.get((peer.namespace, peer.workload))
    if name is None:
        selecting = context.services_selecting(peer.namespace, peer.workload)
        name = selecting[0] if selecting else None
    if name is None:
        return workload_node(peer.namespace, peer.workload, peer.app, peer.version)
    return service_node(peer.namespace, name)
