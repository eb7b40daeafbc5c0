"""Ready-to-paste NetworkPolicies for the checks' remedies.

Names and labels come from the cluster (attacker input), so the YAML is written by PyYAML's
safe dumper, which quotes whatever needs quoting, rather than by string formatting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from webapp.security.netpol.peers import Endpoint, TargetPort

NAME_LABEL = "kubernetes.io/metadata.name"
# Labels that differ per pod or per rollout: selecting on them would break at the next one.
VOLATILE_LABELS = (
    "pod-template-hash",
    "controller-revision-hash",
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "pod-template-generation",
    "security.istio.io/tlsMode",
    "service.istio.io/canonical-revision",
)


def policy_name(*parts: str) -> str:
    """A valid object name (DNS-1123, ≤ 63 characters) made of `parts`."""
    raw = "-".join(parts).lower()
    name = re.sub(r"[^a-z0-9-]+", "-", raw).strip("-")
    return name[:63].rstrip("-") or "meshwatch-policy"


def stable_labels(labels: Mapping[str, str]) -> dict[str, str]:
    """`labels` without the per-pod and per-rollout ones."""
    return {k: v for k, v in sorted(labels.items()) if k not in VOLATILE_LABELS}


def _dump(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False, default_flow_style=False)


def _policy(namespace: str, name: str, spec: dict[str, Any]) -> str:
    return _dump({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    })  # fmt: skip


def default_deny_ingress(namespace: str) -> str:
    """The namespace-wide default deny: every pod isolated, nothing allowed in."""
    return _policy(
        namespace, "default-deny-ingress", {"podSelector": {}, "policyTypes": ["Ingress"]}
    )


def _port_items(ports: Sequence[TargetPort]) -> list[dict[str, Any]]:
    items = []
    for port in ports:
        value = port.number if port.number is not None else port.name
        if value not in (None, ""):
            items.append({"protocol": port.protocol, "port": value})
    return items


def _peer(source: Endpoint, namespace: str) -> dict[str, Any]:
    peer: dict[str, Any] = {"podSelector": {"matchLabels": stable_labels(source.labels)}}
    if source.namespace != namespace:
        peer = {"namespaceSelector": {"matchLabels": {NAME_LABEL: source.namespace}}, **peer}
    return peer


def allow_ingress(
    name: str,
    destination_selector: Mapping[str, str],
    destination_namespace: str,
    sources: Sequence[Endpoint],
    ports: Sequence[TargetPort],
) -> str:
    """A policy letting exactly `sources` reach the selected pods on `ports`.

    Each source is one peer: its stable labels, and its namespace by name when it is not the
    destination's (namespaceSelector and podSelector in one entry, so both must match).
    """
    rule: dict[str, Any] = {"from": [_peer(s, destination_namespace) for s in sources]}
    items = _port_items(ports)
    if items:
        rule["ports"] = items
    spec = {
        "podSelector": {"matchLabels": dict(sorted(destination_selector.items()))},
        "policyTypes": ["Ingress"],
        "ingress": [rule],
    }
    return _policy(destination_namespace, name, spec)


def allow_egress(
    name: str,
    source: Endpoint,
    destination: Endpoint,
    destination_selector: Mapping[str, str],
    ports: Sequence[TargetPort],
) -> str:
    """A policy letting the pods of `source` send to `destination`'s pods on `ports`."""
    peer: dict[str, Any] = {
        "podSelector": {"matchLabels": dict(sorted(destination_selector.items()))}
    }
    if destination.namespace != source.namespace:
        peer = {"namespaceSelector": {"matchLabels": {NAME_LABEL: destination.namespace}}, **peer}
    rule: dict[str, Any] = {"to": [peer]}
    items = _port_items(ports)
    if items:
        rule["ports"] = items
    spec = {
        "podSelector": {"matchLabels": stable_labels(source.labels)},
        "policyTypes": ["Egress"],
        "egress": [rule],
    }
    return _policy(source.namespace, name, spec)
