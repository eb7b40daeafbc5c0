"""A namespace with pods and no default-deny ingress: every pod accepts traffic from anywhere.

Skipped by default: kube-system, kube-public, kube-node-lease and the mesh control planes
(istio-system, linkerd*, namespaces labelled linkerd.io/is-control-plane=true). Their pods
must take traffic from every namespace (cluster DNS, xDS from every proxy, the API
server's webhooks), so a default deny there is an expert's job, not a default, and a finding
for each would be noise. Set `extra["netpol_include_system"] = True` to check them too.
"""

from __future__ import annotations

from collections.abc import Iterator

from collectors.records import NetworkPolicyRecord
from webapp.insights.checks import _kube as k
from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy, Subject
from webapp.security.netpol import policy_id
from webapp.security.netpol.evaluate import INGRESS, policy_types
from webapp.security.netpol.remedies import default_deny_ingress
from webapp.security.netpol.selectors import to_selector

ID = "netpol_no_default_deny"
BOOK_ROW = (
    "Any pod can reach any pod → the flat network allows everything until a NetworkPolicy "
    "selects the pod; start each namespace with a default-deny ingress policy"
)
SYSTEM_NAMESPACES = frozenset(
    {"kube-system", "kube-public", "kube-node-lease", "istio-system", "linkerd", "linkerd-viz",
     "linkerd-jaeger", "linkerd-multicluster", "linkerd-cni"}
)  # fmt: skip
CONTROL_PLANE_LABEL = "linkerd.io/is-control-plane"


def is_default_deny(policy: NetworkPolicyRecord) -> bool:
    """Selects every pod for ingress and lets nothing in from everywhere.

    A strict deny (no rules), or the common "deny but same-namespace" shape: every rule
    names its peers, so nothing unlisted gets in.
    """
    selector = to_selector(policy.pod_selector)
    if selector is not None and not selector.is_empty:
        return False
    if INGRESS not in policy_types(policy):
        return False
    return all(rule.get("peers") for rule in policy.ingress)


def skipped(context: InsightContext, namespace: str, labels: dict[str, str]) -> bool:
    """Whether `namespace` is a system or control-plane one this check leaves alone."""
    if context.extra.get("netpol_include_system"):
        return False
    return namespace in SYSTEM_NAMESPACES or labels.get(CONTROL_PLANE_LABEL) == "true"


def run(context: InsightContext) -> Iterator[Draft]:
    """One finding per namespace with pods and no default-deny ingress policy."""
    pods = {
        ns: [p for p in members if p.phase not in ("Succeeded", "Failed")]
        for ns, members in k.pods_by_namespace(context.inventory).items()
    }
    labels = {ns.name: ns.labels for ns in context.inventory.namespaces}
    policies: dict[str, list[NetworkPolicyRecord]] = {}
    for policy in context.inventory.network_policies:
        policies.setdefault(policy.namespace, []).append(policy)
    for namespace in sorted(ns for ns, members in pods.items() if members):
        own = policies.get(namespace, [])
        if skipped(context, namespace, labels.get(namespace, {})) or any(
            is_default_deny(p) for p in own
        ):
            continue
        yield _draft(namespace, len(pods[namespace]), own)


def _draft(namespace: str, pod_count: int, own: list[NetworkPolicyRecord]) -> Draft:
    none = not own
    return Draft(
        check=ID,
        severity="warning",
        subject=Subject("namespace", f"namespace:{namespace}", namespace, namespace),
        title=f"Namespace {namespace} has no default-deny ingress policy",
        message=(
            f"{pod_count} pods in {namespace} accept connections from any pod of the cluster"
            + (" (the namespace has no NetworkPolicy at all)." if none else
               " unless one of its policies happens to select them.")
        ),
        evidence={
            "pods": pod_count,
            "policies": k.capped(sorted(policy_id(p) for p in own)),
        },
        remedy=Remedy(
            "Add a default deny, then allow each caller explicitly; apply the allow policies "
            "first, or the namespace's traffic stops until they exist.",
            default_deny_ingress(namespace),
        ),
    )  # fmt: skip


CHECK = Check(
    id=ID,
    title="Namespaces without a default-deny ingress policy",
    book_row=BOOK_ROW,
    run=run,
    description="Every application namespace with pods should start from a NetworkPolicy "
    "that selects all pods for ingress and allows only listed peers; system and mesh "
    "control-plane namespaces are skipped.",
)
