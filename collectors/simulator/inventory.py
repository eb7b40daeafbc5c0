"""Turn the world's specs into the Inventory a cluster listing would return.

What the cluster itself decides (pod name suffixes, pod IPs, node placement, cluster IPs) is
drawn from the seed alone, so one seed always gives one cluster.
"""

from __future__ import annotations

import random

from collectors.records import (
    Inventory,
    NamespaceRecord,
    PodRecord,
    ServiceRecord,
    WorkloadRecord,
)
from collectors.simulator.noise import unit
from collectors.simulator.world import ISTIO, LINKERD, ServiceSpec, WorkloadSpec, World

NODES = ("meshwatch-worker", "meshwatch-worker2", "meshwatch-worker3")
# Kubernetes' SafeEncodeString alphabet: no vowels, so suffixes never spell words.
_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
CLUSTER_DOMAIN = "cluster.local"


def _suffix(seed: int, length: int, *parts: object) -> str:
    rng = random.Random(":".join(str(p) for p in (seed, *parts)))
    return "".join(rng.choice(_ALPHABET) for _ in range(length))


def mesh_labels(spec: WorkloadSpec) -> dict[str, str]:
    """The labels the mesh injector adds to a pod of this workload."""
    if spec.sidecar == ISTIO:
        return {
            "security.istio.io/tlsMode": "istio",
            "service.istio.io/canonical-name": spec.app,
            "service.istio.io/canonical-revision": spec.version or "latest",
        }
    if spec.sidecar == LINKERD:
        return {
            "linkerd.io/control-plane-ns": "linkerd",
            f"linkerd.io/proxy-{spec.kind.lower()}": spec.name,
            "linkerd.io/workload-ns": spec.namespace,
        }
    return {}


def dns_search(spec: WorkloadSpec) -> tuple[str, ...]:
    """The resolv.conf search list kubelet writes for a ClusterFirst pod."""
    if spec.dns_policy != "ClusterFirst":
        return ()
    return (f"{spec.namespace}.svc.{CLUSTER_DOMAIN}", f"svc.{CLUSTER_DOMAIN}", CLUSTER_DOMAIN)


def _pod_names(spec: WorkloadSpec, seed: int) -> list[tuple[str, dict[str, str]]]:
    """Pod names and controller labels, as the Deployment or StatefulSet controller makes them."""
    if spec.kind == "StatefulSet":
        revision = f"{spec.name}-{_suffix(seed, 10, spec.key, 'rev')}"
        return [
            (f"{spec.name}-{i}", {"controller-revision-hash": revision,
                                  "statefulset.kubernetes.io/pod-name": f"{spec.name}-{i}"})
            for i in range(spec.replicas)
        ]  # fmt: skip
    template_hash = _suffix(seed, 10, spec.key, "rs")
    return [
        (f"{spec.name}-{template_hash}-{_suffix(seed, 5, spec.key, i)}",
         {"pod-template-hash": template_hash})
        for i in range(spec.replicas)
    ]  # fmt: skip


def build_pods(world: World, seed: int) -> tuple[PodRecord, ...]:
    """One PodRecord per replica, spread over the nodes, IPs from each node's /24."""
    # Each node owns 10.244.<n+1>.0/24, as kind and flannel hand out pod CIDRs; the first
    # host number is seed-dependent so seeds give visibly different clusters.
    next_host = [2 + int(unit(seed, "node-ip", node) * 100) for node in NODES]
    pods: list[PodRecord] = []
    for spec in world.workloads:
        first_node = int(unit(seed, "placement", spec.key) * len(NODES))
        for i, (name, controller_labels) in enumerate(_pod_names(spec, seed)):
            node = (first_node + i) % len(NODES)
            ip = f"10.244.{node + 1}.{next_host[node]}"
            next_host[node] += 1
            labels = {**spec.template_labels(), **controller_labels, **mesh_labels(spec)}
            pods.append(PodRecord(
                namespace=spec.namespace, name=name, workload=spec.name,
                workload_kind=spec.kind, ip=ip, node=NODES[node], labels=labels,
                sidecar=spec.sidecar, dns_policy=spec.dns_policy,
                ndots=5 if spec.dns_policy == "ClusterFirst" else 1,
                search=dns_search(spec),
            ))  # fmt: skip
    return tuple(pods)


def _cluster_ips(services: tuple[ServiceSpec, ...], seed: int) -> list[str]:
    """Distinct addresses in 10.96.0.0/16 (kubeadm's default service CIDR), seed-chosen."""
    rng = random.Random(f"{seed}:cluster-ip")
    # Skip 10.96.0.0/24: kubeadm reserves .1 for the API server and .10 for kube-dns.
    hosts = [h for h in rng.sample(range(256, 65024), len(services) * 2) if h % 256 not in (0, 255)]
    ips = []
    for svc, host in zip(services, hosts, strict=False):
        if svc.headless:
            ips.append("None")
        else:
            ips.append(svc.cluster_ip or f"10.96.{host // 256}.{host % 256}")
    return ips


def build_services(world: World, seed: int) -> tuple[ServiceRecord, ...]:
    """ServiceRecords with allocated cluster IPs."""
    ips = _cluster_ips(world.services, seed)
    return tuple(
        ServiceRecord(namespace=svc.namespace, name=svc.name, type=svc.type, cluster_ip=ip,
                      selector=dict(svc.selector), ports=svc.ports, labels=dict(svc.labels))
        for svc, ip in zip(world.services, ips, strict=True)
    )  # fmt: skip


def build_workloads(world: World) -> tuple[WorkloadRecord, ...]:
    """WorkloadRecords; labels are the controller's own (app/version), as in the manifests."""
    return tuple(
        WorkloadRecord(namespace=w.namespace, name=w.name, kind=w.kind, app=w.app,
                       version=w.version, labels=w.template_labels(), mesh=w.mesh,
                       replicas=w.replicas)
        for w in world.workloads
    )  # fmt: skip


def build_inventory(world: World, seed: int) -> Inventory:
    """The full cluster listing for this seed."""
    return Inventory(
        namespaces=tuple(
            NamespaceRecord(name=ns.name, labels=dict(ns.labels), mesh=ns.mesh)
            for ns in world.namespaces
        ),
        workloads=build_workloads(world),
        services=build_services(world, seed),
        pods=build_pods(world, seed),
    )
