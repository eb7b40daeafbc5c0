"""What every rule kind shares: the rule as plain data, its scope, and what it observed.

Kinds are pure functions of (RuleSpec, Context): the context hands them preloaded data (the
graph over a window, cycle health, DNS, insights, policies), so each kind is tested by
building a tiny context by hand, the way Kiali's appenders are tested on a tiny map.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Scope:
    """Which subjects a rule looks at: namespaces and equality label selectors (all optional)."""

    namespaces: tuple[str, ...] = ()
    workload_selector: Mapping[str, str] = field(default_factory=dict)
    service_selector: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Scope:
        """The scope stored on a rule (validated by the API serializer)."""
        return cls(
            tuple(data.get("namespaces") or ()),
            dict(data.get("workload_selector") or {}),
            dict(data.get("service_selector") or {}),
        )

    def has_namespace(self, *namespaces: str) -> bool:
        """Whether any of `namespaces` is in scope (no namespaces listed: all are)."""
        return not self.namespaces or any(ns in self.namespaces for ns in namespaces)

    def selects(self, *nodes: Mapping[str, Any]) -> bool:
        """Whether the selectors accept one of `nodes` (graph node dicts) for each kind."""
        return _selected(self.workload_selector, "workload", nodes) and _selected(
            self.service_selector, "service", nodes
        )


def _selected(selector: Mapping[str, str], kind: str, nodes: tuple[Mapping[str, Any], ...]) -> bool:
    if not selector:
        return True
    for node in nodes:
        labels = node.get("labels") or {}
        if node.get("kind") == kind and all(labels.get(k) == v for k, v in selector.items()):
            return True
    return False


@dataclass(frozen=True)
class RuleSpec:
    """A rule as plain data, so kinds need no Django."""

    id: int
    name: str
    kind: str
    scope: Scope
    threshold: float
    window_s: float
    severity: str = "warning"
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Observation:
    """One subject as a rule saw it; `breached` says whether the condition holds."""

    subject: str
    labels: dict[str, str]
    value: float | None
    breached: bool
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class KindResult:
    """A kind's observations, or a `note` saying why it could not judge (missing data)."""

    observations: tuple[Observation, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class CycleHealth:
    """What the collectors did lately: for the no_data kind."""

    latest_ok_at: datetime | None
    interval_s: float
    recent_statuses: tuple[str, ...]  # newest first
    source: str = ""


class Context(Protocol):
    """The preloaded data kinds read; evaluation.py builds the real one."""

    at: datetime

    def graph(self, window_s: float, end: datetime | None = None) -> dict[str, Any]: ...

    def cycle_health(self) -> CycleHealth: ...

    def dns(self, window_s: float) -> tuple[Any, ...]: ...

    def insights(self) -> tuple[Any, ...]: ...

    def strict_mtls(self) -> tuple[Any, ...]: ...


Kind = Callable[[RuleSpec, Context], KindResult]


def nodes_by_id(graph: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The graph's nodes keyed by id."""
    return {node["id"]: node for node in graph.get("nodes", ())}


def edge_labels(edge: Mapping[str, Any], source: Mapping[str, Any],
                target: Mapping[str, Any]) -> dict[str, str]:
    """The labels naming an edge's subject: enough to route, group and overlay it."""
    labels = {
        "edge": edge["id"],
        "source": edge["source"],
        "destination": edge["target"],
        "namespace": str(target.get("namespace", "")),
        "source_namespace": str(source.get("namespace", "")),
        "destination_namespace": str(target.get("namespace", "")),
        "protocol": str(edge.get("protocol", "")),
    }
    for prefix, node in (("source", source), ("destination", target)):
        kind = node.get("kind")
        if kind in ("workload", "service", "app"):
            labels[f"{prefix}_{kind}"] = str(node.get("name", ""))
        if node.get("app"):
            labels[f"{prefix}_app"] = str(node["app"])
    return labels
