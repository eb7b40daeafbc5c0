"""pods_without_ip: fires on scheduled pods with no IP, not on unscheduled or host-network ones."""

from __future__ import annotations

from datetime import timedelta

from collectors.records import Inventory, PodRecord
from tests.insights.helpers import context, drafts_of
from webapp.insights.checks.base import Draft, Subject
from webapp.insights.checks.pods_without_ip import CHECK

STUCK = PodRecord("shop", "web-1", node="n1", phase="Pending", ip="", ready=False)


def test_it_fires_on_a_scheduled_pod_without_ip(t0):
    [found] = drafts_of(CHECK, context(t0, Inventory(pods=(STUCK,))))
    assert (found.severity, found.subject.id) == ("info", "pod:shop/web-1")
    assert "--field-selector spec.nodeName=n1" in found.remedy.snippet


def test_it_grows_critical_after_five_minutes(t0):
    previous_id = Draft(CHECK.id, "info", Subject("pod", "pod:shop/web-1", "shop", "web-1"),
                        "", "").id
    ctx = context(t0, Inventory(pods=(STUCK,)), previous={previous_id: t0 - timedelta(minutes=6)})
    [found] = drafts_of(CHECK, ctx)
    assert found.severity == "critical" and found.evidence["open_for_s"] == 360.0


def test_it_does_not_fire_on_unscheduled_host_network_or_addressed_pods(t0):
    pods = (PodRecord("shop", "a", node="", phase="Pending", ip=""),
            PodRecord("shop", "b", node="n1", phase="Pending", ip="", host_network=True),
            PodRecord("shop", "c", node="n1", phase="Running", ip="10.0.0.9"),
            PodRecord("shop", "d", node="n1", phase="Succeeded", ip=""))
    assert drafts_of(CHECK, context(t0, Inventory(pods=pods))) == []
