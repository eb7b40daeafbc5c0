"""Keeping the stored inventory in step with what a source listed."""

from __future__ import annotations

import logging
import re
from dataclasses import asdict
from typing import Any, TypeVar

from collectors.records import Inventory
from webapp.inventory import models
from webapp.traffic.convert import bounded

log = logging.getLogger("meshwatch.inventory")
_NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")

M = TypeVar("M", models.Workload, models.Service, models.Pod)


def apply_inventory(inventory: Inventory) -> None:
    """Make the stored inventory equal `inventory`: upsert what is listed, delete the rest.

    Runs inside the caller's transaction (the cycle's), so readers never see half a listing.
    """
    namespaces = _apply_namespaces(inventory)
    _replace(
        models.Workload,
        namespaces,
        [
            dict(
                namespace=namespaces[w.namespace],
                name=w.name,
                kind=w.kind,
                app=w.app,
                version=w.version,
                labels=dict(w.labels),
                mesh=w.mesh,
                replicas=w.replicas,
            )
            for w in inventory.workloads
            if w.namespace in namespaces
        ],
    )
    _replace(
        models.Service,
        namespaces,
        [
            dict(
                namespace=namespaces[s.namespace],
                name=s.name,
                type=s.type,
                cluster_ip=s.cluster_ip,
                selector=dict(s.selector),
                ports=[asdict(p) for p in s.ports],
                labels=dict(s.labels),
            )
            for s in inventory.services
            if s.namespace in namespaces
        ],
    )
    _replace(
        models.Pod,
        namespaces,
        [
            dict(
                namespace=namespaces[p.namespace],
                name=p.name,
                workload=p.workload,
                workload_kind=p.workload_kind,
                ip=p.ip,
                node=p.node,
                phase=p.phase,
                ready=p.ready,
                labels=dict(p.labels),
                sidecar=p.sidecar,
                dns_policy=p.dns_policy,
                ndots=p.ndots,
                search=list(p.search),
            )
            for p in inventory.pods
            if p.namespace in namespaces
        ],
    )


def _apply_namespaces(inventory: Inventory) -> dict[str, models.Namespace]:
    # A namespace name that Kubernetes could not have made (telemetry labels are free text)
    # is left out, and with it everything listed under it.
    listed = {ns.name: ns for ns in inventory.namespaces if _NAMESPACE.match(ns.name)}
    skipped = len(inventory.namespaces) - len(listed)
    if skipped:
        log.warning(
            "inventory: %d namespace names are not valid Kubernetes names; skipped", skipped
        )
    models.Namespace.objects.exclude(name__in=listed).delete()
    stored = {ns.name: ns for ns in models.Namespace.objects.all()}
    for name, record in listed.items():
        row = stored.get(name) or models.Namespace(name=name)
        if row.pk is None or row.labels != record.labels or row.mesh != record.mesh:
            row.labels, row.mesh = dict(record.labels), record.mesh
            row.save()
        stored[name] = row
    return stored


def _replace(
    model: type[M],
    namespaces: dict[str, models.Namespace],
    wanted: list[dict[str, Any]],
) -> None:
    """Upsert `wanted` rows keyed by (namespace, name) and delete the ones not listed."""
    wanted = [_fit(model, values) for values in wanted]
    existing = {(row.namespace_id, row.name): row for row in model.objects.all()}
    keep: set[int] = set()
    creates: list[M] = []
    updates: list[M] = []
    fields = [f for f in (wanted[0] if wanted else {}) if f not in ("namespace", "name")]
    for values in wanted:
        row = existing.get((values["namespace"].pk, values["name"]))
        if row is None:
            creates.append(model(**values))
            continue
        keep.add(row.pk)
        if any(getattr(row, f) != values[f] for f in fields):
            for f in fields:
                setattr(row, f, values[f])
            updates.append(row)
    stale = [row.pk for row in existing.values() if row.pk not in keep]
    if stale:
        model.objects.filter(pk__in=stale).delete()
    model.objects.bulk_create(creates, batch_size=1000)
    if updates:
        model.objects.bulk_update(updates, fields, batch_size=1000)


def _fit(model: type[M], values: dict[str, Any]) -> dict[str, Any]:
    """`values` with every string cut to its column's length (see convert.bounded)."""
    fitted = dict(values)
    for field in model._meta.concrete_fields:
        limit = getattr(field, "max_length", None)
        value = fitted.get(field.name)
        if limit and isinstance(value, str) and len(value) > limit:
            fitted[field.name] = bounded(value, limit)
    return fitted
