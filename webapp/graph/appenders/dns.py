"""DNS: edges into the cluster DNS carry what CoreDNS answered over the window.

An edge whose target is the cluster DNS (the Service ClusterFacts names, kube-system/kube-dns
by default, or the CoreDNS / kube-dns workload behind it) gets a `dns` object: request rate,
SERVFAIL and NXDOMAIN shares, and p99 latency, from the window's CoreDNS totals that the
caller preloaded into the context (webapp.dns.queries.window_dns). CoreDNS does not say who
asked, so every such edge shows the server's totals, not its own share. Without an edge into
DNS, or without DNS samples, nothing is set.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from collectors.records import EdgeSample, Inventory
from webapp.graph.context import GraphContext
from webapp.graph.traffic_map import Node, TrafficMap
from webapp.traffic.histogram import merge, quantile

if TYPE_CHECKING:
    from webapp.dns.queries import WindowDns

DEFAULT_SERVICE = ("kube-system", "kube-dns")
# The names the upstream manifests give the DNS Deployment and its app label.
DNS_NAMES = frozenset({"coredns", "kube-dns"})


def dns_service(inventory: Inventory) -> tuple[str, str]:
    """(namespace, name) of the cluster DNS Service: the detected one, else kube-system/kube-dns."""
    fact = inventory.facts.dns_service if inventory.facts else None
    if isinstance(fact, dict) and fact.get("namespace") and fact.get("name"):
        return str(fact["namespace"]), str(fact["name"])
    return DEFAULT_SERVICE


def dns_workloads(inventory: Inventory) -> frozenset[str]:
    """Names of the workloads serving cluster DNS: the usual ones and the detected pods' owners."""
    fact = inventory.facts.dns_service if inventory.facts else None
    pods = set(fact.get("pods") or ()) if isinstance(fact, dict) else set()
    namespace, _ = dns_service(inventory)
    owners = {p.workload for p in inventory.pods
              if p.namespace == namespace and p.name in pods and p.workload}  # fmt: skip
    return frozenset(DNS_NAMES | owners)


def targets_dns(edges: Sequence[EdgeSample], inventory: Inventory) -> bool:
    """Whether some edge goes to the cluster DNS: only then is DNS worth loading for a graph."""
    namespace, service = dns_service(inventory)
    workloads = dns_workloads(inventory)
    return any(
        e.destination.namespace == namespace
        and (e.destination.service == service or e.destination.workload in workloads)
        for e in edges
    )


def _is_dns(node: Node, namespace: str, service: str, workloads: frozenset[str]) -> bool:
    if node.namespace != namespace:
        return False
    if node.kind == "service":
        return node.name == service
    return node.workload in workloads or node.app in DNS_NAMES or node.name in workloads


def summary(window: WindowDns) -> dict[str, Any] | None:
    """The window's DNS as the edge field: rps, SERVFAIL and NXDOMAIN shares, p99 (ms)."""
    requests = sum(z.requests for z in window.zones)
    rcodes: dict[str, float] = {}
    for zone in window.zones:
        for code, count in zone.rcodes.items():
            rcodes[code] = rcodes.get(code, 0.0) + count
    answered = sum(rcodes.values())
    hists = [z.latency for z in window.zones if z.latency is not None]
    if requests <= 0 and answered <= 0:
        return None
    return {
        "rps": requests / window.covered_s if window.covered_s > 0 else None,
        "servfail_share": rcodes.get("SERVFAIL", 0.0) / answered if answered > 0 else None,
        "nxdomain_share": rcodes.get("NXDOMAIN", 0.0) / answered if answered > 0 else None,
        "p99_ms": quantile(0.99, merge(hists)) if hists else None,
    }


def apply(traffic_map: TrafficMap, context: GraphContext) -> None:
    """Set `dns` on every edge into the cluster DNS from the preloaded window totals."""
    if context.dns is None:
        return
    namespace, service = dns_service(context.inventory)
    workloads = dns_workloads(context.inventory)
    targets = {
        node_id
        for node_id, node in traffic_map.nodes.items()
        if _is_dns(node, namespace, service, workloads)
    }
    edges = [e for e in traffic_map.edges.values() if e.target in targets]
    if not edges:
        return
    stats = summary(context.dns)
    for edge in edges:
        edge.dns = dict(stats) if stats else None
