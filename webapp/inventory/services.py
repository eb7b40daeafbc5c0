"""Keeping the stored inventory in step with a source.

Two writers, one code path: the collection cycle hands a whole listing to `apply_inventory`
(the simulator, telemetry-only mode); the watcher hands the namespaces an informer batch
touched to `write_inventory` with a narrower `Scope`. While a watcher holds or recently held
the lease (lease.py), the cycle's listings are ignored: the cluster itself knows better than
telemetry what exists, and the two must not take turns deleting each other's rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from collectors.records import ClusterFactsRecord, Inventory
from webapp.graph.options import NAMESPACE_NAME
from webapp.inventory import lease, models, rows

log = logging.getLogger("meshwatch.inventory")

# Namespaced parts of an Inventory: (record field, model, values function, key fields).
PARTS: dict[str, tuple[type[Any], Callable[[Any], rows.Values], tuple[str, ...]]] = {
    "workloads": (models.Workload, rows.workload_values, ("namespace", "name")),
    "services": (models.Service, rows.service_values, ("namespace", "name")),
    "pods": (models.Pod, rows.pod_values, ("namespace", "name")),
    "endpoint_slices": (models.EndpointSlice, rows.slice_values, ("namespace", "name")),
    "network_policies": (
        models.NetworkPolicy,
        rows.network_policy_values,
        ("namespace", "name"),
    ),
    "mesh_policies": (models.MeshPolicy, rows.mesh_policy_values, ("namespace", "kind", "name")),
}


@dataclass(frozen=True)
class Scope:
    """What one write replaces; everything outside it is left as it is.

    `parts` maps a namespaced part ("pods", …) to the namespaces whose rows are replaced,
    or None for all of them. `namespaces`, `nodes` and `facts` replace those wholesale.
    `adopt` creates Namespace rows for records in namespaces not stored yet (informers sync
    independently, so pods may come before their namespace); otherwise such records are
    dropped, as a listing's records outside its namespaces are.
    """

    parts: dict[str, frozenset[str] | None] = field(default_factory=dict)
    namespaces: bool = False
    nodes: bool = False
    facts: bool = False
    adopt: bool = False

    @classmethod
    def everything(cls) -> Scope:
        """A whole listing: every row not in it is deleted."""
        return cls(dict.fromkeys(PARTS), namespaces=True, nodes=True, facts=True)


def apply_inventory(inventory: Inventory) -> None:
    """Make the stored inventory equal `inventory`: upsert what is listed, delete the rest.

    Runs inside the caller's transaction (the cycle's), so readers never see half a listing.
    Does nothing while the watcher owns the inventory (see the module docstring).
    """
    if lease.watcher_owns_inventory():
        log.debug("inventory: the watcher owns the inventory; the cycle's listing is ignored")
        return
    write_inventory(inventory, Scope.everything(), source="cycle")


def write_inventory(inventory: Inventory, scope: Scope, source: str = "watcher") -> int:
    """Replace what `scope` covers with what `inventory` says; returns rows changed."""
    changed = 0
    if scope.namespaces:
        changed += _replace_namespaces(inventory)
    stored = {ns.name: ns for ns in models.Namespace.objects.all()}
    if scope.adopt:
        changed += _adopt(inventory, scope, stored)
    if scope.nodes:
        changed += rows.replace(
            models.Node,
            models.Node.objects.all(),
            [rows.node_values(n) for n in inventory.nodes],
            ("name",),
        )
    for part, namespaces in scope.parts.items():
        changed += _replace_part(part, getattr(inventory, part), namespaces, stored)
    if scope.facts:
        changed += write_facts(inventory.facts, source)
    return changed


def _replace_part(
    part: str,
    records: Iterable[Any],
    namespaces: frozenset[str] | None,
    stored: dict[str, models.Namespace],
) -> int:
    model, values_of, key_fields = PARTS[part]
    wanted = [
        {"namespace": stored[r.namespace], **values_of(r)}
        for r in records
        if r.namespace in stored and (namespaces is None or r.namespace in namespaces)
    ]
    existing = model.objects.all()
    if namespaces is not None:
        existing = existing.filter(namespace__name__in=namespaces)
    on_written = rows.write_endpoints if model is models.EndpointSlice else None
    return rows.replace(model, existing, wanted, key_fields, on_written)


def _replace_namespaces(inventory: Inventory) -> int:
    # A namespace name that Kubernetes could not have made (telemetry labels are free text)
    # is left out, and with it everything listed under it.
    listed = {ns.name: ns for ns in inventory.namespaces if NAMESPACE_NAME.match(ns.name)}
    skipped = len(inventory.namespaces) - len(listed)
    if skipped:
        log.warning(
            "inventory: %d namespace names are not valid Kubernetes names; skipped", skipped
        )
    wanted = [dict(name=n.name, labels=dict(n.labels), mesh=n.mesh) for n in listed.values()]
    return rows.replace(models.Namespace, models.Namespace.objects.all(), wanted, ("name",))


def _adopt(inventory: Inventory, scope: Scope, stored: dict[str, models.Namespace]) -> int:
    needed = {
        r.namespace
        for part in scope.parts
        for r in getattr(inventory, part)
        if r.namespace not in stored and NAMESPACE_NAME.match(r.namespace)
    }
    for name in sorted(needed):
        stored[name], _ = models.Namespace.objects.get_or_create(name=name)
    return len(needed)


def write_facts(facts: ClusterFactsRecord | None, source: str) -> int:
    """Store the cluster facts (None: nothing is known, the row goes); returns 1 on change."""
    if facts is None:
        deleted, _ = models.ClusterFacts.objects.all().delete()
        return 1 if deleted else 0
    values = dict(
        cni=facts.cni,
        cni_evidence=list(facts.cni_evidence),
        cni_candidates=list(facts.cni_candidates),
        kube_proxy_mode=facts.kube_proxy_mode,
        kube_proxy_evidence=list(facts.kube_proxy_evidence),
        dns_service=facts.dns_service,
        node_pod_cidrs={k: list(v) for k, v in facts.node_pod_cidrs.items()},
        source=source,
    )
    row = models.ClusterFacts.objects.filter(pk=1).first()
    if row is not None and all(getattr(row, k) == v for k, v in values.items()):
        return 0
    models.ClusterFacts.objects.update_or_create(
        pk=1, defaults=rows.fit(models.ClusterFacts, values)
    )
    return 1
