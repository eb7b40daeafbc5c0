"""The live `inventory` topic: the stored inventory as items with ids, and its publisher.

The snapshot lists what REST lists (same serializers), each item with an `id` the deltas
diff by (`pod:<ns>/<name>`, `node:<name>`, …), and the staleness summary. The watcher calls
`publish_inventory` after each batch commits; collection cycles advance it like any topic.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from webapp.inventory import models, queries
from webapp.inventory.api import serializers
from webapp.inventory.api.filtersets import FilterError, namespaces_param
from webapp.inventory.sync import staleness

log = logging.getLogger("meshwatch.inventory")
TOPIC = "inventory"
COLLECTIONS = (
    "namespaces",
    "nodes",
    "workloads",
    "pods",
    "services",
    "network_policies",
    "mesh_policies",
)


@dataclass(frozen=True)
class InventoryOptions:
    """The topic's params: `namespaces` (comma-separated or a list; empty: all)."""

    namespaces: tuple[str, ...] = ()

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> InventoryOptions:
        """Parse socket params; raises ValueError with a sentence for the client."""
        raw = params.get("namespaces") or ""
        text = ",".join(map(str, raw)) if isinstance(raw, list | tuple) else str(raw)
        try:
            return cls(tuple(namespaces_param({"namespaces": text})))
        except FilterError as exc:
            raise ValueError(str(exc)) from exc

    def as_params(self) -> dict[str, object]:
        """The canonical params."""
        return {"namespaces": ",".join(self.namespaces)}


def _scoped(queryset: QuerySet, namespaces: tuple[str, ...], field: str) -> QuerySet:
    return queryset.filter(**{f"{field}__in": namespaces}) if namespaces else queryset


def _items(queryset: QuerySet, serializer: Any, prefix: str, namespaced: bool) -> list[dict]:
    items = []
    for row in serializer(queryset, many=True).data:
        name = f"{row['namespace']}/{row['name']}" if namespaced else row["name"]
        if prefix == "mesh-policy":
            name = f"{row['namespace']}/{row['kind']}/{row['name']}"
        items.append({"id": f"{prefix}:{name}", **row})
    return items


def inventory_snapshot(options: InventoryOptions) -> dict[str, Any]:
    """The topic's snapshot: every collection of the requested namespaces, and staleness."""
    ns = options.namespaces
    s = serializers
    policies = models.NetworkPolicy.objects.select_related("namespace").order_by("pk")
    mesh = models.MeshPolicy.objects.select_related("namespace").order_by("pk")
    pods = models.Pod.objects.select_related("namespace").order_by("pk")
    return {
        "generated_at": datetime.now(UTC).isoformat(),
        "staleness": asdict(staleness()),
        "namespaces": _items(
            _scoped(models.Namespace.objects.order_by("name"), ns, "name"),
            s.NamespaceSerializer,
            "namespace",
            False,
        ),
        "nodes": _items(queries.nodes(ns or None), s.NodeSerializer, "node", False),
        "workloads": _items(
            _scoped(queries.workloads(), ns, "namespace__name"), s.WorkloadSerializer,
            "workload", True,
        ),
        "pods": _items(_scoped(pods, ns, "namespace__name"), s.PodSerializer, "pod", True),
        "services": _items(
            _scoped(queries.services(), ns, "namespace__name"), s.ServiceSerializer,
            "service", True,
        ),
        "network_policies": _items(
            _scoped(policies, ns, "namespace__name"), s.NetworkPolicySerializer,
            "network-policy", True,
        ),
        "mesh_policies": _items(
            _scoped(mesh, ns, "namespace__name"), s.MeshPolicySerializer, "mesh-policy", True
        ),
    }  # fmt: skip


def publish_inventory() -> None:
    """Advance every watched inventory view by one delta (after a batch committed)."""
    from webapp.live.broadcast import ACTIVE_FOR, advance
    from webapp.live.models import TopicState

    active = TopicState.objects.filter(
        topic=TOPIC, pinned=False, last_seen_at__gte=timezone.now() - ACTIVE_FOR
    )
    for pk in active.order_by("pk").values_list("pk", flat=True):
        try:
            advance(pk, None)
        except Exception:  # noqa: BLE001 - one view's failure must not stop the rest
            log.exception("live: publishing inventory view %s failed", pk)
