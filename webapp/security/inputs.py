"""From the stored inventory to the resolver's inputs (pure: an Inventory in, dataclasses out)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from collectors.records import Inventory, MeshPolicyRecord, PodRecord, ServiceRecord
from webapp.security.policy import (
    LINKERD_AUTHENTICATED,
    DestRule,
    LinkerdServer,
    PeerAuth,
    WorkloadIn,
    dest_rule_from_spec,
    peer_auth_from_spec,
    selects,
)


@dataclass(frozen=True)
class PolicyInputs:
    """Everything the resolver needs, plus pod counts for the missing-sidecar check."""

    workloads: tuple[WorkloadIn, ...]
    peer_auths: tuple[PeerAuth, ...]
    dest_rules: tuple[DestRule, ...]
    servers: tuple[LinkerdServer, ...]
    namespace_mesh: Mapping[str, str]
    pods_without_proxy: Mapping[str, tuple[str, ...]]  # workload id → pod names
    pod_counts: Mapping[str, int]  # workload id → pods


def policy_inputs(inventory: Inventory) -> PolicyInputs:
    """The resolver's view of `inventory`."""
    policies = inventory.mesh_policies
    pods: dict[str, list[PodRecord]] = {}
    for pod in inventory.pods:
        if pod.workload:
            pods.setdefault(f"workload:{pod.namespace}/{pod.workload}", []).append(pod)
    workloads = tuple(
        _workload(
            w.namespace,
            w.name,
            {**w.labels, **_app(w.app)},
            pods.get(f"workload:{w.namespace}/{w.name}", []),
            inventory.services,
        )
        for w in inventory.workloads
    )
    return PolicyInputs(
        workloads=workloads,
        peer_auths=tuple(
            peer_auth_from_spec(p.namespace, p.name, p.spec)
            for p in policies
            if p.kind == "PeerAuthentication"
        ),
        dest_rules=tuple(
            dest_rule_from_spec(p.namespace, p.name, p.spec)
            for p in policies
            if p.kind == "DestinationRule"
        ),
        servers=linkerd_servers(policies),
        namespace_mesh={ns.name: ns.mesh for ns in inventory.namespaces},
        pods_without_proxy={
            k: tuple(p.name for p in v if not p.sidecar and not p.host_network)
            for k, v in pods.items()
        },
        pod_counts={k: len(v) for k, v in pods.items()},
    )


def _app(app: str) -> dict[str, str]:
    return {"app": app} if app else {}


def _workload(
    namespace: str,
    name: str,
    labels: dict[str, str],
    pods: list[PodRecord],
    services: tuple[ServiceRecord, ...],
) -> WorkloadIn:
    """One workload: its proxy is the one its pods carry (any pod with one counts)."""
    pod_labels = pods[0].labels if pods else labels
    sidecar = next((p.sidecar for p in pods if p.sidecar), "")
    mine = [
        s
        for s in services
        if s.namespace == namespace and s.selector and selects(s.selector, pod_labels)
    ]
    ports = sorted({_target(port.target_port, port.port) for s in mine for port in s.ports})
    return WorkloadIn(
        namespace, name, dict(pod_labels), sidecar, tuple(ports), tuple(s.name for s in mine)
    )


def _target(target: str, port: int) -> int:
    # A named targetPort cannot be resolved without the container spec; the Service port is
    # the closest stand-in.
    return int(target) if target.isdigit() else port


def linkerd_servers(policies: tuple[MeshPolicyRecord, ...]) -> tuple[LinkerdServer, ...]:
    """Linkerd Servers, each marked when an authorization admits mesh identities only."""
    guarded = {
        (p.namespace, _target_server(p.spec))
        for p in policies
        if p.mesh == "linkerd" and _requires_identity(p)
    }
    out = []
    for p in policies:
        if p.kind != "Server" or p.mesh != "linkerd":
            continue
        selector = (p.spec.get("pod_selector") or {}).get("match_labels") or {}
        requires = (p.namespace, p.name) in guarded or (
            p.spec.get("access_policy") in LINKERD_AUTHENTICATED
        )
        out.append(LinkerdServer(p.namespace, p.name, dict(selector), p.spec.get("port"), requires))
    return tuple(out)


def _target_server(spec: Mapping[str, Any]) -> str:
    target = spec.get("target") or {}
    if target.get("kind") == "Server":
        return str(target.get("name") or "")
    return str(spec.get("server_name") or "")


def _requires_identity(policy: MeshPolicyRecord) -> bool:
    if policy.kind == "AuthorizationPolicy":
        return bool(policy.spec.get("requires_mtls"))
    if policy.kind == "ServerAuthorization":
        spec = policy.spec
        return (
            not spec.get("unauthenticated")
            and not spec.get("networks")
            and bool(spec.get("identities") or spec.get("service_accounts"))
        )
    return False
