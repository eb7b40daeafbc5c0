"""The API resources meshwatch lists and watches, and how to parse each.

One `ResourceKind` per informer. Core kinds are always served; the mesh kinds are started
only when API discovery finds their group and version (see `discovery.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from .parse import cluster, istio, linkerd, networking, pods, services, workloads


@dataclass(frozen=True)
class ResourceKind:
    """An API resource: where it lives, which versions we read, and its parser."""

    name: str  # informer name, unique: "pods", "istio-authorizationpolicies", …
    group: str  # "" for the core group
    versions: tuple[str, ...]  # preferred first; discovery picks the first one served
    plural: str
    parser: Callable[[Any], Any]
    namespaced: bool = True
    namespace: str = ""  # watch only this namespace (kube-system ConfigMaps)
    optional: bool = False  # a CRD: absence is normal

    def path(self, version: str | None = None) -> str:
        """The list/watch URL path for `version` (default: the first one)."""
        version = version or self.versions[0]
        base = f"/apis/{self.group}/{version}" if self.group else f"/api/{version}"
        if self.namespace:
            return f"{base}/namespaces/{self.namespace}/{self.plural}"
        return f"{base}/{self.plural}"


def _ctrl(kind: str) -> Callable[[Any], Any]:
    return partial(workloads.parse_controller, kind=kind)


CORE_KINDS: tuple[ResourceKind, ...] = (
    ResourceKind("namespaces", "", ("v1",), "namespaces", cluster.parse_namespace, False),
    ResourceKind("nodes", "", ("v1",), "nodes", cluster.parse_node, False),
    ResourceKind("pods", "", ("v1",), "pods", pods.parse_pod),
    ResourceKind("services", "", ("v1",), "services", services.parse_service),
    ResourceKind(
        "endpointslices",
        "discovery.k8s.io",
        ("v1",),
        "endpointslices",
        services.parse_endpointslice,
    ),
    ResourceKind("ingresses", "networking.k8s.io", ("v1",), "ingresses", networking.parse_ingress),
    ResourceKind(
        "networkpolicies",
        "networking.k8s.io",
        ("v1",),
        "networkpolicies",
        networking.parse_network_policy,
    ),
    ResourceKind("replicasets", "apps", ("v1",), "replicasets", _ctrl("ReplicaSet")),
    ResourceKind("deployments", "apps", ("v1",), "deployments", _ctrl("Deployment")),
    ResourceKind("statefulsets", "apps", ("v1",), "statefulsets", _ctrl("StatefulSet")),
    ResourceKind("daemonsets", "apps", ("v1",), "daemonsets", _ctrl("DaemonSet")),
    ResourceKind("jobs", "batch", ("v1",), "jobs", _ctrl("Job")),
    ResourceKind("cronjobs", "batch", ("v1",), "cronjobs", _ctrl("CronJob")),
    # kube-proxy's and Cilium's settings; other namespaces' ConfigMaps are none of our business.
    ResourceKind(
        "configmaps", "", ("v1",), "configmaps", cluster.parse_configmap, namespace="kube-system"
    ),
)

_ISTIO_SEC = ("v1", "v1beta1")
_ISTIO_NET = ("v1", "v1beta1", "v1alpha3")
MESH_KINDS: tuple[ResourceKind, ...] = (
    ResourceKind(
        "istio-peerauthentications",
        "security.istio.io",
        _ISTIO_SEC,
        "peerauthentications",
        istio.parse_peer_authentication,
        optional=True,
    ),
    ResourceKind(
        "istio-authorizationpolicies",
        "security.istio.io",
        _ISTIO_SEC,
        "authorizationpolicies",
        istio.parse_istio_authorization_policy,
        optional=True,
    ),
    ResourceKind(
        "istio-destinationrules",
        "networking.istio.io",
        _ISTIO_NET,
        "destinationrules",
        istio.parse_destination_rule,
        optional=True,
    ),
    ResourceKind(
        "istio-sidecars",
        "networking.istio.io",
        _ISTIO_NET,
        "sidecars",
        istio.parse_sidecar,
        optional=True,
    ),
    ResourceKind(
        "linkerd-servers",
        "policy.linkerd.io",
        ("v1beta3", "v1beta2", "v1beta1"),
        "servers",
        linkerd.parse_linkerd_server,
        optional=True,
    ),
    ResourceKind(
        "linkerd-serverauthorizations",
        "policy.linkerd.io",
        ("v1beta1",),
        "serverauthorizations",
        linkerd.parse_server_authorization,
        optional=True,
    ),
    ResourceKind(
        "linkerd-authorizationpolicies",
        "policy.linkerd.io",
        ("v1alpha1",),
        "authorizationpolicies",
        linkerd.parse_linkerd_authorization_policy,
        optional=True,
    ),
    ResourceKind(
        "linkerd-meshtlsauthentications",
        "policy.linkerd.io",
        ("v1alpha1",),
        "meshtlsauthentications",
        linkerd.parse_meshtls_authentication,
        optional=True,
    ),
    ResourceKind(
        "linkerd-networkauthentications",
        "policy.linkerd.io",
        ("v1alpha1",),
        "networkauthentications",
        linkerd.parse_network_authentication,
        optional=True,
    ),
)

ALL_KINDS: tuple[ResourceKind, ...] = CORE_KINDS + MESH_KINDS
KINDS_BY_NAME: dict[str, ResourceKind] = {k.name: k for k in ALL_KINDS}
