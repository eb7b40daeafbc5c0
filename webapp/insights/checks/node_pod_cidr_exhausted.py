"""A node whose pod CIDR is nearly full: new pods there stay in ContainerCreating.

Capacity is the CIDR's addresses minus the network and broadcast ones (what host-local
IPAM hands out, roughly); a dual-stack node is as full as its fullest family.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Iterator

from webapp.insights.checks import _kube as k
from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy, Subject

ID = "node_pod_cidr_exhausted"
BOOK_ROW = ("Pods stuck in ContainerCreating with 'no IP addresses available' → the node's "
            "pod CIDR is exhausted: compare pods per node with the podCIDR size")
WARN_RATIO = 0.8
CRITICAL_RATIO = 0.95
_DONE = ("Succeeded", "Failed")


def capacity(cidr: str) -> int | None:
    """Addresses a node can give pods from `cidr` (None: not a CIDR)."""
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None
    return max(0, network.num_addresses - 2)


def run(context: InsightContext) -> Iterator[Draft]:
    """One finding per node using at least WARN_RATIO of its smallest pod CIDR."""
    pods = Counter(p.node for p in context.inventory.pods
                   if p.node and not p.host_network and p.phase not in _DONE)
    for node, cidrs in k.node_pod_cidrs(context.inventory).items():
        sizes = [c for c in (capacity(cidr) for cidr in cidrs) if c is not None]
        if not sizes:
            continue  # node_pod_cidr_overlap reports the unreadable ones
        size, used = min(sizes), pods.get(node, 0)
        ratio = used / size if size else 1.0
        if ratio < WARN_RATIO:
            continue
        yield Draft(
            check=ID,
            severity="critical" if ratio >= CRITICAL_RATIO else "warning",
            subject=Subject("node", f"node:{node}", "", node),
            title=f"Node {node} has used {ratio:.0%} of its pod CIDR",
            message=(f"{used} pods on node {node} hold addresses from pod CIDR "
                     f"{', '.join(cidrs)} ({size} usable): new pods there will find none."),
            evidence={"pod_cidrs": list(cidrs), "capacity": size, "pods": used,
                      "ratio": round(ratio, 4)},
            remedy=Remedy(
                "Move pods elsewhere (cordon the node), or give nodes larger ranges "
                "(--node-cidr-mask-size) and lower kubelet's --max-pods to fit.",
                f"kubectl get pods -A -o wide --field-selector spec.nodeName={k.q(node)}\n"
                f"kubectl cordon {k.q(node)}",
                "shell",
            ),
        )


CHECK = Check(
    id=ID,
    title="Node pod CIDRs running out",
    book_row=BOOK_ROW,
    run=run,
    description="Counts the pods (host-network and finished ones aside) on each node against "
    "its pod CIDR's usable addresses: warning at 80 %, critical at 95 %.",
)
