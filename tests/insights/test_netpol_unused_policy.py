"""netpol_unused_policy: policies whose allow rules matched no observed edge."""

from __future__ import annotations

from datetime import UTC, datetime

from collectors.records import Inventory, ServicePort
from tests.security.test_netpol_builders import edge, ns, pod, policy, service
from webapp.insights.checks import all_checks
from webapp.insights.checks.netpol_unused_policy import CHECK

from .helpers import context, drafts_of

AT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
API_FROM_WEB = policy("shop", "api-from-web", {
    "podSelector": {"matchLabels": {"app": "api"}},
    "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}]}]})  # fmt: skip
API_FROM_LEGACY = policy("shop", "api-from-legacy", {
    "podSelector": {"matchLabels": {"app": "api"}},
    "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "legacy"}}}]}]})  # fmt: skip
DENY = policy("shop", "deny", {"podSelector": {}, "policyTypes": ["Ingress"]})
DNS_OUT = policy("shop", "dns", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [
    {"ports": [{"protocol": "UDP", "port": 53}]}]})  # fmt: skip


def _inventory(*policies) -> Inventory:
    return Inventory(
        namespaces=(ns("shop"),),
        pods=(pod("shop", "web-1", "10.0.0.1", "web", app="web"),
              pod("shop", "api-1", "10.0.0.2", "api", app="api")),
        services=(service("shop", "api", ServicePort(80, "TCP", "http", "8080"), app="api"),),
        network_policies=policies,
    )  # fmt: skip


EDGES = (edge("shop/web", "shop/api", "api"),)


def test_it_reports_the_policy_no_edge_used_as_info():
    inventory = _inventory(API_FROM_WEB, API_FROM_LEGACY)
    (draft,) = drafts_of(CHECK, context(AT, inventory, edges=EDGES))
    assert draft.subject.id == "policy:shop/NetworkPolicy/api-from-legacy"
    assert draft.severity == "info"
    assert draft.evidence["ingress_rules"] == 1 and draft.evidence["edges_in_window"] == 1


def test_it_stays_quiet_for_used_policies_denies_and_udp_only_rules():
    assert drafts_of(CHECK, context(AT, _inventory(API_FROM_WEB, DENY, DNS_OUT), edges=EDGES)) == []


def test_without_traffic_there_is_nothing_to_compare_with():
    assert drafts_of(CHECK, context(AT, _inventory(API_FROM_LEGACY))) == []


def test_a_namespace_with_unjudged_traffic_is_left_alone():
    edges = (*EDGES, edge("shop/ghost", "shop/api", "api"))
    assert (
        drafts_of(CHECK, context(AT, _inventory(API_FROM_WEB, API_FROM_LEGACY), edges=edges)) == []
    )


def test_an_undecided_rule_counts_as_maybe_used():
    by_name = policy("shop", "api-named", {"podSelector": {"matchLabels": {"app": "api"}},
                     "ingress": [{"ports": [{"port": "http"}]}]})  # fmt: skip
    assert drafts_of(CHECK, context(AT, _inventory(API_FROM_WEB, by_name), edges=EDGES)) == []


def test_it_is_discovered_and_names_its_book_row():
    assert CHECK in all_checks()
    assert "observed" in CHECK.book_row
