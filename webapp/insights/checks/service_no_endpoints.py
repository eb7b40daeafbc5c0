"""A Service with no ready endpoint: every connection to its ClusterIP is refused or hangs."""

from __future__ import annotations

from collections.abc import Iterator

from collectors.records import ServiceRecord
from webapp.insights.checks import _kube as k
from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy, Subject

ID = "service_no_endpoints"
BOOK_ROW = "Service has no endpoints → check the selector matches pod labels and pods are Ready"


def _requests_to(context: InsightContext, service: ServiceRecord) -> float:
    """Requests the window's telemetry sent to `service` (they all failed or went nowhere)."""
    return sum(
        e.requests
        for e in context.edges
        if e.destination.namespace == service.namespace and e.destination.service == service.name
    )


def _remedy(service: ServiceRecord) -> Remedy:
    ns, name = k.q(service.namespace), k.q(service.name)
    lines = [
        f"kubectl get endpointslices -n {ns} -l kubernetes.io/service-name={name} -o wide",
        f"kubectl describe service -n {ns} {name}",
    ]
    if service.selector:
        lines.append(f"kubectl get pods -n {ns} -l {k.q(k.selector_text(service.selector))} "
                     "-o wide --show-labels")
        text = ("Make the selector match the labels of Ready pods (or scale the workload up), "
                "then check that the EndpointSlice lists them as ready.")
    else:
        text = ("This Service has no selector, so nothing fills its EndpointSlices: create "
                "them by hand, or give the Service a selector.")
    return Remedy(text, "\n".join(lines), "shell")


def run(context: InsightContext) -> Iterator[Draft]:
    """One finding per Service (not ExternalName) whose slices hold no ready endpoint."""
    slices = k.slices_by_service(context.inventory)
    for service in context.inventory.services:
        if k.is_external(service):
            continue
        own = slices.get((service.namespace, service.name), [])
        endpoints = k.endpoints_of(own)
        ready = [e for e in endpoints if e.ready]
        if ready:
            continue
        requests = _requests_to(context, service)
        yield Draft(
            check=ID,
            severity="critical" if requests > 0 else "warning",
            subject=Subject("service", f"service:{service.namespace}/{service.name}",
                            service.namespace, service.name),
            title=f"Service {service.namespace}/{service.name} has no ready endpoints",
            message=(
                f"No ready endpoint backs Service {service.namespace}/{service.name}"
                f" ({len(endpoints)} not ready), so its clients' connections fail."
                + (f" {requests:.0f} requests tried it in the last {context.window_s:.0f} s."
                   if requests else "")
            ),
            evidence={
                "selector": dict(service.selector),
                "type": service.type,
                "endpoint_slices": sorted(s.name for s in own),
                "endpoints": len(endpoints),
                "ready_endpoints": 0,
                "requests_in_window": requests,
            },
            remedy=_remedy(service),
        )


CHECK = Check(
    id=ID,
    title="Services without ready endpoints",
    book_row=BOOK_ROW,
    run=run,
    description="Every Service except ExternalName ones should have at least one ready "
    "endpoint in its EndpointSlices; critical when traffic is sent to one that has none.",
)
