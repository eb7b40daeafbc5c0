"""The traffic map as the JSON-ready structure of DESIGN.md §3.

Output is sorted (nodes and edges by id) and rounded (4 significant digits) so that two builds
diff cleanly and golden files stay readable. Every number is finite: anything that is not
becomes null, so `json.dumps(..., allow_nan=False)` always works.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from webapp.graph.traffic_map import Edge, Node, TrafficMap

SIGNIFICANT_DIGITS = 4


def number(value: float | None) -> float | None:
    """`value` rounded to 4 significant digits; None for None, NaN or ±Infinity."""
    if value is None or not math.isfinite(value):
        return None
    if value == 0:
        return 0.0  # also turns -0.0 into 0.0
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def render_graph(
    traffic_map: TrafficMap,
    graph_type: str,
    *,
    window_start: datetime,
    window_end: datetime,
    generated_at: datetime,
) -> dict[str, Any]:
    """The whole graph document."""
    return {
        "generated_at": iso_utc(generated_at),
        "window": {"start": iso_utc(window_start), "end": iso_utc(window_end)},
        "graph_type": graph_type,
        "nodes": [render_node(traffic_map.nodes[key]) for key in sorted(traffic_map.nodes)],
        "edges": [render_edge(traffic_map.edges[key]) for key in sorted(traffic_map.edges)],
    }


def render_node(node: Node) -> dict[str, Any]:
    """One node as a dict."""
    traffic = node.traffic
    return {
        "id": node.id,
        "kind": node.kind,
        "namespace": node.namespace,
        "name": node.name,
        "app": node.app,
        "version": node.version,
        "workload_kind": node.workload_kind,
        "mesh": node.mesh,
        "labels": dict(sorted(node.labels.items())),
        "pods": node.pods,
        "ready_pods": node.ready_pods,
        "sidecar": {"status": sidecar_status(node), "meshed_pods": node.meshed_pods},
        "endpoints": _endpoints(node),
        "in_inventory": node.in_inventory,
        "health": node.health,
        "outside": node.outside,
        "idle": node.idle,
        "traffic": {
            "rps_in": number(traffic.rps_in),
            "rps_out": number(traffic.rps_out),
            "error_ratio_in": number(traffic.error_ratio_in),
            "p50_ms_in": number(traffic.p50_ms_in),
            "p95_ms_in": number(traffic.p95_ms_in),
            "p99_ms_in": number(traffic.p99_ms_in),
            "mtls_ratio_in": number(traffic.mtls_ratio_in),
        },
        # Pixels: rounded to a decimal place, not to significant digits, which would move nodes.
        "position": {"x": round(node.position[0], 1), "y": round(node.position[1], 1)},
    }


def sidecar_status(node: Node) -> str:
    """ "all", "partial" or "none" of the node's pods run a mesh proxy; "" without pods."""
    if node.pods <= 0:
        return ""
    if node.meshed_pods >= node.pods:
        return "all"
    return "partial" if node.meshed_pods else "none"


def _endpoints(node: Node) -> dict[str, Any] | None:
    if node.kind != "service":
        return None
    return {
        "ready": node.endpoints_ready,
        "not_ready": node.endpoints_not_ready,
        "workloads": list(node.endpoint_workloads),
    }


def render_edge(edge: Edge) -> dict[str, Any]:
    """One edge as a dict; error classes are shares of the edge's requests."""
    traffic = edge.traffic
    return {
        "id": edge.id,
        "source": edge.source,
        "target": edge.target,
        "protocol": edge.protocol,
        "mesh": edge.mesh,
        "rps": number(traffic.rps),
        "error_ratio": number(traffic.ratio(traffic.errors)),
        "errors": {
            "4xx": number(traffic.ratio(traffic.errors_4xx)),
            "5xx": number(traffic.ratio(traffic.errors_5xx)),
            "grpc": number(traffic.ratio(traffic.errors_grpc)),
            "no_response": number(traffic.ratio(traffic.no_response)),
        },
        "p50_ms": number(edge.p50_ms),
        "p95_ms": number(edge.p95_ms),
        "p99_ms": number(edge.p99_ms),
        "mtls_ratio": number(edge.mtls_ratio),
        "bytes_per_s": {
            "sent": number(traffic.bytes_sent_per_s),
            "received": number(traffic.bytes_received_per_s),
        },
        "health": edge.health,
        # Only edges into the cluster DNS carry it, so other edges stay as they were.
        **({"dns": {k: number(v) for k, v in edge.dns.items()}} if edge.dns else {}),
    }
