"""Cluster facts the book teaches to look up by hand: the CNI plugin, kube-proxy's mode,
the cluster DNS Service and its pods, and the nodes' pod CIDRs. Pure functions over
parsed objects; each fact carries the evidence it was derived from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import yaml

from .parse import ConfigMapInfo, ControllerInfo, NodeInfo, PodInfo, ServiceInfo

# Plugin → (workload names, image fragments, node annotation/label prefixes).
CNI_SIGNATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "cilium": (("cilium",), ("cilium/cilium",), ("io.cilium", "network.cilium.io/", "cilium.io/")),
    "calico": (("calico-node",), ("calico/node",), ("projectcalico.org/",)),
    "flannel": (("kube-flannel-ds", "kube-flannel"), ("flannel",), ("flannel.alpha.coreos.com/",)),
    "weave-net": (("weave-net",), ("weaveworks/weave-kube", "weave-kube"), ("weave.works/",)),
    "aws-vpc-cni": (
        ("aws-node",),
        ("amazon-k8s-cni",),
        ("vpc.amazonaws.com/", "k8s.amazonaws.com/"),
    ),
    "azure-cni": (
        ("azure-cni", "azure-cns", "azure-vnet"),
        ("azure-cni", "azure-cns", "azure-vnet"),
        ("kubernetes.azure.com/azure-cni", "kubernetes.azure.com/network-plugin"),
    ),
    "antrea": (
        ("antrea-agent",),
        ("antrea/antrea", "antrea-agent"),
        ("node.antrea.io/", "antrea.io/"),
    ),
}
KUBE_PROXY_MODES = ("iptables", "ipvs", "nftables", "kernelspace")


@dataclass(frozen=True)
class CniFact:
    """The detected CNI plugin ("unknown" when nothing matched), evidence, all candidates."""

    plugin: str
    evidence: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()  # several when chained (Cilium on AWS VPC CNI, …)


@dataclass(frozen=True)
class KubeProxyFact:
    """kube-proxy's mode: iptables, ipvs, nftables, kernelspace, replaced-by-cilium, unknown."""

    mode: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class DnsServiceFact:
    """The cluster DNS Service (kube-system/kube-dns) and the pods behind it."""

    namespace: str
    name: str
    cluster_ips: tuple[str, ...] = ()
    ports: tuple[str, ...] = ()  # "53/UDP", …
    pods: tuple[str, ...] = ()
    ready_pods: int = 0
    implementation: str = ""  # "coredns", "kube-dns" or ""


@dataclass(frozen=True)
class ClusterFacts:
    """Everything above, together."""

    cni: CniFact
    kube_proxy: KubeProxyFact
    dns: DnsServiceFact | None
    node_pod_cidrs: dict[str, tuple[str, ...]]


def detect_cni(daemonsets: Iterable[ControllerInfo], nodes: Iterable[NodeInfo]) -> CniFact:
    """The CNI plugin from its DaemonSet (strong evidence) and node annotations (weaker)."""
    scores: dict[str, int] = {}
    evidence: dict[str, list[str]] = {}
    for ds in daemonsets:
        images = [c.image for c in ds.template.containers + ds.template.init_containers]
        for plugin, (names, fragments, _) in CNI_SIGNATURES.items():
            if ds.meta.name in names or any(f in i for f in fragments for i in images):
                scores[plugin] = scores.get(plugin, 0) + 10
                evidence.setdefault(plugin, []).append(f"daemonset {ds.meta.key}")
    for node in nodes:
        for plugin, (_, _, prefixes) in CNI_SIGNATURES.items():
            keys = sorted(k for k in node.cni_hints if k.startswith(prefixes))
            if keys:
                scores[plugin] = scores.get(plugin, 0) + 1
                evidence.setdefault(plugin, []).append(f"node {node.meta.name}: {keys[0]}")
    if not scores:
        return CniFact("unknown")
    ranked = sorted(scores, key=lambda p: (-scores[p], p))
    return CniFact(ranked[0], tuple(evidence[ranked[0]][:10]), tuple(ranked))


def detect_kube_proxy(
    configmaps: Iterable[ConfigMapInfo], daemonsets: Iterable[ControllerInfo]
) -> KubeProxyFact:
    """kube-proxy's mode from kube-system/kube-proxy (config.conf), or Cilium's replacement."""
    maps = {cm.meta.key: cm for cm in configmaps}
    has_proxy = any(ds.meta.name == "kube-proxy" for ds in daemonsets)
    cilium = maps.get("kube-system/cilium-config")
    kpr = cilium.data.get("kube-proxy-replacement", "") if cilium else ""
    if not has_proxy and kpr in ("true", "strict"):
        return KubeProxyFact(
            "replaced-by-cilium",
            (f"cilium-config kube-proxy-replacement={kpr}", "no kube-proxy DaemonSet"),
        )
    proxy_cm = maps.get("kube-system/kube-proxy")
    if proxy_cm is None:
        note = "kube-proxy DaemonSet without its ConfigMap" if has_proxy else "no kube-proxy found"
        return KubeProxyFact("unknown", (note,))
    text = proxy_cm.data.get("config.conf") or proxy_cm.data.get("config", "")
    mode = _configured_mode(text)
    if mode is None:
        return KubeProxyFact("unknown", ("kube-system/kube-proxy config.conf is unreadable",))
    # An empty mode means the platform default, which is iptables on Linux.
    shown = mode or "iptables"
    detail = f"config.conf mode: {mode!r}" + ("" if mode else " (the default, iptables)")
    return KubeProxyFact(shown if shown in KUBE_PROXY_MODES else "unknown", (detail,))


def _configured_mode(text: str) -> str | None:
    try:
        config = yaml.safe_load(text) if text else {}
    except yaml.YAMLError:
        return None
    if not isinstance(config, dict):
        return None
    mode = config.get("mode") or ""
    return mode if isinstance(mode, str) else None


def find_dns_service(
    services: Iterable[ServiceInfo], pods: Iterable[PodInfo]
) -> DnsServiceFact | None:
    """kube-system/kube-dns (CoreDNS keeps the name) and the pods its selector picks."""
    svc = next((s for s in services if s.meta.key == "kube-system/kube-dns"), None)
    if svc is None:
        return None
    selected = [
        p
        for p in pods
        if p.meta.namespace == "kube-system"
        and svc.selector
        and all(p.meta.labels.get(k) == v for k, v in svc.selector.items())
    ]
    images = " ".join(c.image for p in selected for c in p.spec.containers)
    implementation = "coredns" if "coredns" in images else ("kube-dns" if "dns" in images else "")
    return DnsServiceFact(
        namespace=svc.meta.namespace,
        name=svc.meta.name,
        cluster_ips=svc.cluster_ips,
        ports=tuple(f"{p.port}/{p.protocol}" for p in svc.ports),
        pods=tuple(sorted(p.meta.name for p in selected)),
        ready_pods=sum(1 for p in selected if p.ready),
        implementation=implementation,
    )


def cluster_facts(
    nodes: Iterable[NodeInfo],
    daemonsets: Iterable[ControllerInfo],
    configmaps: Iterable[ConfigMapInfo],
    services: Iterable[ServiceInfo],
    pods: Iterable[PodInfo],
) -> ClusterFacts:
    """All the facts at once."""
    nodes, daemonsets = list(nodes), list(daemonsets)
    return ClusterFacts(
        cni=detect_cni(daemonsets, nodes),
        kube_proxy=detect_kube_proxy(configmaps, daemonsets),
        dns=find_dns_service(services, pods),
        node_pod_cidrs={n.meta.name: n.pod_cidrs for n in nodes},
    )
