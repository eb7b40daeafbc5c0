"""Observed traffic that the NetworkPolicies in force would block.

Traffic that is seen although the policies forbid it means one of two things: the CNI does
not enforce NetworkPolicy (flannel never does), or the policy is newer than the traffic and
those connections are failing now. Either way the policy and the traffic disagree, and one
of them is wrong: the finding cites the isolating policies and why no rule allows, and
offers the policy that would allow exactly this source to this destination's ports.
"""

from __future__ import annotations

from collections.abc import Iterator

from collectors.records import EdgeSample, Inventory
from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy, Subject
from webapp.security.netpol import BLOCKED, EdgeVerdict, PodIndex
from webapp.security.netpol.peers import Endpoint
from webapp.security.netpol.remedies import (
    allow_egress,
    allow_ingress,
    policy_name,
    stable_labels,
)
from webapp.security.netpol.view import view_for

ID = "netpol_blocked_traffic"
BOOK_ROW = (
    "Traffic blocked unexpectedly → a NetworkPolicy selects the pod and no rule allows the source"
)
# CNIs that implement no NetworkPolicy at all: policies there are documentation only.
NON_ENFORCING = frozenset({"flannel"})


def _enforcement(inventory: Inventory) -> tuple[str, str]:
    """The CNI's name and what seeing forbidden traffic says about it."""
    cni = inventory.facts.cni if inventory.facts else "unknown"
    if cni in NON_ENFORCING:
        return cni, f"The CNI is {cni}, which does not enforce NetworkPolicy: nothing stops it."
    if cni == "unknown":
        return cni, (
            "The CNI is not known: either it does not enforce NetworkPolicy, or the "
            "policy is newer than this traffic and these connections now fail."
        )
    return cni, (f"The CNI is {cni}, which enforces NetworkPolicy: the policy is probably "
                 "newer than this traffic, and these connections now fail.")  # fmt: skip


def _selector(verdict: EdgeVerdict, service_selector: dict[str, str]) -> dict[str, str]:
    """How the remedy selects the destination: its Service's selector, else its stable labels."""
    if service_selector:
        return service_selector
    return stable_labels(verdict.verdicts[0].destination.labels)


# The caller a template names when it may be any of several pods in other namespaces: not
# valid as a label value, so the policy cannot be applied until it is filled in.
CALLER_TEMPLATE = Endpoint("<caller-namespace>", {"app": "<caller-app>"}, name="the caller")


def _remedy(verdict: EdgeVerdict, selector: dict[str, str], unknown: bool) -> Remedy:
    dst = verdict.verdicts[0].destination
    blocked = [v for v in verdict.verdicts if v.state == BLOCKED]
    ingress_sources = _distinct([v.source for v in blocked if v.ingress.state == BLOCKED])
    egress_sources = _distinct([v.source for v in blocked if v.egress.state == BLOCKED])
    elsewhere = False
    if unknown:
        # The caller is one of these. Only those next to the destination are named: the
        # finding lives in the destination's namespace, and whoever may read it need not
        # see the others (README "Access and scoping"); they get a template instead.
        near = [s for s in ingress_sources if s.namespace == dst.namespace]
        elsewhere = not near and any(not s.external for s in ingress_sources)
        ingress_sources = [CALLER_TEMPLATE] if elsewhere else near[:5]
        egress_sources = [s for s in egress_sources if s in ingress_sources]
    docs = []
    dst_name = dst.words.rsplit("/", 1)[-1]
    if ingress_sources:
        src_name = ingress_sources[0].words.rsplit("/", 1)[-1] if not unknown else "callers"
        docs.append(
            allow_ingress(
                policy_name("allow", src_name, "to", dst_name),
                selector,
                dst.namespace,
                ingress_sources,
                verdict.ports,
            )
        )
    for src in egress_sources[:3]:
        src_name = src.words.rsplit("/", 1)[-1]
        docs.append(
            allow_egress(
                policy_name("allow", src_name, "egress-to", dst_name),
                src,
                dst,
                selector,
                verdict.ports,
            )
        )
    if elsewhere:
        text = (
            "The mesh could not name the caller, and the pods without a proxy that could be "
            "it run in other namespaces. If it is meant to call, allow it: fill in its "
            "namespace and labels below."
        )
    elif unknown:
        text = (
            "The mesh could not name the caller. If it is meant to call, allow it; the "
            "policy below allows the pods without a proxy that could be it: keep only the "
            "real one."
        )
    else:
        text = "If this traffic is meant to flow, allow exactly this source to these ports."
    if not docs:
        text = "The caller is outside the cluster: allow its address range with an ipBlock."
    return Remedy(text, "---\n".join(docs))  # fmt: skip


