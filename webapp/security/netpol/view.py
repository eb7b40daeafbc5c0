"""The policies, the pod index and the window's judged edges, derived once per evaluation.

The four netpol checks read the same derived data; `view_for` keeps it in the evaluation's
scratch dict (InsightContext.extra) so it is built once, not once per check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from collectors.records import EdgeSample, Inventory
from webapp.security.netpol.edges import EdgeVerdict, PodIndex, judge_edge
from webapp.security.netpol.evaluate import PolicySet

CACHE_KEY = "webapp.security.netpol.view"


@dataclass
class NetpolView:
    """What the netpol checks share: policies, pods, and each edge with its verdict."""

    inventory: Inventory
    policies: PolicySet
    pods: PodIndex
    _edges: Sequence[EdgeSample] | None = None
    _judged: list[tuple[EdgeSample, EdgeVerdict]] = field(default_factory=list)

    @classmethod
    def of(cls, inventory: Inventory) -> NetpolView:
        """Index `inventory` for evaluation."""
        policies = PolicySet.from_inventory(inventory)
        return cls(inventory, policies, PodIndex(inventory, policies))

    def judged(self, edges: Sequence[EdgeSample]) -> list[tuple[EdgeSample, EdgeVerdict]]:
        """Every edge with its verdict (computed once for the same edges)."""
        if self._edges is not edges:
            self._judged = [(e, judge_edge(self.policies, self.pods, e)) for e in edges]
            self._edges = edges
        return self._judged


def view_for(cache: dict[str, Any], inventory: Inventory) -> NetpolView:
    """The view of `inventory`, kept in `cache` so every check of one evaluation shares it."""
    view = cache.get(CACHE_KEY)
    if not isinstance(view, NetpolView) or view.inventory is not inventory:
        view = NetpolView.of(inventory)
        cache[CACHE_KEY] = view
    return view
