"""service_no_endpoints: fires on a Service without ready endpoints, not on healthy ones."""

from __future__ import annotations

from collectors.records import (
    EdgeSample,
    EndpointRecord,
    EndpointSliceRecord,
    Inventory,
    Peer,
    ServiceRecord,
)
from tests.insights.helpers import context, drafts_of
from webapp.insights.checks.service_no_endpoints import BOOK_ROW, CHECK

READY = EndpointRecord(("10.0.0.1",), ready=True, pod="web-1")
NOT_READY = EndpointRecord(("10.0.0.2",), ready=False, pod="web-2")
GOING = EndpointRecord(("10.0.0.3",), ready=True, terminating=True, pod="web-3")


def _inventory(*endpoints: EndpointRecord, **service: object) -> Inventory:
    svc = ServiceRecord("shop", "web", selector={"app": "web"}, **service)  # type: ignore[arg-type]
    return Inventory(services=(svc,), endpoint_slices=(
        EndpointSliceRecord("shop", "web-abc", "web", endpoints=endpoints),))


def test_it_fires_when_no_endpoint_is_ready(t0):
    [found] = drafts_of(CHECK, context(t0, _inventory(NOT_READY, GOING)))
    assert (found.severity, found.subject.id) == ("warning", "service:shop/web")
    assert found.evidence["endpoints"] == 1 and found.evidence["endpoint_slices"] == ["web-abc"]
    assert "kubectl get endpointslices -n shop -l kubernetes.io/service-name=web" in (
        found.remedy.snippet)
    assert CHECK.book_row == BOOK_ROW and "selector" in BOOK_ROW


def test_it_is_critical_when_traffic_goes_to_it(t0):
    edge = EdgeSample(Peer("shop", "front"), Peer("shop", "unknown", service="web"), "http",
                      "istio", 15.0, requests=40.0, errors_5xx=40.0)
    [found] = drafts_of(CHECK, context(t0, _inventory(), edges=(edge,)))
    assert found.severity == "critical" and found.evidence["requests_in_window"] == 40.0


def test_it_does_not_fire_with_a_ready_endpoint_or_for_external_names(t0):
    assert drafts_of(CHECK, context(t0, _inventory(READY, NOT_READY))) == []
    external = _inventory(type="ExternalName", external_name="db.example.com")
    assert drafts_of(CHECK, context(t0, external)) == []


def test_a_selectorless_service_fires_only_without_hand_made_endpoints(t0):
    manual = Inventory(services=(ServiceRecord("shop", "legacy"),), endpoint_slices=(
        EndpointSliceRecord("shop", "legacy-1", "legacy", endpoints=(READY,)),))
    assert drafts_of(CHECK, context(t0, manual)) == []
    [found] = drafts_of(CHECK, context(t0, Inventory(services=(ServiceRecord("shop", "bare"),))))
    assert "no selector" in found.remedy.text


def test_hostile_names_are_quoted_in_the_remedy(t0):
    svc = ServiceRecord("shop", "web;rm -rf /", selector={"app": "$(id)"})
    [found] = drafts_of(CHECK, context(t0, Inventory(services=(svc,))))
    assert "'web;rm -rf /'" in found.remedy.snippet and "'app=$(id)'" in found.remedy.snippet
