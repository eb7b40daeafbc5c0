"""Pure parsers from raw API JSON (dicts) into frozen dataclasses, one module per family.

`parse_object` dispatches on apiVersion group and kind, for fixtures and ad-hoc objects;
the informers call the per-kind parsers directly through `collectors.kube.kinds`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from .cluster import (
    ConfigMapInfo,
    NamespaceInfo,
    NodeInfo,
    parse_configmap,
    parse_namespace,
    parse_node,
)
from .common import LabelSelector, Meta, OwnerRef, ParseError, Reader, Requirement, read_meta
from .dns import DnsResolution, resolv_conf, resolve_dns
from .istio import (
    DestinationRuleInfo,
    IstioAuthorizationPolicyInfo,
    PeerAuthenticationInfo,
    SidecarInfo,
    parse_destination_rule,
    parse_istio_authorization_policy,
    parse_peer_authentication,
    parse_sidecar,
)
from .linkerd import (
    LinkerdAuthorizationPolicyInfo,
    LinkerdServerInfo,
    MeshTLSAuthenticationInfo,
    NetworkAuthenticationInfo,
    ServerAuthorizationInfo,
    parse_linkerd_authorization_policy,
    parse_linkerd_server,
    parse_meshtls_authentication,
    parse_network_authentication,
    parse_server_authorization,
)
from .networking import IngressInfo, NetworkPolicyInfo, parse_ingress, parse_network_policy
from .pods import MeshMembership, PodInfo, parse_pod
from .services import (
    EndpointsInfo,
    EndpointSliceInfo,
    ServiceInfo,
    parse_endpoints,
    parse_endpointslice,
    parse_service,
)
from .workloads import ControllerInfo, WorkloadRef, WorkloadResolver, parse_controller

Parser = Callable[[Any], Any]

# (API group, kind) → parser. The core group is "".
PARSERS: dict[tuple[str, str], Parser] = {
    ("", "Namespace"): parse_namespace,
    ("", "Node"): parse_node,
    ("", "Pod"): parse_pod,
    ("", "Service"): parse_service,
    ("", "Endpoints"): parse_endpoints,
    ("", "ConfigMap"): parse_configmap,
    ("discovery.k8s.io", "EndpointSlice"): parse_endpointslice,
    ("networking.k8s.io", "Ingress"): parse_ingress,
    ("networking.k8s.io", "NetworkPolicy"): parse_network_policy,
    ("security.istio.io", "PeerAuthentication"): parse_peer_authentication,
    ("security.istio.io", "AuthorizationPolicy"): parse_istio_authorization_policy,
    ("networking.istio.io", "DestinationRule"): parse_destination_rule,
    ("networking.istio.io", "Sidecar"): parse_sidecar,
    ("policy.linkerd.io", "Server"): parse_linkerd_server,
    ("policy.linkerd.io", "ServerAuthorization"): parse_server_authorization,
    ("policy.linkerd.io", "AuthorizationPolicy"): parse_linkerd_authorization_policy,
    ("policy.linkerd.io", "MeshTLSAuthentication"): parse_meshtls_authentication,
    ("policy.linkerd.io", "NetworkAuthentication"): parse_network_authentication,
}
for _kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"):
    PARSERS[("apps", _kind)] = partial(parse_controller, kind=_kind)
for _kind in ("Job", "CronJob"):
    PARSERS[("batch", _kind)] = partial(parse_controller, kind=_kind)


def parse_object(raw: Any) -> Any:
    """Parse any supported object by its apiVersion and kind.

    Returns the record, a ParseError for a malformed or unsupported object; never raises.
    """
    if not isinstance(raw, dict):
        return ParseError("object", f"a {type(raw).__name__}, not a map")
    api_version, kind = raw.get("apiVersion"), raw.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return ParseError(str(kind)[:63], "apiVersion or kind is missing")
    group = api_version.rpartition("/")[0]
    parser = PARSERS.get((group, kind))
    if parser is None:
        return parse_other(raw)
    return parser(raw)


@dataclass(frozen=True)
class OtherObject:
    """An object of a kind meshwatch does not model (ServiceAccount, VirtualService, …)."""

    meta: Meta
    api_version: str
    kind: str
    warnings: tuple[str, ...] = ()


def parse_other(raw: dict[str, Any]) -> OtherObject | ParseError:
    """Just the metadata of an object of a kind without its own parser."""
    reader = Reader()
    kind = str(raw.get("kind"))[:63]
    meta = read_meta(raw, kind, reader)
    if isinstance(meta, ParseError):
        return meta
    return OtherObject(meta, str(raw.get("apiVersion"))[:100], kind, tuple(reader.warnings))


__all__ = [
    "PARSERS",
    "ConfigMapInfo",
    "ControllerInfo",
    "DestinationRuleInfo",
    "DnsResolution",
    "EndpointSliceInfo",
    "EndpointsInfo",
    "IngressInfo",
    "IstioAuthorizationPolicyInfo",
    "LabelSelector",
    "LinkerdAuthorizationPolicyInfo",
    "LinkerdServerInfo",
    "MeshMembership",
    "MeshTLSAuthenticationInfo",
    "Meta",
    "NamespaceInfo",
    "NetworkAuthenticationInfo",
    "NetworkPolicyInfo",
    "NodeInfo",
    "OtherObject",
    "OwnerRef",
    "ParseError",
    "PeerAuthenticationInfo",
    "PodInfo",
    "Requirement",
    "ServerAuthorizationInfo",
    "ServiceInfo",
    "SidecarInfo",
    "WorkloadRef",
    "WorkloadResolver",
    "parse_object",
    "resolv_conf",
    "resolve_dns",
]
