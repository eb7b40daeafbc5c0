"""Records → rows: the column values of every inventory model, and a scoped replace.

Both writers use these: the collection cycle replaces the whole inventory, the watcher
replaces only the namespaces a batch touched. Values are what the database gives back
(lists, not tuples), so comparing a stored row with a record tells a real change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any, TypeVar

from django.db import models as dj

from collectors.records import (
    EndpointSliceRecord,
    MeshPolicyRecord,
    NetworkPolicyRecord,
    NodeRecord,
    PodRecord,
    ServiceRecord,
    WorkloadRecord,
)
from webapp.inventory import models
from webapp.traffic.convert import bounded

M = TypeVar("M", bound=dj.Model)
Values = dict[str, Any]


def workload_values(w: WorkloadRecord) -> Values:
    """A Workload row's columns (without its namespace)."""
    return dict(
        name=w.name,
        kind=w.kind,
        app=w.app,
        version=w.version,
        labels=dict(w.labels),
        mesh=w.mesh,
        replicas=max(0, w.replicas),
        ready_replicas=w.ready_replicas,
    )


def service_values(s: ServiceRecord) -> Values:
    """A Service row's columns."""
    return dict(
        name=s.name,
        type=s.type,
        cluster_ip=s.cluster_ip,
        selector=dict(s.selector),
        ports=[asdict(p) for p in s.ports],
        labels=dict(s.labels),
        cluster_ips=list(s.cluster_ips),
        headless=s.headless,
        external_name=s.external_name,
    )


def pod_values(p: PodRecord) -> Values:
    """A Pod row's columns."""
    return dict(
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
        ndots=min(max(0, p.ndots), 32767),
        search=list(p.search),
        pod_ips=list(p.pod_ips),
        host_network=p.host_network,
        mesh_layout=p.mesh_layout,
        tls_mode=p.tls_mode,
        canonical_name=p.canonical_name,
        canonical_revision=p.canonical_revision,
        restarts=max(0, p.restarts),
        nameservers=list(p.nameservers),
    )


def node_values(n: NodeRecord) -> Values:
    """A Node row's columns."""
    return dict(
        name=n.name,
        labels=dict(n.labels),
        pod_cidrs=list(n.pod_cidrs),
        internal_ip=n.internal_ip,
        ready=n.ready,
        kubelet_version=n.kubelet_version,
        container_runtime=n.container_runtime,
        unschedulable=n.unschedulable,
    )


def slice_values(es: EndpointSliceRecord) -> Values:
    """An EndpointSlice row's columns; `_endpoints` is written to the Endpoint table.

    The digest of the endpoints is a column, so that a slice whose endpoints changed is seen
    as changed without reading its Endpoint rows back.
    """
    endpoints = [
        dict(
            addresses=list(e.addresses),
            ready=e.ready,
            serving=e.serving,
            terminating=e.terminating,
            pod=e.pod,
            node=e.node,
            zone=e.zone,
        )
        for e in es.endpoints
    ]
    return dict(
        name=es.name,
        service=es.service,
        address_type=es.address_type,
        ports=[asdict(p) for p in es.ports],
        endpoints_digest=hashlib.sha256(json.dumps(endpoints, sort_keys=True).encode()).hexdigest(),
        _endpoints=endpoints,
    )


def network_policy_values(np: NetworkPolicyRecord) -> Values:
    """A NetworkPolicy row's columns."""
    return dict(
        name=np.name,
        pod_selector=dict(np.pod_selector),
        policy_types=list(np.policy_types),
        ingress=[dict(r) for r in np.ingress],
        egress=[dict(r) for r in np.egress],
        labels=dict(np.labels),
        default_deny_ingress=np.default_deny_ingress,
        default_deny_egress=np.default_deny_egress,
    )


def mesh_policy_values(mp: MeshPolicyRecord) -> Values:
    """A MeshPolicy row's columns."""
    return dict(
        name=mp.name, kind=mp.kind, mesh=mp.mesh, spec=dict(mp.spec), labels=dict(mp.labels)
    )


def fit(model: type[dj.Model], values: Values) -> Values:
    """`values` with every string cut to its column's length (see convert.bounded)."""
    fitted = dict(values)
    for field in model._meta.concrete_fields:
        limit = getattr(field, "max_length", None)
        value = fitted.get(field.name)
        if limit and isinstance(value, str) and len(value) > limit:
            fitted[field.name] = bounded(value, limit)
    return fitted


def _key(values: Values, key_fields: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(values[f].pk if f == "namespace" else values[f] for f in key_fields)


def _row_key(row: dj.Model, key_fields: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(getattr(row, "namespace_id" if f == "namespace" else f) for f in key_fields)


def replace(
    model: type[M],
    existing: Iterable[M],
    wanted: list[Values],
    key_fields: tuple[str, ...] = ("namespace", "name"),
    on_written: Callable[[list[tuple[M, Values]]], None] | None = None,
) -> int:
    """Make `existing` (one scope's rows) equal `wanted`; returns how many rows changed.

    1. Rows whose key is not wanted are deleted.
    2. Wanted rows without a row are created; rows that differ are updated.
    3. `on_written` gets every created or changed (row, values) pair, for child tables.
    Keys starting with "_" in `wanted` are for `on_written` only and are never columns.
    """
    wanted = [fit(model, values) for values in wanted]
    by_key = {_row_key(row, key_fields): row for row in existing}
    fields = sorted({f for values in wanted for f in values if f not in key_fields and f[0] != "_"})
    creates: list[tuple[M, Values]] = []
    updates: list[tuple[M, Values]] = []
    for values in wanted:
        columns = {k: v for k, v in values.items() if k[0] != "_"}
        row = by_key.pop(_key(values, key_fields), None)
        if row is None:
            creates.append((model(**columns), values))
        elif any(getattr(row, f) != columns[f] for f in fields):
            for f in fields:
                setattr(row, f, columns[f])
            updates.append((row, values))
    if by_key:
        model._default_manager.filter(pk__in=[row.pk for row in by_key.values()]).delete()
    model._default_manager.bulk_create([row for row, _ in creates], batch_size=1000)
    if updates:
        model._default_manager.bulk_update([row for row, _ in updates], fields, batch_size=1000)
    if on_written is not None and (creates or updates):
        on_written(creates + updates)
    return len(by_key) + len(creates) + len(updates)


def write_endpoints(written: list[tuple[models.EndpointSlice, Values]]) -> None:
    """Rewrite the endpoints of slices just created or changed (bulk_create set their pks:
    PostgreSQL and SQLite ≥ 3.35 both return them)."""
    models.Endpoint.objects.filter(slice__in=[row.pk for row, _ in written]).delete()
    models.Endpoint.objects.bulk_create(
        [
            models.Endpoint(slice=row, **fit(models.Endpoint, endpoint))
            for row, values in written
            for endpoint in values["_endpoints"]
        ],
        batch_size=1000,
    )