def _rate(rps: float, bytes_per_s: float) -> str:
    """How much traffic: requests/s, or bytes/s for TCP edges that count no requests."""
    return f"{rps:.3g} requests/s" if rps > 0 else f"{bytes_per_s:.3g} bytes/s"


def _distinct(endpoints: list[Endpoint]) -> list[Endpoint]:
    """Endpoints (pods) without repeats of the same namespace and stable labels, in order."""
    seen: dict[tuple[str, tuple[tuple[str, str], ...]], Endpoint] = {}
    for e in endpoints:
        if not e.external:
            seen.setdefault((e.namespace, tuple(stable_labels(e.labels).items())), e)
    return list(seen.values())


def run(context: InsightContext) -> Iterator[Draft]:
    """One finding per observed (source, destination) pair the policies would block."""
    view = view_for(context.extra, context.inventory)
    pairs: dict[tuple[str, str], tuple[EdgeVerdict, list[EdgeSample]]] = {}
    for edge, verdict in view.judged(context.edges):
        # TCP edges count bytes, not requests: either one means traffic was seen.
        seen = edge.requests > 0 or edge.bytes_sent > 0 or edge.bytes_received > 0
        if verdict.state == BLOCKED and seen:
            pair = pairs.setdefault((verdict.source, verdict.target), (verdict, []))
            pair[1].append(edge)
    enforcement = _enforcement(context.inventory)
    for key in sorted(pairs):
        verdict, samples = pairs[key]
        yield _draft(context, view.pods, verdict, samples, enforcement)


def _draft(
    context: InsightContext,
    pods: PodIndex,
    verdict: EdgeVerdict,
    samples: list[EdgeSample],
    enforcement: tuple[str, str],
) -> Draft:
    first = samples[0]
    dst_ns = first.destination.namespace
    service = pods.service(dst_ns, first.destination.service)
    selector = _selector(verdict, dict(service.selector) if service else {})
    per_s = 1 / context.window_s if context.window_s > 0 else 0.0
    rps = sum(e.requests for e in samples) * per_s
    bytes_per_s = sum(e.bytes_sent + e.bytes_received for e in samples) * per_s
    unknown = first.source.is_unknown
    caller = "a caller the mesh cannot name" if unknown else verdict.source.split(":", 1)[-1]
    target = verdict.target.split(":", 1)[-1]
    cni, says = enforcement
    return Draft(
        check=ID,
        severity="warning" if cni in NON_ENFORCING or cni == "unknown" else "critical",
        subject=Subject("edge", f"edge:{verdict.source}>{verdict.target}", dst_ns,
                        first.destination.workload),
        title=f"NetworkPolicy would block {caller} → {target}",
        message=(
            f"{_rate(rps, bytes_per_s)} flow from {caller} to {target}, but no rule of "
            f"{', '.join(verdict.blocking)} (which isolate it) allows this source. {says}"
        ),
        evidence={
            "edge": {"source": verdict.source, "target": verdict.target,
                     "service": first.destination.service,
                     "protocols": sorted({e.protocol for e in samples}),
                     "mesh": first.mesh},
            "rps": rps,
            "bytes_per_s": bytes_per_s,
            "isolating_policies": list(verdict.blocking),
            "why": list(verdict.reasons),
            "ports": [p.words for p in verdict.ports],
            "cni": cni,
        },
        remedy=_remedy(verdict, selector, unknown),
    )  # fmt: skip


CHECK = Check(
    id=ID,
    title="Observed traffic the NetworkPolicies would block",
    book_row=BOOK_ROW,
    run=run,
    description="Every observed edge is judged by the NetworkPolicies in force (egress of the "
    "source, ingress of the destination); one the policies would block means the CNI does "
    "not enforce them or the policy is newer than the traffic.",
)
