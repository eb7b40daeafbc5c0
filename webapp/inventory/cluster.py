"""The cluster document of GET /api/v1/cluster: plumbing facts, counts and staleness."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from webapp.inventory import models, queries
from webapp.inventory.sync import staleness


def cluster_document(visible: set[str] | None = None) -> dict[str, Any]:
    """CNI, kube-proxy mode, the DNS Service, node pod CIDRs, counts and staleness.

    Without stored facts (a source that cannot see them) every fact reads "unknown", and
    the pod CIDRs come from whatever nodes are stored.
    """
    facts = models.ClusterFacts.objects.filter(pk=1).first()
    if facts is not None and facts.node_pod_cidrs:
        cidrs = dict(facts.node_pod_cidrs)
    else:
        cidrs = {n.name: list(n.pod_cidrs) for n in models.Node.objects.order_by("name")}
    return {
        "cni": {
            "plugin": facts.cni if facts else "unknown",
            "evidence": list(facts.cni_evidence) if facts else [],
            "candidates": list(facts.cni_candidates) if facts else [],
        },
        "kube_proxy": {
            "mode": facts.kube_proxy_mode if facts else "unknown",
            "evidence": list(facts.kube_proxy_evidence) if facts else [],
        },
        "dns_service": _dns_service(facts.dns_service if facts else None, visible),
        "node_pod_cidrs": cidrs,
        "counts": queries.counts(visible),
        "staleness": asdict(staleness()),
    }


def _dns_service(service: dict[str, Any] | None, visible: set[str] | None) -> Any:
    """The DNS Service as a caller may see it: named only for callers who see its namespace.

    Every caller needs to know where cluster DNS answers and whether it is up (addresses,
    ports, ready pods); which namespace, Service and pods provide it is not the business of
    a caller not granted that namespace, so those read blank, as the graph's external nodes.
    """
    if service is None or visible is None or service.get("namespace") in visible:
        return service
    return {**service, "namespace": "", "name": "", "pods": []}
