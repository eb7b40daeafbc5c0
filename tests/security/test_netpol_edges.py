"""Observed edges mapped onto pods and Service ports, and judged; the demo's blocked edge."""

from __future__ import annotations

from datetime import UTC, datetime

from collectors.records import Inventory, ServicePort
from collectors.simulator import Simulator
from webapp.security.netpol import ALLOWED, BLOCKED, UNKNOWN, PodIndex, PolicySet, judge_edge
from webapp.security.netpol.edges import target_ports

from .test_netpol_builders import edge, ns, pod, policy, service

ONLY_WEB = policy("shop", "api-from-web", {
    "podSelector": {"matchLabels": {"app": "api"}},
    "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}],
                 "ports": [{"port": 8080}]}]})  # fmt: skip


def _judge(inventory: Inventory, sample):
    policies = PolicySet.from_inventory(inventory)
    return judge_edge(policies, PodIndex(inventory, policies), sample)


HTTP_8080 = (ServicePort(80, "TCP", "http", "8080"),)


def _inventory(*policies, ports=HTTP_8080) -> Inventory:
    return Inventory(
        namespaces=(ns("shop"),),
        pods=(pod("shop", "web-1", "10.0.0.1", "web", app="web"),
              pod("shop", "api-1", "10.0.0.2", "api", app="api"),
              pod("shop", "api-2", "10.0.0.3", "api", app="api"),
              pod("shop", "batch-1", "10.0.0.4", "batch", sidecar="", app="batch")),
        services=(service("shop", "api", *ports, app="api"),),
        network_policies=policies,
    )  # fmt: skip


def test_an_edge_from_an_allowed_workload_is_allowed():
    verdict = _judge(_inventory(ONLY_WEB), edge("shop/web", "shop/api", "api"))
    assert verdict.state == ALLOWED
    assert (verdict.source, verdict.target) == ("workload:shop/web", "workload:shop/api")
    assert [p.words for p in verdict.ports] == ["8080/TCP"]  # the targetPort, not 80


def test_an_edge_from_another_workload_is_blocked_with_the_policy_cited():
    verdict = _judge(_inventory(ONLY_WEB), edge("shop/batch", "shop/api", "api"))
    assert verdict.state == BLOCKED
    assert verdict.blocking == ("shop/NetworkPolicy/api-from-web",)
    assert any("shop/batch" in r and "app=web" in r for r in verdict.reasons)


def test_a_named_target_port_against_a_numeric_rule_cannot_tell():
    inventory = _inventory(ONLY_WEB, ports=(ServicePort(80, "TCP", "http", "web-port"),))
    verdict = _judge(inventory, edge("shop/web", "shop/api", "api"))
    assert verdict.state == UNKNOWN
    assert any("unresolved" in r for r in verdict.reasons)


def test_an_unknown_caller_is_every_pod_without_a_proxy_and_the_outside():
    verdict = _judge(_inventory(ONLY_WEB), edge("unknown", "shop/api", "api"))
    assert verdict.state == BLOCKED  # batch is not web, and selectors never match outside
    assert {v.source.words for v in verdict.verdicts} == {
        "shop/batch",
        "a client outside the cluster",
    }
    assert "judged as each pod without a proxy (shop/batch)" in verdict.reasons[0]


def test_an_unknown_caller_against_an_ip_block_cannot_tell():
    cidr = policy("shop", "api-from-lan", {"podSelector": {"matchLabels": {"app": "api"}},
                  "ingress": [{"from": [{"ipBlock": {"cidr": "192.168.0.0/16"}}]}]})  # fmt: skip
    verdict = _judge(_inventory(cidr), edge("unknown", "shop/api", "api"))
    assert verdict.state == UNKNOWN
    assert any("address of a client outside the cluster is unknown" in r for r in verdict.reasons)


def test_missing_pods_cannot_tell_rather_than_guess():
    verdict = _judge(_inventory(ONLY_WEB), edge("shop/ghost", "shop/api", "api"))
    assert verdict.state == UNKNOWN and not verdict.verdicts
    assert "no pods of workload:shop/ghost" in verdict.reasons[0]


def test_target_ports_keep_tcp_only_and_say_when_unknown():
    svc = service(
        "kube-system",
        "kube-dns",
        ServicePort(53, "UDP", "dns", "53"),
        ServicePort(53, "TCP", "dns-tcp", "53"),
        ServicePort(9153, "TCP", "metrics"),
    )
    assert [p.words for p in target_ports(svc)] == ["53/TCP", "9153/TCP"]
    assert [p.words for p in target_ports(None)] == ["TCP (port unknown)"]


def test_the_demo_blocks_exactly_legacy_reports_plaintext_into_orders():
    records = Simulator().records_at(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    policies = PolicySet.from_inventory(records.inventory)
    index = PodIndex(records.inventory, policies)
    verdicts = [judge_edge(policies, index, e) for e in records.edges]
    blocked = [(v.source, v.target) for v in verdicts if v.state == BLOCKED]
    assert blocked == [("unknown", "workload:shop/orders")]
    (orders,) = [v for v in verdicts if v.state == BLOCKED]
    assert orders.blocking == ("shop/NetworkPolicy/orders-from-storefront",)
    assert any("shop/legacy-reports" in r for r in orders.reasons)
    storefront = [v for v in verdicts if v.source == "workload:shop/storefront"
                  and v.target == "workload:shop/orders"]  # fmt: skip
    assert [v.state for v in storefront] == [ALLOWED]


def test_an_unknown_caller_among_too_many_unmeshed_groups_cannot_tell():
    from webapp.security.netpol.edges import MAX_UNKNOWN_CANDIDATES

    base = _inventory(ONLY_WEB)
    many = tuple(
        pod("shop", f"job-{i}", f"10.1.{i // 250}.{i % 250}", f"job-{i}", sidecar="", app=f"j{i}")
        for i in range(MAX_UNKNOWN_CANDIDATES + 1)
    )
    inventory = Inventory(
        namespaces=base.namespaces,
        pods=base.pods + many,
        services=base.services,
        network_policies=base.network_policies,
    )
    verdict = _judge(inventory, edge("unknown", "shop/api", "api"))
    assert verdict.state == UNKNOWN
    assert "cannot tell" in verdict.reasons[0]
    assert verdict.verdicts == ()  # nothing evaluated: the cap is what keeps cycles cheap


def test_an_unknown_callers_candidates_elsewhere_are_counted_not_named():
    # The finding lives in the destination's namespace: its viewers may not see the others.
    base = _inventory(ONLY_WEB)
    inventory = Inventory(
        namespaces=(*base.namespaces, ns("infra")),
        pods=(*base.pods, pod("infra", "dns-1", "10.0.9.1", "dns", sidecar="", app="dns")),
        services=base.services,
        network_policies=base.network_policies,
    )
    verdict = _judge(inventory, edge("unknown", "shop/api", "api"))
    assert verdict.state == BLOCKED
    assert {v.source.words for v in verdict.verdicts} >= {"shop/batch", "infra/dns"}, "judged"
    assert "(shop/batch; 1 group in other namespaces)" in verdict.reasons[0]
    assert "1 group of pods without a proxy in other namespaces: blocked" in verdict.reasons
    assert not [r for r in verdict.reasons if "infra" in r or "app=dns" in r], verdict.reasons
    assert any("shop/batch" in r and "app=web" in r for r in verdict.reasons[1:])
