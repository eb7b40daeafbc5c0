"""mTLS kinds: coverage below a share, and plaintext where policy says STRICT."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from webapp.alerts.rules.base import (
    Context,
    KindResult,
    Observation,
    RuleSpec,
    edge_labels,
    nodes_by_id,
)

NEEDS_POLICY = (
    "needs mTLS policy data: no PeerAuthentication or Linkerd Server objects are stored yet"
)


def mtls_coverage(spec: RuleSpec, context: Context) -> KindResult:
    """Namespaces whose share of inbound requests with mTLS is below `threshold` (0..1).

    Requests are weighed by rate; edges whose mTLS is unknown (TCP, some sources) are left
    out rather than counted as plaintext.
    """
    graph = context.graph(spec.window_s)
    nodes = nodes_by_id(graph)
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    worst: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for edge in graph.get("edges", ()):
        target = nodes.get(edge["target"], {})
        namespace = str(target.get("namespace", ""))
        ratio, rps = edge.get("mtls_ratio"), float(edge.get("rps") or 0.0)
        if ratio is None or not rps or not spec.scope.has_namespace(namespace):
            continue
        if not spec.scope.selects(target):
            continue
        totals[namespace][0] += rps * ratio
        totals[namespace][1] += rps
        worst[namespace].append((rps * (1 - ratio), edge["id"]))
    found = []
    for namespace, (protected, total) in sorted(totals.items()):
        share = protected / total
        plaintext = [edge for rate, edge in sorted(worst[namespace], reverse=True)[:3] if rate]
        evidence = {"mtls_ratio": round(share, 4), "rps": round(total, 4),
                    "plaintext_edges": plaintext}
        found.append(Observation(f"namespace:{namespace}", {"namespace": namespace},
                                 round(share, 4), share < spec.threshold, evidence))
    return KindResult(tuple(found))


def plaintext_where_strict(spec: RuleSpec, context: Context) -> KindResult:
    """Edges into a STRICT namespace or workload whose plaintext share is above `threshold`."""
    targets = context.strict_mtls()
    if not targets:
        return KindResult(note=NEEDS_POLICY)
    graph = context.graph(spec.window_s)
    nodes = nodes_by_id(graph)
    found = []
    for edge in graph.get("edges", ()):
        source, target = nodes.get(edge["source"], {}), nodes.get(edge["target"], {})
        policy = _strict_policy(targets, target)
        ratio = edge.get("mtls_ratio")
        if policy is None or ratio is None or not edge.get("rps"):
            continue
        if not spec.scope.has_namespace(str(target.get("namespace", ""))):
            continue
        plaintext = round(1.0 - float(ratio), 4)
        evidence = {"plaintext_ratio": plaintext, "rps": edge["rps"], "policy": policy}
        found.append(Observation(edge["id"], edge_labels(edge, source, target), plaintext,
                                 plaintext > spec.threshold, evidence))
    return KindResult(tuple(found))


def _strict_policy(targets: tuple, node: Mapping[str, Any]) -> str | None:
    """The policy making `node` STRICT, or None."""
    for target in targets:
        if target.namespace != node.get("namespace"):
            continue
        if not target.workload or (node.get("kind") == "workload"
                                   and node.get("name") == target.workload):
            return target.policy or f"STRICT in {target.namespace}"
    return None
