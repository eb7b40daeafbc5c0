"""Namespaces, Nodes and ConfigMaps: the cluster-level objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .common import Meta, ParseError, Reader, read_meta

# Node annotation/label prefixes that CNI plugins write; kept on NodeInfo as CNI evidence.
CNI_KEY_PREFIXES = (
    "flannel.alpha.coreos.com/",
    "projectcalico.org/",
    "io.cilium",
    "network.cilium.io/",
    "cilium.io/",
    "node.antrea.io/",
    "antrea.io/",
    "weave.works/",
    "vpc.amazonaws.com/",
    "k8s.amazonaws.com/",
    "kubernetes.azure.com/",
)
# ConfigMap values are bounded tighter than annotations would allow: kube-proxy's
# config.conf is a few KB; nothing we read is larger.
MAX_CONFIG_CHARS = 64 * 1024


@dataclass(frozen=True)
class NamespaceInfo:
    """A Namespace and its mesh enrolment labels."""

    meta: Meta
    phase: str = "Active"
    warnings: tuple[str, ...] = ()

    @property
    def mesh(self) -> str:
        """ "istio", "linkerd" or "": what enrols new pods of this namespace."""
        labels, annotations = self.meta.labels, self.meta.annotations
        if labels.get("istio-injection") == "enabled" or labels.get("istio.io/rev"):
            return "istio"
        if labels.get("istio.io/dataplane-mode") == "ambient":
            return "istio"
        if annotations.get("linkerd.io/inject") == "enabled":
            return "linkerd"
        return ""


@dataclass(frozen=True)
class NodeAddress:
    """One status.addresses entry (InternalIP, ExternalIP, Hostname, …)."""

    type: str
    address: str


@dataclass(frozen=True)
class NodeInfo:
    """A Node: its pod CIDRs, addresses, readiness and CNI hints."""

    meta: Meta
    pod_cidr: str = ""
    pod_cidrs: tuple[str, ...] = ()
    addresses: tuple[NodeAddress, ...] = ()
    ready: bool | None = None  # None: no Ready condition reported yet
    ready_reason: str = ""
    provider_id: str = ""
    kubelet_version: str = ""
    container_runtime: str = ""
    unschedulable: bool = False
    cni_hints: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def internal_ip(self) -> str:
        """The first InternalIP, or ""."""
        return next((a.address for a in self.addresses if a.type == "InternalIP"), "")


@dataclass(frozen=True)
class ConfigMapInfo:
    """A ConfigMap's string data (bounded); used for kube-proxy and Cilium settings."""

    meta: Meta
    data: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def parse_namespace(raw: Any) -> NamespaceInfo | ParseError:
    """A v1 Namespace."""
    reader = Reader()
    meta = read_meta(raw, "Namespace", reader)
    if isinstance(meta, ParseError):
        return meta
    phase = reader.text(reader.mapping(raw, "status"), "phase", "Active", "status.phase")
    return NamespaceInfo(meta=meta, phase=phase, warnings=tuple(reader.warnings))


def parse_node(raw: Any) -> NodeInfo | ParseError:
    """A v1 Node."""
    reader = Reader()
    meta = read_meta(raw, "Node", reader)
    if isinstance(meta, ParseError):
        return meta
    spec, status = reader.mapping(raw, "spec"), reader.mapping(raw, "status")
    ready, reason = _ready_condition(
        reader.mappings(status, "conditions", "status.conditions"), reader
    )
    info = reader.mapping(status, "nodeInfo", "status.nodeInfo")
    pod_cidr = reader.text(spec, "podCIDR", path="spec.podCIDR")
    return NodeInfo(
        meta=meta,
        pod_cidr=pod_cidr,
        pod_cidrs=reader.texts(spec, "podCIDRs", "spec.podCIDRs")
        or ((pod_cidr,) if pod_cidr else ()),
        addresses=tuple(
            NodeAddress(reader.text(a, "type"), reader.text(a, "address"))
            for a in reader.mappings(status, "addresses", "status.addresses")
        ),
        ready=ready,
        ready_reason=reason,
        provider_id=reader.text(spec, "providerID", path="spec.providerID"),
        kubelet_version=reader.text(info, "kubeletVersion"),
        container_runtime=reader.text(info, "containerRuntimeVersion"),
        unschedulable=reader.flag(spec, "unschedulable", "spec.unschedulable") is True,
        cni_hints=_cni_hints(meta),
        warnings=tuple(reader.warnings),
    )


def _ready_condition(conditions: list[dict[str, Any]], reader: Reader) -> tuple[bool | None, str]:
    for cond in conditions:
        if reader.text(cond, "type") == "Ready":
            return reader.text(cond, "status") == "True", reader.text(cond, "reason")
    return None, ""


def _cni_hints(meta: Meta) -> dict[str, str]:
    merged = {**meta.labels, **meta.annotations}
    return {k: v for k, v in merged.items() if k.startswith(CNI_KEY_PREFIXES)}


def parse_configmap(raw: Any) -> ConfigMapInfo | ParseError:
    """A v1 ConfigMap (string data only; binaryData is not read)."""
    reader = Reader()
    meta = read_meta(raw, "ConfigMap", reader)
    if isinstance(meta, ParseError):
        return meta
    data = reader.str_map(raw, "data", "data", MAX_CONFIG_CHARS)
    return ConfigMapInfo(meta=meta, data=data, warnings=tuple(reader.warnings))
