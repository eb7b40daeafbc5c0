"""Mapping the rich parsed objects down to the pipeline's `collectors.records.Inventory`,
so the existing cycle can take its inventory from a real cluster today."""

from __future__ import annotations

from collections.abc import Iterable

from collectors.records import (
    Inventory,
    NamespaceRecord,
    PodRecord,
    ServicePort,
    ServiceRecord,
    WorkloadRecord,
)

from .parse import (
    ControllerInfo,
    NamespaceInfo,
    PodInfo,
    ServiceInfo,
    WorkloadRef,
    WorkloadResolver,
)

TOP_LEVEL = ("Deployment", "StatefulSet", "DaemonSet", "CronJob")


def _app_version(labels: dict[str, str]) -> tuple[str, str]:
    # Istio's own precedence for the canonical service and revision.
    app = (
        labels.get("service.istio.io/canonical-name")
        or labels.get("app.kubernetes.io/name")
        or labels.get("app", "")
    )
    version = (
        labels.get("service.istio.io/canonical-revision")
        or labels.get("app.kubernetes.io/version")
        or labels.get("version", "")
    )
    return app, version


def pod_record(pod: PodInfo, workload: WorkloadRef) -> PodRecord:
    """One pod as the pipeline's PodRecord."""
    return PodRecord(
        namespace=pod.meta.namespace,
        name=pod.meta.name,
        workload=workload.name,
        workload_kind=workload.kind,
        ip=pod.pod_ip,
        node=pod.node,
        phase=pod.phase,
        ready=pod.ready,
        labels=dict(pod.meta.labels),
        sidecar=pod.mesh.mesh if pod.mesh.layout in ("container", "native") else "",
        dns_policy=pod.dns.policy,
        ndots=pod.dns.ndots if pod.dns.ndots is not None else 1,  # resolver default
        search=pod.dns.searches,
    )


def service_record(svc: ServiceInfo) -> ServiceRecord:
    """One Service as the pipeline's ServiceRecord."""
    return ServiceRecord(
        namespace=svc.meta.namespace,
        name=svc.meta.name,
        type=svc.type,
        cluster_ip=svc.cluster_ip,
        selector=dict(svc.selector),
        ports=tuple(
            ServicePort(
                port=p.port,
                protocol=p.protocol,
                name=p.name,
                target_port="" if p.target_port is None else str(p.target_port),
            )
            for p in svc.ports
        ),
        labels=dict(svc.meta.labels),
    )


def to_inventory(
    namespaces: Iterable[NamespaceInfo],
    pods: Iterable[PodInfo],
    services: Iterable[ServiceInfo],
    controllers: Iterable[ControllerInfo] = (),
) -> Inventory:
    """The Inventory of a cluster.

    `controllers` are every parsed workload object (ReplicaSets and Jobs resolve pods to
    their owners; Deployments, StatefulSets, DaemonSets and CronJobs give replica counts
    and appear as workloads even when they have no pods).
    """
    controllers = list(controllers)
    resolver = WorkloadResolver(
        [c for c in controllers if c.kind == "ReplicaSet"],
        [c for c in controllers if c.kind == "Job"],
    )
    pod_list = sorted(pods, key=lambda p: p.meta.key)
    resolved = [(pod, resolver.resolve(pod)) for pod in pod_list]
    return Inventory(
        namespaces=tuple(
            NamespaceRecord(n.meta.name, dict(n.meta.labels), n.mesh)
            for n in sorted(namespaces, key=lambda n: n.meta.name)
        ),
        workloads=_workloads(resolved, controllers),
        services=tuple(service_record(s) for s in sorted(services, key=lambda s: s.meta.key)),
        pods=tuple(pod_record(pod, ref) for pod, ref in resolved),
    )


def _workloads(
    resolved: list[tuple[PodInfo, WorkloadRef]], controllers: list[ControllerInfo]
) -> tuple[WorkloadRecord, ...]:
    tops = {(c.kind, c.meta.namespace, c.meta.name): c for c in controllers if c.kind in TOP_LEVEL}
    members: dict[tuple[str, str, str], list[PodInfo]] = {}
    for pod, ref in resolved:
        members.setdefault((ref.kind, ref.namespace, ref.name), []).append(pod)
    records = []
    for key in sorted(set(members) | set(tops)):
        kind, ns, name = key
        pods, ctrl = members.get(key, []), tops.get(key)
        labels = dict(ctrl.template_labels) if ctrl else dict(pods[0].meta.labels)
        labels.pop("pod-template-hash", None)
        meshes = [p.mesh.mesh for p in pods if p.mesh.mesh]
        mesh = meshes[0] if meshes else (ctrl.template_mesh.mesh if ctrl else "")
        replicas = ctrl.replicas if ctrl and ctrl.replicas is not None else len(pods)
        app, version = _app_version(labels)
        records.append(WorkloadRecord(ns, name, kind, app, version, labels, mesh, replicas))
    return tuple(records)
