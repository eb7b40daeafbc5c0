"""dns_coredns_unavailable: CoreDNS pods not running or not ready, from the inventory."""

from __future__ import annotations

from collectors.records import Inventory, PodRecord
from tests.conftest import T0
from tests.insights.dns_helpers import coredns, inventory
from tests.insights.helpers import context, drafts_of
from webapp.insights.checks.dns_coredns_unavailable import CHECK


def test_one_replica_down_is_a_warning():
    pods = (coredns("coredns-1"), coredns("coredns-2", ready=False, phase="Pending"))
    [draft] = drafts_of(CHECK, context(T0, inventory(*pods)))
    assert draft.severity == "warning"
    assert draft.subject.id == "service:kube-system/kube-dns"
    assert draft.evidence["not_ready"] == ["coredns-2"] and draft.evidence["ready_pods"] == 1
    assert draft.evidence["phases"] == {"coredns-2": "Pending"}
    assert "kubectl get pods -n kube-system -l k8s-app=kube-dns -o wide" in draft.remedy.snippet


def test_none_ready_or_none_at_all_is_critical():
    crashing = (coredns("coredns-1", ready=False), coredns("coredns-2", ready=False))
    [draft] = drafts_of(CHECK, context(T0, inventory(*crashing)))
    assert draft.severity == "critical" and draft.evidence["ready_pods"] == 0
    # The Service is there but selects nothing, in a cluster that has other pods.
    web = PodRecord("shop", "web-1", labels={"app": "web"})
    empty = Inventory(services=inventory().services, pods=(web,), facts=inventory().facts)
    [draft] = drafts_of(CHECK, context(T0, empty))
    assert draft.severity == "critical" and "no pods at all" in draft.message


def test_without_facts_the_kube_dns_label_finds_the_pods():
    pods = (coredns("coredns-1", ready=False), coredns("coredns-2"))
    [draft] = drafts_of(CHECK, context(T0, inventory(*pods, facts=False)))
    assert draft.evidence["not_ready"] == ["coredns-1"]


def test_healthy_dns_and_an_unknown_cluster_are_quiet():
    assert (
        drafts_of(CHECK, context(T0, inventory(coredns("coredns-1"), coredns("coredns-2")))) == []
    )
    assert drafts_of(CHECK, context(T0, Inventory())) == []  # telemetry-only: nothing known
