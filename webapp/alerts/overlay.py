"""Marking the graph with firing alerts: inbound (Alertmanager) and meshwatch's own.

`mark_graph` is pure: graph JSON and alert label sets in, the same graph with an `alerts`
list on each matched node and edge out. An alert matches a node when its namespace label
equals the node's and, if it names a workload, service or app (in any of the usual label
spellings), that name matches too; an alert naming only a namespace marks that namespace's
nodes. An edge is marked when its destination node matches, or when the alert names it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Label spellings seen in Prometheus rules and kube-state-metrics, per node kind.
_NAMES = {
    "workload": ("workload", "deployment", "statefulset", "daemonset", "destination_workload"),
    "service": ("service", "service_name", "destination_service_name", "destination_service"),
    "app": ("app", "app_kubernetes_io_name", "destination_app", "destination_canonical_service"),
}
_NAMESPACE = ("namespace", "destination_workload_namespace", "destination_service_namespace")


@dataclass(frozen=True)
class Mark:
    """A firing alert as the overlay shows it."""

    id: str
    source: str  # alertmanager or meshwatch
    name: str
    severity: str
    labels: Mapping[str, str]

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "source": self.source, "name": self.name,
                "severity": self.severity}


def _first(labels: Mapping[str, str], keys: Iterable[str]) -> str:
    return next((labels[k] for k in keys if labels.get(k)), "")


def matches_node(labels: Mapping[str, str], node: Mapping[str, Any]) -> bool:
    """Whether an alert with `labels` is about `node`."""
    if labels.get("node") == node.get("id") or labels.get("destination") == node.get("id"):
        return True
    namespace = _first(labels, _NAMESPACE)
    if not namespace or namespace != node.get("namespace"):
        return False
    named = {kind: _first(labels, keys) for kind, keys in _NAMES.items()}
    if not any(named.values()):
        return True
    name, app = node.get("name"), node.get("app")
    return (named["workload"] == name and node.get("kind") == "workload") or (
        named["service"] == name and node.get("kind") == "service") or (
        bool(named["app"]) and named["app"] == app)


def mark_graph(graph: dict[str, Any], marks: Iterable[Mark]) -> dict[str, Any]:
    """`graph` with matched nodes and edges given an `alerts` list (others untouched)."""
    marks = list(marks)
    if not marks:
        return graph
    by_node: dict[str, list[Mark]] = {}
    for node in graph.get("nodes", ()):
        found = [m for m in marks if matches_node(m.labels, node)]
        if found:
            node["alerts"] = [m.as_json() for m in found]
            by_node[node["id"]] = found
    for edge in graph.get("edges", ()):
        # An alert about one edge marks that edge only, not every edge into its destination.
        found = [m for m in marks if m.labels.get("edge") == edge["id"]]
        found += [m for m in by_node.get(edge["target"], ()) if "edge" not in m.labels]
        if found:
            edge["alerts"] = [m.as_json() for m in found]
    return graph


def firing_marks() -> list[Mark]:
    """Every firing alert, inbound and meshwatch's own, as overlay marks."""
    from webapp.alerts.inbound import firing_inbound
    from webapp.alerts.models import Alert

    marks = [Mark(f"inbound:{row.fingerprint}", "alertmanager",
                  row.labels.get("alertname", ""), row.labels.get("severity", ""), row.labels)
             for row in firing_inbound()]
    own = Alert.objects.filter(state=Alert.State.FIRING).select_related("rule")
    marks += [Mark(f"alert:{a.pk}", "meshwatch", a.rule.name, a.rule.severity, a.labels)
              for a in own]
    return marks


def overlay_firing_alerts(graph: dict[str, Any]) -> dict[str, Any]:
    """The graph marked with every firing alert: the one call graph_snapshot makes."""
    return mark_graph(graph, firing_marks())
