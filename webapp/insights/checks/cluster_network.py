"""The cluster's plumbing as a finding: which CNI and which kube-proxy mode, with evidence.

Not a problem in itself (severity info): it is the first thing the book's checklists ask,
and the answer decides which of the later rows apply.
"""

from __future__ import annotations

from collections.abc import Iterator

from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy, Subject

ID = "cluster_network"
BOOK_ROW = ("Which CNI and kube-proxy mode? → check the CNI DaemonSet in kube-system and "
            "kube-proxy's --proxy-mode (iptables, ipvs, nftables)")


def run(context: InsightContext) -> Iterator[Draft]:
    """One info finding about the cluster when its facts are known."""
    facts = context.inventory.facts
    if facts is None:
        return
    unknown = [name for name, value in (("CNI", facts.cni), ("kube-proxy mode",
               facts.kube_proxy_mode)) if value in ("", "unknown")]
    message = f"CNI {facts.cni}, kube-proxy mode {facts.kube_proxy_mode}."
    if unknown:
        message += f" Could not tell the {' and the '.join(unknown)} from what the API shows."
    yield Draft(
        check=ID,
        severity="info",
        subject=Subject("cluster", "cluster"),
        title=f"Cluster network: {facts.cni} CNI, kube-proxy {facts.kube_proxy_mode}",
        message=message,
        evidence={
            "cni": facts.cni,
            "cni_evidence": list(facts.cni_evidence)[:20],
            "cni_candidates": list(facts.cni_candidates)[:20],
            "kube_proxy_mode": facts.kube_proxy_mode,
            "kube_proxy_evidence": list(facts.kube_proxy_evidence)[:20],
            "nodes_with_pod_cidrs": len(facts.node_pod_cidrs),
        },
        remedy=Remedy(
            "To confirm by hand: list the CNI and kube-proxy pods, and read kube-proxy's mode.",
            "kubectl get daemonsets -n kube-system -o wide\n"
            "kubectl get configmap -n kube-system kube-proxy -o jsonpath='{.data.config\\.conf}'"
            " | grep -i mode",
            "shell",
        ),
    )


CHECK = Check(
    id=ID,
    title="Cluster network (CNI, kube-proxy mode)",
    book_row=BOOK_ROW,
    run=run,
    description="Reports the CNI plugin and kube-proxy mode meshwatch inferred, with the "
    "evidence for each; info only.",
)
