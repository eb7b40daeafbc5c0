"""What the DNS checks share: the cluster DNS Service as a subject, and its CoreDNS pods.

Not a check (it has no CHECK, so discovery passes it by). The DNS Service is the one the
Kubernetes collector found (facts.dns_service: kube-system/kube-dns and the pods its selector
picks); without facts, kube-system's Service and pods labelled k8s-app=kube-dns, the name
CoreDNS keeps for compatibility.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from collectors.records import Inventory, PodRecord
from webapp.insights.checks.base import Subject
from webapp.traffic.convert import bounded

DNS_NAMESPACE = "kube-system"
DNS_SERVICE = "kube-dns"
DNS_LABEL = ("k8s-app", "kube-dns")
# A zone or upstream with fewer answers than this in the window says too little for a share.
MIN_QUERIES = 100.0


@dataclass(frozen=True)
class DnsService:
    """The cluster DNS Service and the pods behind it (as the inventory lists them)."""

    namespace: str
    name: str
    selector: dict[str, str]
    pods: tuple[PodRecord, ...]
    known: bool  # the Service itself was found (facts or inventory), not only guessed


def _selected(inventory: Inventory, namespace: str, selector: Mapping[str, str]) -> list[PodRecord]:
    return [
        p for p in inventory.pods
        if p.namespace == namespace and selector
        and all(p.labels.get(k) == v for k, v in selector.items())
    ]  # fmt: skip


def dns_service(inventory: Inventory) -> DnsService:
    """The DNS Service: from the facts when the collector found it, else kube-system/kube-dns."""
    facts = inventory.facts.dns_service if inventory.facts is not None else None
    namespace = str((facts or {}).get("namespace") or DNS_NAMESPACE)
    name = str((facts or {}).get("name") or DNS_SERVICE)
    service = next(
        (s for s in inventory.services if s.namespace == namespace and s.name == name), None
    )
    selector = dict(service.selector) if service is not None else dict([DNS_LABEL])
    pods = _selected(inventory, namespace, selector)
    named = {str(p) for p in (facts or {}).get("pods") or ()}
    if named:
        listed = {p.name for p in pods}
        pods += [p for p in inventory.pods if p.namespace == namespace and p.name in named
                 and p.name not in listed]  # fmt: skip
    return DnsService(namespace, name, selector, tuple(pods), facts is not None or bool(service))


def subject(inventory: Inventory) -> Subject:
    """The DNS Service as a finding's subject."""
    svc = dns_service(inventory)
    ns, name = bounded(svc.namespace), bounded(svc.name)
    return Subject("service", f"service:{ns}/{name}", ns, name)


def share(part: float, whole: float) -> float:
    """`part / whole` rounded for evidence (0 when there is no whole)."""
    return round(part / whole, 4) if whole > 0 else 0.0
