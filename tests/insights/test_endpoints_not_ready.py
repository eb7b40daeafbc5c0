"""endpoints_not_ready: fires on not-ready endpoints, and grows more severe while open."""

from __future__ import annotations

from datetime import timedelta

import pytest

from collectors.records import (
    EndpointRecord,
    EndpointSliceRecord,
    Inventory,
    NamespaceRecord,
    ServiceRecord,
)
from tests.insights.helpers import context, drafts_of
from webapp.insights.checks.endpoints_not_ready import CHECK
from webapp.insights.engine import evaluate
from webapp.insights.models import Finding
from webapp.inventory.services import apply_inventory

READY = EndpointRecord(("10.0.0.1",), ready=True, pod="web-1")
NOT_READY = EndpointRecord(("10.0.0.2",), ready=False, pod="web-2", node="n1")
GOING = EndpointRecord(("10.0.0.3",), ready=False, terminating=True, pod="web-3")


def _inventory(*endpoints: EndpointRecord) -> Inventory:
    return Inventory(namespaces=(NamespaceRecord("shop"),),
                     services=(ServiceRecord("shop", "web", selector={"app": "web"}),),
                     endpoint_slices=(EndpointSliceRecord("shop", "web-a", "web",
                                                          endpoints=endpoints),))


def test_it_fires_on_not_ready_endpoints(t0):
    [found] = drafts_of(CHECK, context(t0, _inventory(READY, NOT_READY, GOING)))
    assert found.severity == "info" and found.title.startswith("1 of 2 endpoints")
    assert found.evidence["not_ready"]["items"] == [
        {"pod": "web-2", "node": "n1", "addresses": ["10.0.0.2"]}]
    assert "kubectl describe pod -n shop web-2" in found.remedy.snippet


def test_it_does_not_fire_when_all_are_ready_or_terminating(t0):
    assert drafts_of(CHECK, context(t0, _inventory(READY, GOING))) == []


@pytest.mark.django_db
def test_severity_rises_with_how_long_it_has_been_open(t0):
    apply_inventory(_inventory(NOT_READY))  # stored for real: the engine reads it back
    severities = []
    for minutes in (0, 3, 11):
        evaluate(t0 + timedelta(minutes=minutes), [CHECK])
        severities.append(Finding.objects.get(check_id=CHECK.id).severity)
    assert severities == ["info", "warning", "critical"]
    assert Finding.objects.get(check_id=CHECK.id).first_seen == t0
