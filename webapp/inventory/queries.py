"""Reading the stored inventory back as records, for the builders."""

from __future__ import annotations

from collectors.records import (
    Inventory,
    NamespaceRecord,
    PodRecord,
    ServicePort,
    ServiceRecord,
    WorkloadRecord,
)
from webapp.inventory import models


def current_inventory() -> Inventory:
    """The whole stored inventory; four queries, whatever its size."""
    return Inventory(
        namespaces=tuple(
            NamespaceRecord(ns.name, dict(ns.labels), ns.mesh)
            for ns in models.Namespace.objects.order_by("name")
        ),
        workloads=tuple(
            WorkloadRecord(
                w.namespace.name,
                w.name,
                w.kind,
                w.app,
                w.version,
                dict(w.labels),
                w.mesh,
                w.replicas,
            )
            for w in models.Workload.objects.select_related("namespace").order_by("pk")
        ),
        services=tuple(
            ServiceRecord(
                s.namespace.name,
                s.name,
                s.type,
                s.cluster_ip,
                dict(s.selector),
                tuple(ServicePort(**p) for p in s.ports),
                dict(s.labels),
            )
            for s in models.Service.objects.select_related("namespace").order_by("pk")
        ),
        pods=tuple(
            PodRecord(
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
            )
            for p in models.Pod.objects.select_related("namespace").order_by("pk")
        ),
    )
