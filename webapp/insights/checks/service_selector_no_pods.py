"""A Service whose selector matches no pod: usually a typo in a label, or the wrong namespace."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from collectors.records import PodRecord, ServiceRecord
from webapp.insights.checks import _kube as k
from webapp.insights.checks.base import Check, Draft, InsightContext, Remedy, Subject

ID = "service_selector_no_pods"
BOOK_ROW = ("Service has no endpoints → compare the Service's selector with the pod labels "
            "(kubectl get pods --show-labels)")
_NEAREST = 3


def _nearest(service: ServiceRecord, pods: list[PodRecord]) -> list[dict[str, Any]]:
    """The pods sharing most of the selector's pairs, with what differs: the likely typo."""

    def shared(pod: PodRecord) -> int:
        return sum(pod.labels.get(key) == value for key, value in service.selector.items())

    ranked = sorted((p for p in pods if shared(p)), key=lambda p: (-shared(p), p.name))
    return [
        {
            "pod": pod.name,
            "differs": {key: pod.labels.get(key) for key, value in sorted(service.selector.items())
                        if pod.labels.get(key) != value},
        }
        for pod in ranked[:_NEAREST]
    ]


def _remedy(service: ServiceRecord, nearest: list[dict[str, Any]]) -> Remedy:
    ns = k.q(service.namespace)
    lines = [f"kubectl get pods -n {ns} --show-labels",
             f"kubectl get service -n {ns} {k.q(service.name)} -o jsonpath='{{.spec.selector}}'"]
    text = "Make the Service's selector match the labels of the pods that should serve it."
    if nearest:
        text += f" Pod {nearest[0]['pod']} differs only in {sorted(nearest[0]['differs'])}."
    return Remedy(text, "\n".join(lines), "shell")


def run(context: InsightContext) -> Iterator[Draft]:
    """One finding per Service with a selector that selects no pod of its namespace."""
    pods = k.pods_by_namespace(context.inventory)
    for service in context.inventory.services:
        if not service.selector or k.is_external(service):
            continue
        own = pods.get(service.namespace, [])
        if any(k.matches(service.selector, p.labels) for p in own):
            continue
        nearest = _nearest(service, own)
        yield Draft(
            check=ID,
            severity="warning",
            subject=Subject("service", f"service:{service.namespace}/{service.name}",
                            service.namespace, service.name),
            title=f"Service {service.namespace}/{service.name} selects no pod",
            message=(f"The selector {k.selector_text(service.selector)} of Service "
                     f"{service.namespace}/{service.name} matches none of the "
                     f"{len(own)} pods in namespace {service.namespace}."),
            evidence={"selector": dict(service.selector), "pods_in_namespace": len(own),
                      "nearest": nearest},
            remedy=_remedy(service, nearest),
        )


CHECK = Check(
    id=ID,
    title="Service selectors that match no pod",
    book_row=BOOK_ROW,
    run=run,
    description="A Service with a selector gets its endpoints from the pods it selects; "
    "one that selects none never gets any. The nearest pods show the likely typo.",
)
