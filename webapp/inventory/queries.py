"""Reading the stored inventory: back as records for the builders, and as querysets for REST.

Every function here costs a fixed number of queries, whatever the inventory's size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from collectors.records import (
    ClusterFactsRecord,
    EndpointRecord,
    EndpointSliceRecord,
    Inventory,
    MeshPolicyRecord,
    NamespaceRecord,
    NetworkPolicyRecord,
    NodeRecord,
    PodRecord,
    ServicePort,
    ServiceRecord,
    WorkloadRecord,
)
from webapp.inventory import models


def current_inventory() -> Inventory:
    """The whole stored inventory; ten queries, whatever its size."""
    return Inventory(
        namespaces=tuple(
            NamespaceRecord(ns.name, dict(ns.labels), ns.mesh)
            for ns in models.Namespace.objects.order_by("name")
        ),
        workloads=tuple(_workload(w) for w in _ordered(models.Workload)),
        services=tuple(_service(s) for s in _ordered(models.Service)),
        pods=tuple(_pod(p) for p in _ordered(models.Pod)),
        nodes=tuple(_node(n) for n in models.Node.objects.order_by("name")),
        endpoint_slices=_slices(),
        network_policies=tuple(_network_policy(n) for n in _ordered(models.NetworkPolicy)),
        mesh_policies=tuple(
            MeshPolicyRecord(m.namespace.name, m.name, m.kind, m.mesh, dict(m.spec), dict(m.labels))
            for m in _ordered(models.MeshPolicy)
        ),
        facts=_facts(models.ClusterFacts.objects.filter(pk=1).first()),
    )


def _ordered(model: Any) -> QuerySet:
    return model.objects.select_related("namespace").order_by("pk")


def _workload(w: models.Workload) -> WorkloadRecord:
    return WorkloadRecord(
        w.namespace.name,
        w.name,
        w.kind,
        w.app,
        w.version,
        dict(w.labels),
        w.mesh,
        w.replicas,
        w.ready_replicas,
    )


def _service(s: models.Service) -> ServiceRecord:
    return ServiceRecord(
        s.namespace.name,
        s.name,
        s.type,
        s.cluster_ip,
        dict(s.selector),
        tuple(ServicePort(**p) for p in s.ports),
        dict(s.labels),
        tuple(s.cluster_ips),
        s.headless,
        s.external_name,
    )


def _pod(p: models.Pod) -> PodRecord:
    return PodRecord(
        p.namespace.name,
        p.name,
        p.workload,
        p.workload_kind,
        p.ip,
        p.node,
        p.phase,
        p.ready,
        dict(p.labels),
        p.sidecar,
        p.dns_policy,
        p.ndots,
        tuple(p.search),
        pod_ips=tuple(p.pod_ips),
        host_network=p.host_network,
        mesh_layout=p.mesh_layout,
        tls_mode=p.tls_mode,
        canonical_name=p.canonical_name,
        canonical_revision=p.canonical_revision,
        restarts=p.restarts,
        nameservers=tuple(p.nameservers),
    )


def _node(n: models.Node) -> NodeRecord:
    return NodeRecord(
        n.name,
        dict(n.labels),
        tuple(n.pod_cidrs),
        n.internal_ip,
        n.ready,
        n.kubelet_version,
        n.container_runtime,
        n.unschedulable,
    )


def _slices() -> tuple[EndpointSliceRecord, ...]:
    endpoints: dict[int, list[EndpointRecord]] = defaultdict(list)
    for e in models.Endpoint.objects.order_by("pk"):
        endpoints[e.slice_id].append(
            EndpointRecord(
                tuple(e.addresses), e.ready, e.serving, e.terminating, e.pod, e.node, e.zone
            )
        )
    return tuple(
        EndpointSliceRecord(
            s.namespace.name,
            s.name,
            s.service,
            s.address_type,
            tuple(endpoints.get(s.pk, ())),
            tuple(ServicePort(**p) for p in s.ports),
        )
        for s in _ordered(models.EndpointSlice)
    )


def _network_policy(n: models.NetworkPolicy) -> NetworkPolicyRecord:
    return NetworkPolicyRecord(
        n.namespace.name,
        n.name,
        dict(n.pod_selector),
        tuple(n.policy_types),
        tuple(n.ingress),
        tuple(n.egress),
        dict(n.labels),
    )


def _facts(row: models.ClusterFacts | None) -> ClusterFactsRecord | None:
    if row is None:
        return None
    return ClusterFactsRecord(
        cni=row.cni,
        cni_evidence=tuple(row.cni_evidence),
        cni_candidates=tuple(row.cni_candidates),
        kube_proxy_mode=row.kube_proxy_mode,
        kube_proxy_evidence=tuple(row.kube_proxy_evidence),
        dns_service=row.dns_service,
        node_pod_cidrs={k: tuple(v) for k, v in row.node_pod_cidrs.items()},
    )


# --- querysets for the REST API ----------------------------------------------------------


def _count(queryset: QuerySet, **outer: str) -> Coalesce:
    """A correlated COUNT(*) of `queryset` rows matching the outer row's fields."""
    counted = (
        queryset.filter(**{k: OuterRef(v) for k, v in outer.items()})
        .order_by()
        .values(*outer)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def workloads() -> QuerySet[models.Workload]:
    """Workloads with their pods counted: all, ready, and with a mesh sidecar."""
    pods = models.Pod.objects.all()
    outer = {"namespace_id": "namespace_id", "workload": "name"}
    return (
        models.Workload.objects.select_related("namespace")
        .annotate(
            pod_count=_count(pods, **outer),
            ready_count=_count(pods.filter(ready=True), **outer),
            sidecar_count=_count(pods.exclude(sidecar=""), **outer),
        )
        .order_by("namespace__name", "name")
    )


def nodes(namespaces: Iterable[str] | None = None) -> QuerySet[models.Node]:
    """Nodes with the number of pods bound to each: of `namespaces` only, when given (a
    caller limited to some namespaces must not learn how many pods the others run)."""
    pods = models.Pod.objects.all()
    if namespaces is not None:
        pods = pods.filter(namespace__name__in=sorted(namespaces))
    return models.Node.objects.annotate(pod_count=_count(pods, node="name")).order_by("name")


def services() -> QuerySet[models.Service]:
    """Services with their endpoints counted (all, and ready) across their slices."""
    endpoints = models.Endpoint.objects.all()
    outer = {"slice__namespace_id": "namespace_id", "slice__service": "name"}
    return (
        models.Service.objects.select_related("namespace")
        .annotate(
            all_endpoints=_count(endpoints, **outer),
            ready_endpoints=_count(endpoints.filter(Q(ready=True)), **outer),
        )
        .order_by("namespace__name", "name")
    )


def counts(visible: set[str] | None = None) -> dict[str, int]:
    """How many of each kind are stored (one query per kind), in `visible` (None: all).

    Namespaced kinds count only the visible namespaces' objects; nodes are cluster-wide.
    """
    kinds = {
        "namespaces": models.Namespace,
        "nodes": models.Node,
        "workloads": models.Workload,
        "pods": models.Pod,
        "services": models.Service,
        "endpoint_slices": models.EndpointSlice,
        "network_policies": models.NetworkPolicy,
        "mesh_policies": models.MeshPolicy,
    }
    result = {}
    for name, model in kinds.items():
        rows = model._default_manager.all()
        if visible is not None and model is models.Namespace:
            rows = rows.filter(name__in=visible)
        elif visible is not None and model is not models.Node:
            rows = rows.filter(namespace__name__in=visible)
        result[name] = rows.count()
    return result


def inventory_version() -> str | None:
    """A token that changes whenever the watcher writes a batch (None without a watcher).

    The watcher renews its lease inside every batch's transaction, so the lease's expiry
    moves with every write; caches of things built from the inventory key on it.
    """
    from django.db.models import Max

    newest = models.WatcherLease.objects.aggregate(newest=Max("expires_at"))["newest"]
    return newest.isoformat() if newest else None
