"""Endpoints that stay not ready: pods failing their readiness probe take no traffic.

A rollout makes endpoints not ready for a moment, so the severity grows with how long the
finding has been open: info at first, warning after 2 minutes, critical after 10.
"""

from __future__ import annotations

from collections.abc import Iterator

from collectors.records import EndpointRecord, ServiceRecord
from webapp.insights.checks import _kube as k
from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy, Subject

ID = "endpoints_not_ready"
BOOK_ROW = ("Endpoints not ready → the pods' readiness probes fail: kubectl describe pod, "
            "check the probe and the container logs")
WARNING_AFTER_S = 120.0
CRITICAL_AFTER_S = 600.0


def _severity(open_for_s: float) -> str:
    if open_for_s >= CRITICAL_AFTER_S:
        return "critical"
    return "warning" if open_for_s >= WARNING_AFTER_S else "info"


def _remedy(service: ServiceRecord, not_ready: list[EndpointRecord]) -> Remedy:
    ns = k.q(service.namespace)
    lines = [f"kubectl get endpointslices -n {ns} "
             f"-l kubernetes.io/service-name={k.q(service.name)} -o yaml"]
    pod = next((e.pod for e in not_ready if e.pod), "")
    if pod:
        lines += [f"kubectl describe pod -n {ns} {k.q(pod)}",
                  f"kubectl logs -n {ns} {k.q(pod)} --all-containers --tail=100"]
    return Remedy("Find why the pods fail their readiness probe (events, logs), and fix "
                  "the probe or the application.", "\n".join(lines), "shell")


def _draft(context: InsightContext, service: ServiceRecord, not_ready: list[EndpointRecord],
           total: int) -> Draft:
    subject = Subject("service", f"service:{service.namespace}/{service.name}",
                      service.namespace, service.name)
    probe = Draft(ID, "info", subject, "", "")
    open_for = context.open_for_s(probe.id)
    listed = [{"pod": e.pod, "node": e.node, "addresses": list(e.addresses)} for e in not_ready]
    return Draft(
        check=ID,
        severity=_severity(open_for),
        subject=subject,
        title=f"{len(not_ready)} of {total} endpoints of {service.namespace}/{service.name} "
              "not ready",
        message=(f"{len(not_ready)} endpoints of Service {service.namespace}/{service.name} "
                 f"are not ready and take no traffic (open for {open_for:.0f} s)."),
        evidence={"not_ready": k.capped(listed), "endpoints": total,
                  "open_for_s": open_for},
        remedy=_remedy(service, not_ready),
    )


def run(context: InsightContext) -> Iterator[Draft]:
    """One finding per Service with endpoints that are neither ready nor terminating."""
    slices = k.slices_by_service(context.inventory)
    for service in context.inventory.services:
        endpoints = k.endpoints_of(slices.get((service.namespace, service.name), []))
        not_ready = [e for e in endpoints if not e.ready]
        if not_ready:
            yield _draft(context, service, not_ready, len(endpoints))


CHECK = Check(
    id=ID,
    title="Endpoints that are not ready",
    book_row=BOOK_ROW,
    run=run,
    description="Not-ready endpoints (not terminating) of every Service; the severity grows "
    "from info to warning after 2 minutes and to critical after 10.",
)
