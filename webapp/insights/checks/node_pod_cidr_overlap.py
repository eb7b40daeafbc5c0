"""Nodes whose pod CIDRs overlap: two pods can get one address, and routes point one way.

Also reports a pod CIDR that does not parse, as a finding of its own: an unreadable value
is a gap to look at, not something to skip in silence.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from itertools import combinations

from webapp.insights.checks import _kube as k
from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy, Subject

ID = "node_pod_cidr_overlap"
BOOK_ROW = ("Pods on different nodes get the same IP / cross-node traffic goes to the wrong "
            "node → check each node's spec.podCIDR does not overlap another's")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _subject(node: str) -> Subject:
    return Subject("node", f"node:{node}", "", node)


def _parsed(context: InsightContext) -> tuple[list[tuple[str, Network]], list[Draft]]:
    networks, invalid = [], []
    for node, cidrs in k.node_pod_cidrs(context.inventory).items():
        for cidr in cidrs:
            try:
                networks.append((node, ipaddress.ip_network(cidr, strict=False)))
            except ValueError:
                invalid.append(Draft(
                    ID, "warning", _subject(node), f"Node {node} has an unreadable pod CIDR",
                    f"Node {node} reports pod CIDR {cidr[:100]!r}, which is not a CIDR.",
                    evidence={"pod_cidr": cidr[:100]}, key=f"invalid:{cidr[:100]}",
                    remedy=Remedy("Check the node's podCIDR allocation.",
                                  f"kubectl get node {k.q(node)} -o jsonpath='{{.spec.podCIDRs}}'",
                                  "shell")))
    return networks, invalid


def run(context: InsightContext) -> Iterator[Draft]:
    """One critical finding per pair of nodes whose pod CIDRs overlap."""
    networks, invalid = _parsed(context)
    yield from invalid
    for (a, net_a), (b, net_b) in combinations(networks, 2):
        if a == b or net_a.version != net_b.version or not net_a.overlaps(net_b):
            continue
        first, second = sorted(((a, net_a), (b, net_b)))
        yield Draft(
            check=ID,
            severity="critical",
            subject=_subject(first[0]),
            title=f"Pod CIDRs of nodes {first[0]} and {second[0]} overlap",
            message=(f"Node {first[0]} has pod CIDR {first[1]} and node {second[0]} has "
                     f"{second[1]}: pods on both can get the same address."),
            evidence={"nodes": {first[0]: str(first[1]), second[0]: str(second[1])}},
            key=f"{second[0]}|{first[1]}|{second[1]}",
            remedy=Remedy(
                "Give each node its own range: drain one node, delete it and let it rejoin "
                "(the controller manager allocates a new podCIDR), or fix the "
                "--cluster-cidr/--node-cidr-mask-size settings.",
                "kubectl get nodes -o custom-columns=NAME:.metadata.name,CIDRS:.spec.podCIDRs\n"
                f"kubectl drain {k.q(second[0])} --ignore-daemonsets --delete-emptydir-data",
                "shell",
            ),
        )


CHECK = Check(
    id=ID,
    title="Overlapping node pod CIDRs",
    book_row=BOOK_ROW,
    run=run,
    description="Compares every node's pod CIDRs (spec.podCIDRs) with every other's; also "
    "reports pod CIDRs that do not parse.",
)
