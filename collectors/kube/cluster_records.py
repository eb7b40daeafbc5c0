"""Mapping parsed nodes, endpoint slices, policies and cluster facts to pipeline records.

The counterpart of `inventory.py` for the objects the first pipeline records did not cover.
Policies keep their parsed structure as JSON-ready dicts: the records stay plain data and
the database stores them as they are, without a column per field of every CRD.
"""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from typing import Any

from collectors.records import (
    ClusterFactsRecord,
    EndpointRecord,
    EndpointSliceRecord,
    MeshPolicyRecord,
    NetworkPolicyRecord,
    NodeRecord,
    ServicePort,
)

from .facts import ClusterFacts
from .parse import (
    DestinationRuleInfo,
    EndpointSliceInfo,
    IstioAuthorizationPolicyInfo,
    LinkerdAuthorizationPolicyInfo,
    LinkerdServerInfo,
    MeshTLSAuthenticationInfo,
    NetworkAuthenticationInfo,
    NetworkPolicyInfo,
    NodeInfo,
    PeerAuthenticationInfo,
    ServerAuthorizationInfo,
    SidecarInfo,
)

# Parsed class → (kind as the API names it, mesh).
MESH_POLICY_KINDS: dict[type, tuple[str, str]] = {
    PeerAuthenticationInfo: ("PeerAuthentication", "istio"),
    DestinationRuleInfo: ("DestinationRule", "istio"),
    IstioAuthorizationPolicyInfo: ("AuthorizationPolicy", "istio"),
    SidecarInfo: ("Sidecar", "istio"),
    LinkerdServerInfo: ("Server", "linkerd"),
    ServerAuthorizationInfo: ("ServerAuthorization", "linkerd"),
    LinkerdAuthorizationPolicyInfo: ("AuthorizationPolicy", "linkerd"),
    MeshTLSAuthenticationInfo: ("MeshTLSAuthentication", "linkerd"),
    NetworkAuthenticationInfo: ("NetworkAuthentication", "linkerd"),
}


def jsonable(value: Any) -> Any:
    """A dataclass (or anything nested in one) as plain JSON types: tuples become lists.

    Round-tripping through JSON now means a record compares equal to the row it was
    stored as, so the writers can tell a real change from a rewrite of the same thing.
    """
    plain = asdict(value) if is_dataclass(value) and not isinstance(value, type) else value
    return json.loads(json.dumps(plain, default=str))


def _spec(obj: Any) -> dict[str, Any]:
    data = jsonable(obj)
    data.pop("meta", None)
    data.pop("warnings", None)
    return data


def node_record(node: NodeInfo) -> NodeRecord:
    """One Node as a NodeRecord."""
    return NodeRecord(
        name=node.meta.name,
        labels=dict(node.meta.labels),
        pod_cidrs=node.pod_cidrs,
        internal_ip=node.internal_ip,
        ready=node.ready,
        kubelet_version=node.kubelet_version,
        container_runtime=node.container_runtime,
        unschedulable=node.unschedulable,
    )


def endpoint_slice_record(es: EndpointSliceInfo) -> EndpointSliceRecord:
    """One EndpointSlice, its conditions read as kube-proxy reads them."""
    return EndpointSliceRecord(
        namespace=es.meta.namespace,
        name=es.meta.name,
        service=es.service_name,
        address_type=es.address_type,
        endpoints=tuple(
            EndpointRecord(
                addresses=e.addresses,
                ready=e.is_ready,
                serving=e.is_serving,
                terminating=e.is_terminating,
                pod=e.target.name if e.target and e.target.kind == "Pod" else "",
                node=e.node_name,
                zone=e.zone,
            )
            for e in es.endpoints
        ),
        ports=tuple(
            ServicePort(port=p.port or 0, protocol=p.protocol, name=p.name) for p in es.ports
        ),
    )


def network_policy_record(np: NetworkPolicyInfo) -> NetworkPolicyRecord:
    """One NetworkPolicy with its selector and rules as JSON."""
    return NetworkPolicyRecord(
        namespace=np.meta.namespace,
        name=np.meta.name,
        pod_selector=jsonable(np.pod_selector),
        policy_types=np.policy_types,
        ingress=tuple(jsonable(rule) for rule in np.ingress),
        egress=tuple(jsonable(rule) for rule in np.egress),
        labels=dict(np.meta.labels),
    )


def mesh_policy_record(policy: Any) -> MeshPolicyRecord | None:
    """One Istio or Linkerd policy object; None for a type that is not a mesh policy."""
    kind_mesh = MESH_POLICY_KINDS.get(type(policy))
    if kind_mesh is None:
        return None
    spec = _spec(policy)
    if isinstance(policy, PeerAuthenticationInfo):
        spec["scope"] = policy.scope()
    if isinstance(policy, IstioAuthorizationPolicyInfo | LinkerdAuthorizationPolicyInfo):
        spec["requires_mtls"] = policy.requires_mtls
    return MeshPolicyRecord(
        namespace=policy.meta.namespace,
        name=policy.meta.name,
        kind=kind_mesh[0],
        mesh=kind_mesh[1],
        spec=spec,
        labels=dict(policy.meta.labels),
    )


def facts_record(facts: ClusterFacts) -> ClusterFactsRecord:
    """The cluster facts as a record."""
    return ClusterFactsRecord(
        cni=facts.cni.plugin,
        cni_evidence=facts.cni.evidence,
        cni_candidates=facts.cni.candidates,
        kube_proxy_mode=facts.kube_proxy.mode,
        kube_proxy_evidence=facts.kube_proxy.evidence,
        dns_service=jsonable(facts.dns) if facts.dns is not None else None,
        node_pod_cidrs={name: tuple(cidrs) for name, cidrs in facts.node_pod_cidrs.items()},
    )
