"""Scheduled pods that have no IP: the CNI did not set up their network (sandbox failure).

A pod gets its IP within seconds of being scheduled; one still without is info at first,
warning after a minute and critical after five.
"""

from __future__ import annotations

from collections.abc import Iterator

from collectors.records import PodRecord
from webapp.insights.checks import _kube as k
from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy, Subject

ID = "pods_without_ip"
BOOK_ROW = ("Pod stuck in ContainerCreating without an IP → check the CNI pods on its node "
            "and the kubelet's 'failed to set up sandbox' events")
WARNING_AFTER_S = 60.0
CRITICAL_AFTER_S = 300.0


def _severity(open_for_s: float) -> str:
    if open_for_s >= CRITICAL_AFTER_S:
        return "critical"
    return "warning" if open_for_s >= WARNING_AFTER_S else "info"


def _stuck(pod: PodRecord) -> bool:
    return (bool(pod.node) and not pod.host_network and pod.phase in ("Pending", "Running")
            and not pod.ip and not pod.pod_ips)


def run(context: InsightContext) -> Iterator[Draft]:
    """One finding per scheduled, not host-network pod with no IP."""
    for pod in context.inventory.pods:
        if not _stuck(pod):
            continue
        subject = Subject("pod", f"pod:{pod.namespace}/{pod.name}", pod.namespace, pod.name)
        open_for = context.open_for_s(Draft(ID, "info", subject, "", "").id)
        ns, name, node = k.q(pod.namespace), k.q(pod.name), k.q(pod.node)
        yield Draft(
            check=ID,
            severity=_severity(open_for),
            subject=subject,
            title=f"Pod {pod.namespace}/{pod.name} has no IP",
            message=(f"Pod {pod.namespace}/{pod.name} is scheduled on node {pod.node} "
                     f"({pod.phase}) but has no IP after {open_for:.0f} s."),
            evidence={"node": pod.node, "phase": pod.phase, "workload": pod.workload,
                      "open_for_s": open_for},
            remedy=Remedy(
                "Read the pod's events for sandbox errors, then check the CNI pods on its "
                "node (crashing, or out of addresses).",
                f"kubectl describe pod -n {ns} {name}\n"
                f"kubectl get pods -n kube-system -o wide --field-selector spec.nodeName={node}",
                "shell",
            ),
        )


CHECK = Check(
    id=ID,
    title="Scheduled pods without an IP",
    book_row=BOOK_ROW,
    run=run,
    description="Pending or Running pods bound to a node, not on the host network, that have "
    "no pod IP; the severity grows after 1 and 5 minutes.",
)
