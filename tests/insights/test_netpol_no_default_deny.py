"""netpol_no_default_deny: namespaces with pods and no default-deny ingress policy."""

from __future__ import annotations

from datetime import UTC, datetime

import yaml

from collectors.records import Inventory
from tests.security.test_netpol_builders import ns, pod, policy
from webapp.insights.checks import all_checks
from webapp.insights.checks.netpol_no_default_deny import CHECK

from .helpers import context, drafts_of

AT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
DENY = {"podSelector": {}, "policyTypes": ["Ingress"]}


def _inventory(*policies, namespaces=("shop", "kube-system", "istio-system")) -> Inventory:
    return Inventory(
        namespaces=tuple(ns(n) for n in namespaces),
        pods=tuple(pod(n, f"{n}-pod", app="x") for n in namespaces),
        network_policies=policies,
    )


def test_it_fires_for_an_application_namespace_without_policies():
    (draft,) = drafts_of(CHECK, context(AT, _inventory()))
    assert draft.subject.id == "namespace:shop"
    assert draft.severity == "warning"
    assert "no NetworkPolicy at all" in draft.message
    snippet = yaml.safe_load(draft.remedy.snippet)
    assert snippet["metadata"] == {"name": "default-deny-ingress", "namespace": "shop"}
    assert snippet["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}


def test_it_stays_quiet_with_a_default_deny():
    assert drafts_of(CHECK, context(AT, _inventory(policy("shop", "deny", DENY)))) == []


def test_a_deny_except_listed_peers_counts_but_an_allow_all_does_not():
    same_ns = policy(
        "shop", "same", {"podSelector": {}, "ingress": [{"from": [{"podSelector": {}}]}]}
    )
    assert drafts_of(CHECK, context(AT, _inventory(same_ns))) == []
    allow_all = policy("shop", "all", {"podSelector": {}, "ingress": [{}]})
    (draft,) = drafts_of(CHECK, context(AT, _inventory(allow_all)))
    assert draft.evidence["policies"]["items"] == ["shop/NetworkPolicy/all"]


def test_a_policy_for_some_pods_or_egress_only_is_not_a_default_deny():
    some = policy(
        "shop", "some", {"podSelector": {"matchLabels": {"app": "x"}}, "policyTypes": ["Ingress"]}
    )
    egress = policy("shop", "out", {"podSelector": {}, "policyTypes": ["Egress"]})
    (draft,) = drafts_of(CHECK, context(AT, _inventory(some, egress)))
    assert draft.subject.id == "namespace:shop"


def test_system_namespaces_are_skipped_unless_asked():
    assert [d.subject.id for d in drafts_of(CHECK, context(AT, _inventory()))] == ["namespace:shop"]
    everything = context(AT, _inventory(), extra={"netpol_include_system": True})
    assert sorted(d.subject.id for d in drafts_of(CHECK, everything)) == [
        "namespace:istio-system",
        "namespace:kube-system",
        "namespace:shop",
    ]


def test_namespaces_without_running_pods_are_left_alone():
    empty = Inventory(namespaces=(ns("idle"),))
    assert drafts_of(CHECK, context(AT, empty)) == []


def test_it_is_discovered_and_names_its_book_row():
    assert CHECK in all_checks()
    assert "default-deny" in CHECK.book_row
