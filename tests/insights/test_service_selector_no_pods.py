"""service_selector_no_pods: fires on a selector matching no pod, names the nearest pods."""

from __future__ import annotations

from collectors.records import Inventory, PodRecord, ServiceRecord
from tests.insights.helpers import context, drafts_of
from webapp.insights.checks.service_selector_no_pods import CHECK

PODS = (
    PodRecord("shop", "web-1", labels={"app": "web", "tier": "front"}),
    PodRecord("shop", "web-2", labels={"app": "webb", "tier": "front"}),
    PodRecord("bank", "vault-1", labels={"app": "vault"}),
)


def _service(selector: dict[str, str], namespace: str = "shop") -> Inventory:
    return Inventory(services=(ServiceRecord(namespace, "web", selector=selector),), pods=PODS)


def test_it_fires_and_shows_the_likely_typo(t0):
    [found] = drafts_of(CHECK, context(t0, _service({"app": "wbe", "tier": "front"})))
    assert (found.severity, found.subject.id) == ("warning", "service:shop/web")
    assert found.evidence["pods_in_namespace"] == 2
    assert found.evidence["nearest"][0] == {"pod": "web-1", "differs": {"app": "web"}}
    assert "kubectl get pods -n shop --show-labels" in found.remedy.snippet


def test_it_does_not_fire_when_a_pod_matches_or_without_a_selector(t0):
    assert drafts_of(CHECK, context(t0, _service({"app": "web"}))) == []
    assert drafts_of(CHECK, context(t0, _service({}))) == []


def test_pods_of_other_namespaces_do_not_count(t0):
    [found] = drafts_of(CHECK, context(t0, _service({"app": "vault"})))
    assert found.evidence["nearest"] == []
