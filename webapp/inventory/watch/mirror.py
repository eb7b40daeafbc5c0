"""The writer's copy of the informers' stores, by kind and namespace, and what is dirty.

The informers hand over batches (upserts and deleted keys). The mirror applies them and
notes which stored parts of which namespaces they affect; `inventory` then maps just those
namespaces through the same `to_inventory` as every other source. Nothing leaves the mirror
except through an informer's delete, and informers delete only after a complete list, so a
failed list cannot delete anything here or in the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from collectors.kube.cluster_records import facts_record
from collectors.kube.facts import cluster_facts
from collectors.kube.inventory import to_inventory
from collectors.kube.kinds import MESH_KINDS
from collectors.records import ClusterFactsRecord, Inventory, NamespaceRecord

ALL = None  # a part dirty in every namespace: replace all its rows
CONTROLLERS = ("replicasets", "jobs", "deployments", "statefulsets", "daemonsets", "cronjobs")
MESH = tuple(k.name for k in MESH_KINDS)
# Stored part → the informer kinds it is computed from. A part is written only once all of
# its (served) inputs have completed a list, so a half-synced start deletes nothing.
PART_INPUTS: dict[str, tuple[str, ...]] = {
    "namespaces": ("namespaces",),
    "nodes": ("nodes",),
    "pods": ("pods", "replicasets", "jobs"),
    "workloads": ("pods", *CONTROLLERS),
    "services": ("services",),
    "endpoint_slices": ("endpointslices",),
    "network_policies": ("networkpolicies",),
    "mesh_policies": MESH,
    "facts": ("nodes", "daemonsets", "configmaps", "services", "pods"),
}
NAMESPACED_PARTS = (
    "workloads",
    "services",
    "pods",
    "endpoint_slices",
    "network_policies",
    "mesh_policies",
)
DNS_NAMESPACE = "kube-system"


class Mirror:
    """Parsed objects: kind → namespace ("" when cluster-scoped) → store key → object."""

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
        # part → namespaces to rewrite, or ALL; every part starts ALL: the first write after
        # (re)start replaces everything, deleting rows of objects gone while nobody watched.
        self.dirty: dict[str, set[str] | None] = dict.fromkeys(PART_INPUTS, ALL)

    def apply(self, kind: str, upserts: Iterable[Any], deletes: Iterable[str]) -> None:
        """Take one informer batch and mark what it affects dirty."""
        store = self.objects[kind]
        touched: set[str] = set()
        for obj in upserts:
            ns = obj.meta.namespace
            if kind == "namespaces" and obj.meta.name not in store[""]:
                self._mark(NAMESPACED_PARTS, {obj.meta.name})  # rows went with a deleted ns
            store[ns][obj.meta.key] = obj
            touched.add(ns)
        for key in deletes:
            ns = key.partition("/")[0] if "/" in key else ""
            store[ns].pop(key, None)
            touched.add(ns)
        parts = [part for part, inputs in PART_INPUTS.items() if kind in inputs]
        self._mark([p for p in parts if p != "facts"], touched)
        if "facts" in parts and (
            kind in ("nodes", "daemonsets", "configmaps") or (DNS_NAMESPACE in touched)
        ):
            self.dirty["facts"] = ALL

    def _mark(self, parts: Iterable[str], namespaces: set[str]) -> None:
        for part in parts:
            current = self.dirty.get(part, set())
            if part not in NAMESPACED_PARTS:
                self.dirty[part] = ALL
            elif current is not ALL:
                self.dirty[part] = (current or set()) | namespaces

    def items(self, kind: str, namespaces: set[str] | None = ALL) -> list[Any]:
        """Objects of `kind` in `namespaces` (ALL: everywhere)."""
        by_ns = self.objects.get(kind, {})
        chosen = by_ns.keys() if namespaces is ALL else namespaces & by_ns.keys()
        return [obj for ns in chosen for obj in by_ns[ns].values()]

    def inventory(self, namespaces: set[str] | None) -> Inventory:
        """The namespaced parts of `namespaces` (ALL: everywhere), namespaces and nodes."""
        return to_inventory(
            [],
            self.items("pods", namespaces),
            self.items("services", namespaces),
            [c for kind in CONTROLLERS for c in self.items(kind, namespaces)],
            nodes=self.items("nodes"),
            endpoint_slices=self.items("endpointslices", namespaces),
            network_policies=self.items("networkpolicies", namespaces),
            mesh_policies=[p for kind in MESH for p in self.items(kind, namespaces)],
        )

    def namespace_records(self) -> tuple[NamespaceRecord, ...]:
        """Every namespace, as listed."""
        items = sorted(self.items("namespaces"), key=lambda n: n.meta.name)
        return tuple(NamespaceRecord(n.meta.name, dict(n.meta.labels), n.mesh) for n in items)

    def facts(self) -> ClusterFactsRecord:
        """The cluster facts from nodes, DaemonSets, kube-system ConfigMaps, Services, pods."""
        ks = {DNS_NAMESPACE}
        return facts_record(
            cluster_facts(
                self.items("nodes"),
                self.items("daemonsets"),
                self.items("configmaps"),
                self.items("services", ks),
                self.items("pods", ks),
            )
        )
