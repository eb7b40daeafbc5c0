"""cluster_network: an info finding with the CNI and kube-proxy evidence; none without facts."""

from __future__ import annotations

from collectors.records import ClusterFactsRecord, Inventory
from tests.insights.helpers import context, drafts_of
from webapp.insights.checks.cluster_network import CHECK


def test_it_reports_the_cni_and_proxy_mode_with_evidence(t0):
    facts = ClusterFactsRecord(cni="cilium", cni_evidence=("daemonset kube-system/cilium",),
                               kube_proxy_mode="ipvs", kube_proxy_evidence=("mode: ipvs",))
    [found] = drafts_of(CHECK, context(t0, Inventory(facts=facts)))
    assert (found.severity, found.subject.kind, found.subject.id) == ("info", "cluster",
                                                                       "cluster")
    assert found.title == "Cluster network: cilium CNI, kube-proxy ipvs"
    assert found.evidence["cni_evidence"] == ["daemonset kube-system/cilium"]
    assert found.evidence["kube_proxy_mode"] == "ipvs"


def test_it_says_what_it_could_not_tell(t0):
    [found] = drafts_of(CHECK, context(t0, Inventory(facts=ClusterFactsRecord())))
    assert "Could not tell the CNI and the kube-proxy mode" in found.message


def test_it_does_not_fire_without_facts(t0):
    assert drafts_of(CHECK, context(t0, Inventory())) == []
