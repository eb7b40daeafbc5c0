"""Mapping the rich parsed objects down to the pipeline's `collectors.records.Inventory`,
so the existing cycle can take its inventory from a real cluster today."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from collectors.records import (
    Inventory,
    NamespaceRecord,
    PodRecord,
    ServicePort,
    ServiceRecord,
    WorkloadRecord,
)

from .cluster_records import (
    endpoint_slice_record,
    facts_record,
    mesh_policy_record,
    network_policy_record,
    node_record,
)
from .facts import cluster_facts
from .parse import (
    ConfigMapInfo,
    ControllerInfo,
    EndpointSliceInfo,
    NamespaceInfo,
    NetworkPolicyInfo,
    NodeInfo,
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
        pod_ips=pod.pod_ips,
        host_network=pod.host_network,
        mesh_layout=pod.mesh.layout,
        tls_mode=pod.mesh.tls_mode,
        canonical_name=pod.mesh.canonical_name,
        canonical_revision=pod.mesh.canonical_revision,
        restarts=pod.restarts,
        nameservers=pod.dns.nameservers,
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
        cluster_ips=svc.cluster_ips,
        headless=svc.headless,
        external_name=svc.external_name,
    )


def to_inventory(
    namespaces: Iterable[NamespaceInfo],
    pods: Iterable[PodInfo],
    services: Iterable[ServiceInfo],
    controllers: Iterable[ControllerInfo] = (),
    *,
    nodes: Iterable[NodeInfo] = (),
    endpoint_slices: Iterable[EndpointSliceInfo] = (),
    network_policies: Iterable[NetworkPolicyInfo] = (),
    mesh_policies: Iterable[Any] = (),
    configmaps: Iterable[ConfigMapInfo] | None = None,
) -> Inventory:
    """The Inventory of a cluster.

    `controllers` are every parsed workload object (ReplicaSets and Jobs resolve pods to
    their owners; Deployments, StatefulSets, DaemonSets and CronJobs give replica counts
    and appear as workloads even when they have no pods). `mesh_policies` are parsed Istio
    and Linkerd objects of any kind. Cluster facts are derived when `configmaps` (those of
    kube-system) are given, since kube-proxy's mode cannot be known without them.
    """
    controllers, nodes = list(controllers), list(nodes)
    pods, services = list(pods), list(services)
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
        nodes=tuple(node_record(n) for n in sorted(nodes, key=lambda n: n.meta.name)),
        endpoint_slices=tuple(
            endpoint_slice_record(es) for es in sorted(endpoint_slices, key=lambda e: e.meta.key)
        ),
        network_policies=tuple(
            network_policy_record(np) for np in sorted(network_policies, key=lambda n: n.meta.key)
        ),
        mesh_policies=tuple(
            sorted(
                (r for r in map(mesh_policy_record, mesh_policies) if r is not None),
                key=lambda r: (r.namespace, r.kind, r.name),
            )
        ),
        facts=None
        if configmaps is None
        else facts_record(
            cluster_facts(
                nodes, [c for c in controllers if c.kind == "DaemonSet"], configmaps, services, pods
            )
        ),
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
        ready = sum(1 for p in pods if p.ready)
        app, version = _app_version(labels)
        records.append(WorkloadRecord(ns, name, kind, app, version, labels, mesh, replicas, ready))
    return tuple(records)
