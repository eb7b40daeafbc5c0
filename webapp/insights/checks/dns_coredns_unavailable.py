"""CoreDNS pods not running or not ready: every name lookup in the cluster is at risk.

kube-proxy only sends DNS queries to ready endpoints of the DNS Service, so fewer ready
CoreDNS pods means the rest take the whole load; none means every lookup times out.
"""

from __future__ import annotations

from collections.abc import Iterator

from webapp.insights.checks import dns_common as d
from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy
from webapp.insights.checks.traffic_common import q

ID = "dns_coredns_unavailable"
BOOK_ROW = (
    "DNS lookups time out → check the CoreDNS pods are Running and Ready "
    "(kubectl -n kube-system get pods -l k8s-app=kube-dns) and their logs"
)
EVIDENCE_PODS = 20  # pod names listed in evidence, at most


def _remedy(svc: d.DnsService) -> Remedy:
    ns = q(svc.namespace)
    selector = q(",".join(f"{k}={v}" for k, v in sorted(svc.selector.items())))
    return Remedy(
        "Find out why the CoreDNS pods are not ready (crash loop, OOM, a bad Corefile after "
        "an edit, the loop plugin detecting a forwarding loop), then check the Service's "
        "endpoints list them again.",
        "\n".join((
            f"kubectl get pods -n {ns} -l {selector} -o wide",
            f"kubectl describe pods -n {ns} -l {selector}",
            f"kubectl logs -n {ns} -l {selector} --tail=50",
            f"kubectl get endpointslices -n {ns} -l kubernetes.io/service-name={q(svc.name)}",
        )),
        "shell",
    )  # fmt: skip


def run(context: InsightContext) -> Iterator[Draft]:
    """One finding when the DNS Service has pods not ready, or none at all."""
    inventory = context.inventory
    svc = d.dns_service(inventory)
    if not svc.pods and not (svc.known and inventory.pods):
        return  # nothing known about the cluster's DNS (telemetry-only mode): nothing to say
    bad = sorted(p.name for p in svc.pods if p.phase != "Running" or not p.ready)
    ready = len(svc.pods) - len(bad)
    if svc.pods and not bad:
        return
    severity = "critical" if ready == 0 else "warning"
    subject = d.subject(inventory)
    yield Draft(
        check=ID,
        severity=severity,
        subject=subject,
        title=f"CoreDNS: {ready} of {len(svc.pods)} pods ready",
        message=(f"The cluster DNS Service {subject.namespace}/{subject.name} has "
                 + ("no pods at all: every lookup fails." if not svc.pods else
                    f"{len(bad)} pod(s) not running or not ready; " +
                    ("no lookup can be answered." if ready == 0 else
                     f"the other {ready} carry every lookup."))),
        evidence={
            "pods": len(svc.pods),
            "ready_pods": ready,
            "not_ready": bad[:EVIDENCE_PODS],
            "not_ready_left_off": max(0, len(bad) - EVIDENCE_PODS),
            "phases": {p.name: p.phase for p in svc.pods if p.name in bad[:EVIDENCE_PODS]},
            "selector": svc.selector,
        },
        remedy=_remedy(svc),
    )  # fmt: skip


CHECK = Check(
    id=ID,
    title="CoreDNS pods not running or not ready",
    book_row=BOOK_ROW,
    run=run,
    description="The pods behind the cluster DNS Service (facts.dns_service, else "
    "kube-system pods labelled k8s-app=kube-dns): warning when some are not Running and "
    "Ready, critical when none is.",
)
