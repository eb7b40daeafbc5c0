"""netpol_unselected_pods: pods no policy selects, in namespaces that have policies."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from collectors.records import Inventory
from tests.security.test_netpol_builders import ns, pod, policy
from webapp.insights.checks import all_checks
from webapp.insights.checks.netpol_unselected_pods import CHECK

from .helpers import context, drafts_of

AT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
ORDERS = policy("shop", "orders", {"podSelector": {"matchLabels": {"app": "orders"}}})


def _inventory(*policies) -> Inventory:
    return Inventory(
        namespaces=(ns("shop"), ns("bookinfo")),
        pods=(
            pod("shop", "orders-1", app="orders"),
            pod("shop", "ordres-1", app="ordres"),  # the typo that escapes the policy
            replace(pod("shop", "node-agent"), host_network=True),
            replace(pod("shop", "job-1", app="job"), phase="Succeeded"),
            pod("bookinfo", "details-1", app="details"),
        ),
        network_policies=policies,
    )


def test_it_fires_for_the_pod_no_policy_selects():
    (draft,) = drafts_of(CHECK, context(AT, _inventory(ORDERS)))
    assert draft.subject.id == "workload:shop/ordres-1"
    assert draft.subject.kind == "workload"
    assert draft.evidence["pods"]["items"] == ["ordres-1"]
    assert draft.evidence["policies"]["items"] == [
        {"policy": "shop/NetworkPolicy/orders", "pod_selector": "app=orders"}
    ]
    assert "app=ordres" in draft.message


def test_it_stays_quiet_when_a_policy_selects_every_pod():
    everyone = policy("shop", "all", {"podSelector": {}, "policyTypes": ["Egress"]})
    assert drafts_of(CHECK, context(AT, _inventory(ORDERS, everyone))) == []


def test_namespaces_without_policies_are_not_this_checks_business():
    assert drafts_of(CHECK, context(AT, _inventory())) == []


def test_match_expressions_select_too():
    expr = policy("shop", "expr", {"podSelector": {"matchExpressions": [
        {"key": "app", "operator": "In", "values": ["orders", "ordres"]}]}})  # fmt: skip
    assert drafts_of(CHECK, context(AT, _inventory(expr))) == []


def test_it_is_discovered_and_names_its_book_row():
    assert CHECK in all_checks()
    assert "podSelector" in CHECK.book_row


def test_past_the_limit_the_rest_are_counted_per_namespace(monkeypatch):
    from webapp.insights.checks import netpol_unselected_pods

    monkeypatch.setattr(netpol_unselected_pods, "MAX_POD_FINDINGS", 1)
    inventory = replace(
        _inventory(ORDERS),
        pods=(
            *_inventory().pods,
            pod("shop", "ordres-2", app="ordres"),
            pod("shop", "x-1", app="x"),
        ),
    )
    drafts = drafts_of(CHECK, context(AT, inventory))
    assert [d.subject.id for d in drafts] == ["workload:shop/ordres-1", "namespace:shop"]
    assert drafts[1].evidence == {"pods": 2, "limit": 1}


def test_a_workloads_pods_are_one_finding_and_a_bare_pod_its_own():
    inventory = replace(
        _inventory(ORDERS),
        pods=(
            pod("shop", "orders-1", app="orders"),
            pod("shop", "web-1", workload="web", app="web"),
            pod("shop", "web-2", workload="web", app="web"),
            replace(pod("shop", "debug", app="debug"), workload=""),
        ),
    )
    drafts = {d.subject.id: d for d in drafts_of(CHECK, context(AT, inventory))}
    assert {(i, d.subject.kind) for i, d in drafts.items()} == {
        ("workload:shop/web", "workload"), ("pod:shop/debug", "pod")}
    web = drafts["workload:shop/web"]
    assert web.evidence["pods"]["items"] == ["web-1", "web-2"]
    assert "its 2 pods" in web.title
