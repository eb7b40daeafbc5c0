"""A NetworkPolicy whose allow rules matched no observed edge in the window.

Information, not a fault: the rule may be for traffic the mesh does not see (DNS over
UDP, clients outside the cluster, pods without a proxy talking to each other) or for
traffic that happens rarely. But a rule nothing uses is often one left behind by a renamed
workload, and it keeps a door open. Policies without allow rules (pure denies) are not
reported, nor are rules only for protocols other than TCP, which mesh telemetry never
carries; a namespace with traffic that could not be judged (pods missing) is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from collectors.records import NetworkPolicyRecord
from webapp.insights.checks import _kube as k
from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy, Subject
from webapp.security.netpol import policy_id
from webapp.security.netpol.evaluate import EGRESS, INGRESS
from webapp.security.netpol.view import view_for

ID = "netpol_unused_policy"
BOOK_ROW = (
    "Policies pile up and nobody knows which still matter → compare each policy's allow "
    "rules with the traffic actually observed"
)


def _observable(rule: dict) -> bool:
    """Whether mesh telemetry could ever show traffic this rule allows (it carries TCP only)."""
    ports = rule.get("ports") or ()
    return not ports or any(str(p.get("protocol") or "TCP").upper() == "TCP" for p in ports)


def _used(context: InsightContext) -> tuple[set[str], set[str]]:
    """Policy ids some edge's verdict cites (allowed or undecided), and namespaces not judged."""
    view = view_for(context.extra, context.inventory)
    used: set[str] = set()
    unjudged: set[str] = set()
    for edge, verdict in view.judged(context.edges):
        # No pods to judge a named workload by; an orphan Service's traffic reaches no pod.
        if not verdict.verdicts and not edge.destination.is_unknown:
            unjudged.update({edge.source.namespace, edge.destination.namespace})
        for v in verdict.verdicts:
            for side in (v.egress, v.ingress):
                used.update(ref.policy for ref in (*side.allowed_by, *side.undecided))
    return used, unjudged


def run(context: InsightContext) -> Iterator[Draft]:
    """One finding per policy with observable allow rules that no edge of the window used."""
    if not context.edges:
        return  # no telemetry in the window: nothing to compare with
    used, unjudged = _used(context)
    for policy in context.inventory.network_policies:
        rules = [r for r in (*policy.ingress, *policy.egress) if _observable(r)]
        if not rules or policy_id(policy) in used or policy.namespace in unjudged:
            continue
        yield _draft(context, policy)


def _draft(context: InsightContext, policy: NetworkPolicyRecord) -> Draft:
    pid = policy_id(policy)
    where = f"{policy.namespace}/{policy.name}"
    minutes = context.window_s / 60
    return Draft(
        check=ID,
        severity="info",
        subject=Subject("policy", f"policy:{pid}", policy.namespace, policy.name),
        title=f"NetworkPolicy {where} allowed no observed traffic",
        message=(
            f"None of the {len(policy.ingress)} ingress and {len(policy.egress)} egress rules "
            f"of {where} matched an edge seen in the last {minutes:.0f} min. Traffic the mesh "
            "does not see (UDP, clients outside the cluster, pods without a proxy) is not counted."
        ),
        evidence={
            "policy": pid,
            "ingress_rules": len(policy.ingress),
            "egress_rules": len(policy.egress),
            "directions": [d for d, rules in ((INGRESS, policy.ingress), (EGRESS, policy.egress))
                           if rules],
            "window_s": context.window_s,
            "edges_in_window": len(context.edges),
        },
        remedy=Remedy(
            "Check whether the rules still name existing workloads and ports; delete the "
            "policy if nothing needs them.",
            f"kubectl get networkpolicy -n {k.q(policy.namespace)} {k.q(policy.name)} -o yaml",
            "shell",
        ),
    )  # fmt: skip


CHECK = Check(
    id=ID,
    title="NetworkPolicies that allowed no observed traffic",
    book_row=BOOK_ROW,
    run=run,
    description="A policy whose allow rules matched no edge of the window (TCP rules only: "
    "the mesh sees nothing else); information, for pruning stale policies.",
)
