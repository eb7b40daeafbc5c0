"""Pods that no NetworkPolicy selects, in namespaces that have policies.

A namespace with policies looks protected, but a pod none of them selects is not isolated
at all: it accepts and sends anything. The usual cause is a label that changed (a new app
name, a typo) while the policies kept selecting the old one. Host-network pods are left out:
NetworkPolicy does not apply to them, whatever selects them.
"""

from __future__ import annotations

from collections.abc import Iterator

from collectors.records import PodRecord
from webapp.insights.checks import _kube as k
from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy, Subject
from webapp.security.netpol import policy_id
from webapp.security.netpol.remedies import default_deny_ingress
from webapp.security.netpol.selectors import describe, describe_labels, to_selector
from webapp.security.netpol.view import view_for

ID = "netpol_unselected_pods"
MAX_POD_FINDINGS = 2000
BOOK_ROW = (
    "Policy seems to have no effect → no NetworkPolicy's podSelector matches the pod's "
    "labels: compare kubectl get pods --show-labels with each policy's podSelector"
)


def run(context: InsightContext) -> Iterator[Draft]:
    """One finding per workload (or bare pod) whose running pods no policy selects.

    A workload's pods share their labels, so one finding names the workload and lists its
    pods: a Deployment of 50 replicas is one problem, not 50. Past MAX_POD_FINDINGS
    findings the rest are counted in one finding per namespace instead, so a large unpoliced
    cluster is reported, not taken for a broken check.
    """
    view = view_for(context.extra, context.inventory)
    groups: dict[tuple[str, str], list[PodRecord]] = {}
    for pod in context.inventory.pods:
        policies = view.policies.by_namespace.get(pod.namespace, ())
        if not policies or pod.host_network or pod.phase in ("Succeeded", "Failed"):
            continue
        if view.policies.selecting(view.policies.pod_endpoint(pod)):
            continue
        groups.setdefault((pod.namespace, pod.workload or f"pod:{pod.name}"), []).append(pod)
    left_out: dict[str, int] = {}
    for index, ((namespace, _), pods) in enumerate(sorted(groups.items())):
        if index >= MAX_POD_FINDINGS:
            left_out[namespace] = left_out.get(namespace, 0) + len(pods)
            continue
        policies = view.policies.by_namespace[namespace]
        selectors = {policy_id(p): describe(to_selector(p.pod_selector)) for p in policies}
        yield _draft(pods, selectors)
    for namespace, count in sorted(left_out.items()):
        yield _overflow(namespace, count)


def _overflow(namespace: str, count: int) -> Draft:
    return Draft(
        check=ID,
        severity="warning",
        subject=Subject("namespace", f"namespace:{namespace}", namespace, namespace),
        title=f"{count} more pods in {namespace} are selected by no NetworkPolicy",
        message=f"Past {MAX_POD_FINDINGS} pod findings the rest are counted here: {count} "
        f"pods of {namespace} that no policy selects.",
        evidence={"pods": count, "limit": MAX_POD_FINDINGS},
        remedy=Remedy("A default deny catches every pod the policies miss.",
                      default_deny_ingress(namespace)),
        key="left-out",
    )  # fmt: skip


def _subject(pods: list[PodRecord]) -> tuple[Subject, str]:
    first = pods[0]
    if first.workload:
        where = f"{first.namespace}/{first.workload}"
        return Subject("workload", f"workload:{where}", first.namespace, first.workload), where
    where = f"{first.namespace}/{first.name}"
    return Subject("pod", f"pod:{where}", first.namespace, first.name), where


def _draft(pods: list[PodRecord], selectors: dict[str, str]) -> Draft:
    subject, where = _subject(pods)
    first = pods[0]
    listed = sorted(selectors.items())
    count = f"its {len(pods)} pods" if len(pods) > 1 else "its pod"
    return Draft(
        check=ID,
        severity="warning",
        subject=subject,
        title=f"{where}: {count} selected by no NetworkPolicy",
        message=(
            f"{len(selectors)} NetworkPolicies exist in {first.namespace}, but none selects "
            f"{where} ({describe_labels(first.labels)}): it accepts and sends any traffic."
        ),
        evidence={
            "workload": first.workload,
            "pods": k.capped(sorted(p.name for p in pods)),
            "labels": dict(sorted(first.labels.items())[: k.EVIDENCE_ITEMS]),
            "policies": k.capped([{"policy": pid, "pod_selector": s} for pid, s in listed]),
        },
        remedy=Remedy(
            "Fix the pods' labels or a policy's podSelector so that the intended policy "
            "selects them; a default deny catches every pod the others miss.",
            default_deny_ingress(first.namespace),
        ),
    )


CHECK = Check(
    id=ID,
    title="Pods no NetworkPolicy selects",
    book_row=BOOK_ROW,
    run=run,
    description="In a namespace that has NetworkPolicies, every (non host-network) pod "
    "should be selected by at least one of them; an unselected pod is not isolated.",
)
