"""Builders for the NetworkPolicy tests: policies go through the real parser and mapping.

Every policy in these tests is written as the API object a user would apply and parsed by
collectors/kube, so the evaluator is tested on exactly the rule shapes production stores.
"""

from __future__ import annotations

from typing import Any

from collectors.kube.cluster_records import network_policy_record
from collectors.kube.parse import parse_network_policy
from collectors.records import (
    EdgeSample,
    Inventory,
    NamespaceRecord,
    NetworkPolicyRecord,
    Peer,
    PodRecord,
    ServicePort,
    ServiceRecord,
)
from webapp.security.netpol import Endpoint, PolicySet


def policy(namespace: str, name: str, spec: dict[str, Any]) -> NetworkPolicyRecord:
    """A NetworkPolicy record parsed from the API object with `spec`."""
    raw = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }
    parsed = parse_network_policy(raw)
    assert not isinstance(parsed, Exception) and not hasattr(parsed, "reason"), parsed
    return network_policy_record(parsed)  # type: ignore[arg-type]


def ns(name: str, **labels: str) -> NamespaceRecord:
    """A namespace with the name label the API server adds, and `labels`."""
    return NamespaceRecord(name, {"kubernetes.io/metadata.name": name, **labels})


def pod(
    namespace: str,
    name: str,
    ip: str = "",
    workload: str = "",
    sidecar: str = "istio",
    **labels: str,
) -> PodRecord:
    """A running pod of `workload` (default: its name) with `labels`."""
    return PodRecord(namespace, name, workload=workload or name, ip=ip, labels=labels,
                     sidecar=sidecar)  # fmt: skip


def service(namespace: str, name: str, *ports: ServicePort, **selector: str) -> ServiceRecord:
    """A ClusterIP Service selecting `selector` on `ports`."""
    return ServiceRecord(namespace, name, selector=selector, ports=ports)


def edge(
    source: str, destination: str, service_name: str, requests: float = 30.0, protocol: str = "http"
) -> EdgeSample:
    """An observed edge between `ns/workload` keys ("unknown" for an unnamed caller)."""
    src = Peer("unknown", "unknown") if source == "unknown" else Peer(*source.split("/", 1))
    dst_ns, dst_name = destination.split("/", 1)
    return EdgeSample(src, Peer(dst_ns, dst_name, service=service_name), protocol, "istio",
                      15.0, requests=requests)  # fmt: skip


def endpoint(
    policies: PolicySet, namespace: str, ips: tuple[str, ...] = (), **labels: str
) -> Endpoint:
    """A pod endpoint in `namespace` with `labels`, its namespace labels from `policies`."""
    return Endpoint(namespace, labels, policies.labels_of(namespace), ips,
                    name=f"{namespace}/{labels.get('app', 'pod')}")  # fmt: skip


def policy_set(
    *policies: NetworkPolicyRecord, namespaces: tuple[NamespaceRecord, ...] = ()
) -> PolicySet:
    """The PolicySet of `policies` over `namespaces`."""
    return PolicySet.from_inventory(Inventory(namespaces=namespaces, network_policies=policies))


def test_the_builder_stores_what_the_parser_gives():
    record = policy("shop", "p", {"podSelector": {}, "ingress": [{"from": [
        {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}],
        "ports": [{"port": "http"}]}]})  # fmt: skip
    assert record.policy_types == ("Ingress",)
    (rule,) = record.ingress
    assert rule["peers"][0]["ip_block"] == {"cidr": "10.0.0.0/8", "except_": ["10.1.0.0/16"]}
    assert rule["peers"][0]["pod_selector"] is None
    assert rule["ports"] == [{"protocol": "TCP", "port": "http", "end_port": None}]
