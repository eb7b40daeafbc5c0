"""Edge and workload kinds read the graph: the single definition of edge numbers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from webapp.alerts.rules.base import (
    Context,
    KindResult,
    Observation,
    RuleSpec,
    edge_labels,
    nodes_by_id,
)


def _edges(spec: RuleSpec, graph: Mapping[str, Any]) -> Iterator[tuple[dict, dict[str, str]]]:
    """Edges in scope with at least `params.min_rps` requests per second, and their labels."""
    nodes = nodes_by_id(graph)
    min_rps = float(spec.params.get("min_rps", 0.0))
    for edge in graph.get("edges", ()):
        source, target = nodes.get(edge["source"], {}), nodes.get(edge["target"], {})
        namespaces = (str(source.get("namespace", "")), str(target.get("namespace", "")))
        if not spec.scope.has_namespace(*namespaces) or not spec.scope.selects(source, target):
            continue
        if (edge.get("rps") or 0.0) < min_rps:
            continue
        yield edge, edge_labels(edge, source, target)


def _above(field: str) -> Any:
    """A kind that fires when an edge's `field` is above the threshold."""

    def kind(spec: RuleSpec, context: Context) -> KindResult:
        found = []
        for edge, labels in _edges(spec, context.graph(spec.window_s)):
            value = edge.get(field)
            if value is None or not edge.get("rps"):
                continue  # no requests: no ratio and no latency to judge
            evidence = {field: value, "rps": edge["rps"], "error_ratio": edge.get("error_ratio"),
                        "p99_ms": edge.get("p99_ms"), "health": edge.get("health")}
            found.append(Observation(edge["id"], labels, float(value),
                                     float(value) > spec.threshold, evidence))
        return KindResult(tuple(found))

    kind.__doc__ = f"Edges whose {field} over the window is above the threshold."
    return kind


edge_error_ratio = _above("error_ratio")
edge_latency_p95 = _above("p95_ms")
edge_latency_p99 = _above("p99_ms")


def workload_error_ratio(spec: RuleSpec, context: Context) -> KindResult:
    """Workloads whose inbound error ratio (all callers together) is above the threshold."""
    found = []
    for node in context.graph(spec.window_s).get("nodes", ()):
        traffic = node.get("traffic") or {}
        value = traffic.get("error_ratio_in")
        if node.get("kind") != "workload" or value is None or not traffic.get("rps_in"):
            continue
        if not spec.scope.has_namespace(node["namespace"]) or not spec.scope.selects(node):
            continue
        labels = {"node": node["id"], "namespace": node["namespace"], "workload": node["name"]}
        if node.get("app"):
            labels["app"] = node["app"]
        evidence = {"error_ratio": value, "rps_in": traffic["rps_in"]}
        found.append(Observation(node["id"], labels, float(value), value > spec.threshold,
                                 evidence))
    return KindResult(tuple(found))


def request_rate_drop(spec: RuleSpec, context: Context) -> KindResult:
    """Edges whose rate fell by more than `threshold` (a share, 0..1) against a baseline.

    The baseline is the `params.baseline_seconds` (default 1h) before the window; edges that
    carried less than `params.min_rps` (default 0.1/s) then are too quiet to judge. An edge
    gone silent has dropped by 1.0.
    """
    baseline_s = float(spec.params.get("baseline_seconds", 3600))
    floor = float(spec.params.get("min_rps", 0.1))
    now = {e["id"]: e for e in context.graph(spec.window_s).get("edges", ())}
    before_end = context.at - timedelta(seconds=spec.window_s)
    baseline = context.graph(baseline_s, end=before_end)
    quiet = RuleSpec(spec.id, spec.name, spec.kind, spec.scope, spec.threshold, baseline_s,
                     params={"min_rps": floor})
    found = []
    for edge, labels in _edges(quiet, baseline):
        base = float(edge.get("rps") or 0.0)
        current = float((now.get(edge["id"]) or {}).get("rps") or 0.0)
        drop = max(0.0, 1.0 - current / base)
        evidence = {"rps": current, "baseline_rps": base, "drop": round(drop, 4)}
        found.append(Observation(edge["id"], labels, round(drop, 4), drop > spec.threshold,
                                 evidence))
    return KindResult(tuple(found))
