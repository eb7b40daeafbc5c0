"""Inventory enrichment: what the cluster says about each node."""

from __future__ import annotations

from collections import defaultdict

from collectors.records import WorkloadRecord
from webapp.graph.context import GraphContext, PodStats
from webapp.graph.traffic_map import Node, TrafficMap, workload_id


def apply(traffic_map: TrafficMap, context: GraphContext) -> None:
    """Set workload kind, mesh, labels, app/version and pods (count, ready, meshed) from the
    inventory, and link service nodes to the workloads behind their endpoints.

    Mesh precedence: the workload's own record, then what telemetry said (set while mapping),
    then the namespace's enrolment. Nodes the inventory does not know keep what telemetry said
    and `in_inventory` stays false, which is itself worth showing (a caller from another
    cluster, a deleted workload still in the window).
    """
    by_app = _workloads_by_app(context)
    for node in traffic_map.nodes.values():
        if node.kind == "workload":
            _enrich_workload(node, context)
        elif node.kind == "service":
            _enrich_service(node, context)
        elif node.kind == "app":
            _enrich_app(node, by_app.get((node.namespace, node.app, node.version), []), context)
        if node.kind != "unknown" and not node.mesh:
            node.mesh = context.namespace_mesh(node.namespace)


def _enrich_workload(node: Node, context: GraphContext) -> None:
    record = context.workloads.get((node.namespace, node.name))
    if record is None:
        return
    node.in_inventory = True
    node.workload_kind = record.kind
    node.labels = dict(record.labels)
    node.app = record.app or node.app
    node.version = record.version or node.version
    node.mesh = record.mesh or node.mesh
    _set_pods(node, context.pod_stats.get((node.namespace, node.name), PodStats()))


def _enrich_service(node: Node, context: GraphContext) -> None:
    record = context.services.get((node.namespace, node.name))
    if record is None:
        return
    node.in_inventory = True
    node.workload_kind = "Service"
    node.labels = dict(record.labels)
    _set_pods(node, context.service_pod_stats(node.namespace, node.name))
    endpoints = context.endpoints.get((node.namespace, node.name))
    if endpoints is not None:
        node.endpoints_ready, node.endpoints_not_ready = endpoints.ready, endpoints.not_ready
        node.endpoint_workloads = tuple(workload_id(node.namespace, w) for w in endpoints.workloads)


def _enrich_app(node: Node, workloads: list[WorkloadRecord], context: GraphContext) -> None:
    if not workloads:
        return
    node.in_inventory = True
    stats = PodStats()
    for w in workloads:
        stats = stats + context.pod_stats.get((w.namespace, w.name), PodStats())
    _set_pods(node, stats)
    # An app's labels are those all of its workloads agree on.
    common = dict(workloads[0].labels)
    for workload in workloads[1:]:
        common = {k: v for k, v in common.items() if workload.labels.get(k) == v}
    node.labels = common
    meshes = sorted({w.mesh for w in workloads if w.mesh})
    if meshes:
        node.mesh = meshes[0] if len(meshes) == 1 else "mixed"


def _workloads_by_app(context: GraphContext) -> dict[tuple[str, str, str], list[WorkloadRecord]]:
    """Workloads under (namespace, app, "") and under (namespace, app, version)."""
    result: dict[tuple[str, str, str], list[WorkloadRecord]] = defaultdict(list)
    for workload in context.inventory.workloads:
        if workload.app:
            result[(workload.namespace, workload.app, "")].append(workload)
            if workload.version:
                result[(workload.namespace, workload.app, workload.version)].append(workload)
    return result


def _set_pods(node: Node, stats: PodStats) -> None:
    node.pods, node.ready_pods, node.meshed_pods = stats.count, stats.ready, stats.meshed
