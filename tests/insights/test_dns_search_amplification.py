"""dns_search_amplification: per namespace, from the pods' resolver settings and CoreDNS."""

from __future__ import annotations

import yaml

from collectors.records import Inventory, PodRecord
from tests.conftest import T0
from tests.insights.dns_helpers import window, zone
from tests.insights.helpers import context, drafts_of
from webapp.insights.checks.dns_search_amplification import CHECK


def _pod(ns: str, name: str, ndots: int = 5, policy: str = "ClusterFirst") -> PodRecord:
    search = (f"{ns}.svc.cluster.local", "svc.cluster.local", "cluster.local")
    return PodRecord(ns, name, dns_policy=policy, ndots=ndots, search=search)


PODS = (_pod("shop", "payments-1"), _pod("shop", "orders-1"), _pod("tuned", "api-1", ndots=2),
        _pod("kube-system", "coredns-1", policy="Default"))  # fmt: skip


def test_amplified_namespaces_are_reported_with_the_dns_config_fix():
    nxdomain_heavy = zone({"NOERROR": 600.0, "NXDOMAIN": 400.0},
                          by_type={"A": 500.0, "AAAA": 500.0})  # fmt: skip
    [draft] = drafts_of(CHECK, context(T0, Inventory(pods=PODS), dns=window((nxdomain_heavy,))))
    assert draft.subject.id == "namespace:shop" and draft.severity == "warning"
    assert draft.evidence["expected_lookups"] == 8  # (3 search domains + 1) × A and AAAA
    assert draft.evidence["pods_amplified"] == 2
    snippet = yaml.safe_load(draft.remedy.snippet)
    assert snippet["spec"]["template"]["spec"]["dnsConfig"]["options"] == [
        {"name": "ndots", "value": "2"}
    ]
    assert [r["id"] for r in draft.evidence["other_remedies"]] == ["trailing_dot", "autopath"]


def test_unconfirmed_by_coredns_it_is_information():
    calm = zone({"NOERROR": 990.0, "NXDOMAIN": 10.0}, by_type={"A": 500.0, "AAAA": 500.0})
    [draft] = drafts_of(CHECK, context(T0, Inventory(pods=PODS), dns=window((calm,))))
    assert draft.severity == "info"
    [draft] = drafts_of(CHECK, context(T0, Inventory(pods=PODS), dns=None))
    assert draft.severity == "info"


def test_low_ndots_and_node_resolvers_are_not_amplified():
    pods = (_pod("tuned", "api-1", ndots=2), _pod("kube-system", "coredns-1", policy="Default"))
    assert drafts_of(CHECK, context(T0, Inventory(pods=pods), dns=None)) == []
