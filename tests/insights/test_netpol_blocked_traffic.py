"""netpol_blocked_traffic: observed edges that the policies in force would block."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import yaml

from collectors.records import ClusterFactsRecord, Inventory, ServicePort
from collectors.simulator import Simulator
from tests.security.test_netpol_builders import edge, ns, pod, policy, service
from webapp.insights.checks import all_checks
from webapp.insights.checks.netpol_blocked_traffic import CHECK
from webapp.security.netpol import ALLOWED, PolicySet, TargetPort

from .helpers import context, drafts_of

AT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
API_FROM_WEB = policy("shop", "api-from-web", {
    "podSelector": {"matchLabels": {"app": "api"}},
    "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}],
                 "ports": [{"port": 8080}]}]})  # fmt: skip


def _inventory(*policies, cni: str = "calico") -> Inventory:
    return Inventory(
        namespaces=(ns("shop"), ns("ops")),
        pods=(pod("shop", "web-1", "10.0.0.1", "web", app="web"),
              pod("shop", "api-1", "10.0.0.2", "api", app="api", **{"pod-template-hash": "abc"}),
              pod("ops", "cron-1", "10.0.1.1", "cron", app="cron", version="v2")),
        services=(service("shop", "api", ServicePort(80, "TCP", "http", "8080"), app="api"),),
        network_policies=policies,
        facts=ClusterFactsRecord(cni=cni),
    )  # fmt: skip


def test_it_fires_for_a_blocked_edge_and_offers_the_exact_allow_policy():
    edges = (edge("ops/cron", "shop/api", "api", requests=600), edge("shop/web", "shop/api", "api"))
    (draft,) = drafts_of(CHECK, context(AT, _inventory(API_FROM_WEB), edges=edges))
    assert draft.subject.id == "edge:workload:ops/cron>workload:shop/api"
    assert draft.severity == "critical"  # calico enforces: these connections fail now
    assert draft.evidence["rps"] == 2.0  # 600 requests over the 300 s window
    assert draft.evidence["isolating_policies"] == ["shop/NetworkPolicy/api-from-web"]
    assert any("app=web" in why for why in draft.evidence["why"])
    assert "calico" in draft.message and "newer" in draft.message
    doc = yaml.safe_load(draft.remedy.snippet)
    assert doc["metadata"]["namespace"] == "shop"
    assert doc["spec"]["podSelector"] == {"matchLabels": {"app": "api"}}
    assert doc["spec"]["ingress"] == [{
        "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ops"}},
                  "podSelector": {"matchLabels": {"app": "cron", "version": "v2"}}}],
        "ports": [{"protocol": "TCP", "port": 8080}],
    }]  # fmt: skip


def test_the_remedy_really_allows_the_edge_when_applied():
    edges = (edge("ops/cron", "shop/api", "api"),)
    inventory = _inventory(API_FROM_WEB)
    (draft,) = drafts_of(CHECK, context(AT, inventory, edges=edges))
    doc = yaml.safe_load(draft.remedy.snippet)
    fixed = replace(inventory, network_policies=(
        API_FROM_WEB, policy("shop", doc["metadata"]["name"], doc["spec"])))  # fmt: skip
    assert drafts_of(CHECK, context(AT, fixed, edges=edges)) == []
    ps = PolicySet.from_inventory(fixed)
    cron = ps.pod_endpoint(fixed.pods[2])
    api = ps.pod_endpoint(fixed.pods[1])
    assert ps.evaluate(cron, api, TargetPort("TCP", 8080)).state == ALLOWED


def test_a_blocked_egress_gets_an_egress_policy_too():
    out = policy("ops", "no-out", {"podSelector": {}, "policyTypes": ["Egress"]})
    (draft,) = drafts_of(
        CHECK, context(AT, _inventory(out), edges=(edge("ops/cron", "shop/api", "api"),))
    )
    assert draft.evidence["isolating_policies"] == ["ops/NetworkPolicy/no-out"]
    (doc,) = list(yaml.safe_load_all(draft.remedy.snippet))
    assert doc["metadata"]["namespace"] == "ops" and doc["spec"]["policyTypes"] == ["Egress"]
    assert doc["spec"]["egress"][0]["to"][0]["namespaceSelector"] == {
        "matchLabels": {"kubernetes.io/metadata.name": "shop"}
    }


def test_it_stays_quiet_for_allowed_or_undecidable_edges():
    edges = (edge("shop/web", "shop/api", "api"), edge("shop/ghost", "shop/api", "api"))
    assert drafts_of(CHECK, context(AT, _inventory(API_FROM_WEB), edges=edges)) == []
    assert drafts_of(CHECK, context(AT, _inventory(), edges=edges)) == []


def test_a_non_enforcing_cni_is_named_and_lowers_the_severity():
    edges = (edge("ops/cron", "shop/api", "api"),)
    (draft,) = drafts_of(CHECK, context(AT, _inventory(API_FROM_WEB, cni="flannel"), edges=edges))
    assert draft.severity == "warning"
    assert "flannel, which does not enforce NetworkPolicy" in draft.message
    assert draft.evidence["cni"] == "flannel"


def test_the_demo_shows_legacy_reports_blocked_into_orders():
    records = Simulator().records_at(AT)
    ctx = context(AT, records.inventory, edges=records.edges)
    (draft,) = drafts_of(CHECK, ctx)
    assert draft.subject.id == "edge:unknown>workload:shop/orders"
    assert draft.evidence["isolating_policies"] == ["shop/NetworkPolicy/orders-from-storefront"]
    assert draft.evidence["cni"] == "flannel"
    doc = yaml.safe_load(draft.remedy.snippet)
    (peer,) = doc["spec"]["ingress"][0]["from"]
    assert peer["podSelector"]["matchLabels"]["app"] == "legacy-reports"


def test_it_is_discovered_and_names_its_book_row():
    assert CHECK in all_checks()
    assert CHECK.book_row.startswith("Traffic blocked unexpectedly")


def test_a_tcp_edge_counts_by_bytes():
    from dataclasses import replace as copy

    tcp = copy(edge("ops/cron", "shop/api", "api", requests=0, protocol="tcp"), bytes_sent=3000.0)
    (draft,) = drafts_of(CHECK, context(AT, _inventory(API_FROM_WEB), edges=(tcp,)))
    assert draft.evidence["rps"] == 0 and draft.evidence["bytes_per_s"] == 10.0
    assert draft.message.startswith("10 bytes/s flow from ops/cron to shop/api")
    silent = copy(tcp, bytes_sent=0.0)
    assert drafts_of(CHECK, context(AT, _inventory(API_FROM_WEB), edges=(silent,))) == []


def test_an_unknown_caller_whose_candidates_are_all_elsewhere_gets_a_template_not_their_labels():
    inventory = replace(
        _inventory(API_FROM_WEB),
        pods=(pod("shop", "web-1", "10.0.0.1", "web", app="web"),
              pod("shop", "api-1", "10.0.0.2", "api", app="api"),
              pod("ops", "cron-1", "10.0.1.1", "cron", sidecar="", app="cron", version="v2")),
    )  # fmt: skip
    edges = (edge("unknown", "shop/api", "api"),)
    (draft,) = drafts_of(CHECK, context(AT, inventory, edges=edges))
    assert draft.subject.id == "edge:unknown>workload:shop/api"
    assert "other namespaces" in draft.remedy.text
    doc = yaml.safe_load(draft.remedy.snippet)
    (peer,) = doc["spec"]["ingress"][0]["from"]
    assert peer == {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "<caller-namespace>"}},
        "podSelector": {"matchLabels": {"app": "<caller-app>"}},
    }
    shown = f"{draft.message} {draft.remedy.text} {draft.remedy.snippet} {draft.evidence}"
    assert not re.search(r"\bops\b|cron", shown), shown
