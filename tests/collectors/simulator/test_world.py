"""The inventory is a consistent cluster, and traffic only names what it contains."""

from __future__ import annotations

from collections import Counter

from collectors.simulator import Simulator
from collectors.simulator.catalog import WORLD

from .helpers import AFTERNOON

ORPHANS = {("shop", "recommendations")}
# Egress leaves the cluster: Istio names it by its cluster, and no Service stands behind it.
EGRESS = {("unknown", "PassthroughCluster")}


def test_every_known_peer_is_a_workload_with_matching_labels() -> None:
    records = Simulator().records_at(AFTERNOON)
    workloads = {(w.namespace, w.name): w for w in records.inventory.workloads}
    for sample in records.edges:
        for peer in (sample.source, sample.destination):
            if peer.is_unknown:
                continue
            workload = workloads[(peer.namespace, peer.workload)]
            assert (peer.app, peer.version) == (workload.app, workload.version)
        dst = sample.destination
        services = {(s.namespace, s.name) for s in records.inventory.services}
        assert (dst.namespace, dst.service) in services | EGRESS


def test_destination_service_selects_the_destination_workload() -> None:
    records = Simulator().records_at(AFTERNOON)
    services = {(s.namespace, s.name): s for s in records.inventory.services}
    pods = records.inventory.pods
    for sample in records.edges:
        dst = sample.destination
        if dst.is_unknown:
            continue
        selector = services[(dst.namespace, dst.service)].selector
        selected = {
            p.workload
            for p in pods
            if p.namespace == dst.namespace
            and all(p.labels.get(k) == v for k, v in selector.items())
        }
        assert dst.workload in selected, sample


def test_every_service_but_the_orphan_selects_pods() -> None:
    inventory = Simulator().inventory_at(AFTERNOON)
    empty = set()
    for svc in inventory.services:
        if not any(
            p.namespace == svc.namespace
            and all(p.labels.get(k) == v for k, v in svc.selector.items())
            for p in inventory.pods
        ):
            empty.add((svc.namespace, svc.name))
    assert empty == ORPHANS


def test_one_pod_per_replica_on_a_few_nodes_with_unique_ips() -> None:
    inventory = Simulator().inventory_at(AFTERNOON)
    per_workload = Counter((p.namespace, p.workload) for p in inventory.pods)
    assert per_workload == {(w.namespace, w.name): w.replicas for w in inventory.workloads}
    assert 2 <= len({p.node for p in inventory.pods}) <= 3
    ips = [p.ip for p in inventory.pods]
    assert len(set(ips)) == len(ips)
    assert all(ip.startswith("10.244.") for ip in ips)
    names = [(p.namespace, p.name) for p in inventory.pods]
    assert len(set(names)) == len(names)


def test_pods_carry_their_mesh() -> None:
    inventory = Simulator().inventory_at(AFTERNOON)
    for pod in inventory.pods:
        if pod.namespace in ("bookinfo", "shop") and pod.workload != "legacy-reports":
            assert pod.sidecar == "istio"
            assert pod.labels["security.istio.io/tlsMode"] == "istio"
            assert pod.labels["service.istio.io/canonical-name"] == pod.labels["app"]
        if pod.namespace == "emojivoto":
            assert pod.sidecar == "linkerd"
        if pod.namespace == "kube-system":
            assert pod.sidecar == ""
    meshes = {n.name: n.mesh for n in inventory.namespaces}
    assert meshes == {"bookinfo": "istio", "istio-system": "istio", "emojivoto": "linkerd",
                      "shop": "istio", "kube-system": ""}  # fmt: skip


def test_pods_resolve_with_ndots_5_and_the_cluster_search_list() -> None:
    inventory = Simulator().inventory_at(AFTERNOON)
    for pod in inventory.pods:
        if pod.dns_policy == "ClusterFirst":
            assert pod.ndots == 5
            ns = pod.namespace
            assert pod.search == (f"{ns}.svc.cluster.local", "svc.cluster.local", "cluster.local")
    assert any(w.external_names for w in WORLD.workloads)


def test_kube_dns_fronts_coredns() -> None:
    inventory = Simulator().inventory_at(AFTERNOON)
    coredns = next(w for w in inventory.workloads if w.name == "coredns")
    assert (coredns.namespace, coredns.replicas) == ("kube-system", 2)
    assert coredns.labels == {"k8s-app": "kube-dns"}
    kube_dns = next(s for s in inventory.services if s.name == "kube-dns")
    assert kube_dns.cluster_ip == "10.96.0.10"
    assert kube_dns.selector == {"k8s-app": "kube-dns"}
    assert {(p.port, p.protocol) for p in kube_dns.ports} == {(53, "UDP"), (53, "TCP"),
                                                              (9153, "TCP")}  # fmt: skip


def test_cluster_ips_are_distinct() -> None:
    inventory = Simulator().inventory_at(AFTERNOON)
    ips = [s.cluster_ip for s in inventory.services if s.cluster_ip != "None"]
    assert len(set(ips)) == len(ips)
    assert all(ip.startswith("10.96.") for ip in ips)
