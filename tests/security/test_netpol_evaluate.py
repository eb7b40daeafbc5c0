"""Kubernetes NetworkPolicy semantics, case by case, on hand-written policies."""

from __future__ import annotations

from collectors.records import Inventory, NamespaceRecord
from webapp.security.netpol import ALLOWED, BLOCKED, UNKNOWN, Endpoint, PolicySet, TargetPort
from webapp.security.netpol.peers import ip_in_block

from .test_netpol_builders import endpoint, ns, policy, policy_set

TCP_8080 = TargetPort("TCP", 8080)
NAMESPACES = (ns("shop", team="shop"), ns("ops", team="ops"), ns("bank", team="money"))


def _set(*policies):
    return policy_set(*policies, namespaces=NAMESPACES)


def test_a_pod_no_policy_selects_is_open_both_ways():
    ps = _set(policy("shop", "orders", {"podSelector": {"matchLabels": {"app": "orders"}}}))
    verdict = ps.evaluate(
        endpoint(ps, "ops", app="cron"), endpoint(ps, "shop", app="web"), TCP_8080
    )
    assert verdict.state == ALLOWED
    assert not verdict.ingress.isolated and not verdict.egress.isolated


def test_default_deny_ingress_blocks_and_names_the_policy():
    ps = _set(policy("shop", "deny", {"podSelector": {}, "policyTypes": ["Ingress"]}))
    verdict = ps.evaluate(
        endpoint(ps, "ops", app="cron"), endpoint(ps, "shop", app="web"), TCP_8080
    )
    assert verdict.state == BLOCKED
    assert verdict.ingress.isolating == ("shop/NetworkPolicy/deny",)
    assert any("has no ingress rules" in r for r in verdict.ingress.reasons)
    assert verdict.egress.state == ALLOWED  # Ingress-only: the source's egress is untouched


def test_default_deny_egress_blocks_the_source_side():
    ps = _set(policy("ops", "deny-out", {"podSelector": {}, "policyTypes": ["Egress"]}))
    verdict = ps.evaluate(
        endpoint(ps, "ops", app="cron"), endpoint(ps, "shop", app="web"), TCP_8080
    )
    assert verdict.state == BLOCKED
    assert verdict.egress.state == BLOCKED and verdict.ingress.state == ALLOWED
    assert verdict.egress.isolating == ("ops/NetworkPolicy/deny-out",)


def test_policy_types_default_to_egress_only_when_egress_rules_exist():
    with_egress = policy("ops", "out", {"podSelector": {}, "egress": [
        {"to": [{"podSelector": {"matchLabels": {"app": "db"}}}]}]})  # fmt: skip
    assert with_egress.policy_types == ("Ingress", "Egress")
    ps = _set(with_egress)
    cron = endpoint(ps, "ops", app="cron")
    assert ps.evaluate(cron, endpoint(ps, "ops", app="db"), TCP_8080).state == BLOCKED  # ingress
    assert ps.evaluate(cron, endpoint(ps, "shop", app="web"), TCP_8080).egress.state == BLOCKED


def test_egress_only_policy_leaves_ingress_open():
    ps = _set(policy("shop", "out", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [
        {"to": [{"namespaceSelector": {"matchLabels": {"team": "money"}}}]}]}))  # fmt: skip
    web = endpoint(ps, "shop", app="web")
    assert ps.evaluate(endpoint(ps, "ops", app="cron"), web, TCP_8080).state == ALLOWED
    allowed = ps.evaluate(web, endpoint(ps, "bank", app="ledger"), TCP_8080)
    assert allowed.state == ALLOWED
    assert [r.words for r in allowed.egress.allowed_by] == ["shop/NetworkPolicy/out egress[0]"]
    assert ps.evaluate(web, endpoint(ps, "ops", app="cron"), TCP_8080).state == BLOCKED


def test_empty_pod_selector_selects_all_but_absent_one_means_any_pod_of_the_namespaces():
    everyone_here = policy("shop", "here", {"podSelector": {}, "ingress": [
        {"from": [{"podSelector": {}}]}]})  # fmt: skip
    ps = _set(everyone_here)
    web = endpoint(ps, "shop", app="web")
    assert ps.evaluate(endpoint(ps, "shop", app="x"), web, TCP_8080).state == ALLOWED
    # podSelector {} in a peer means the policy's namespace only.
    assert ps.evaluate(endpoint(ps, "ops", app="x"), web, TCP_8080).state == BLOCKED
    # namespaceSelector {} with the podSelector absent: every pod of every namespace.
    any_ns = _set(policy("shop", "all", {"podSelector": {}, "ingress": [
        {"from": [{"namespaceSelector": {}}]}]}))  # fmt: skip
    assert any_ns.evaluate(endpoint(any_ns, "ops", app="x"), web, TCP_8080).state == ALLOWED
    outside = Endpoint("", external=True, ips=("8.8.8.8",))
    assert any_ns.evaluate(outside, web, TCP_8080).state == BLOCKED


def test_empty_from_list_allows_everything_even_outside():
    ps = _set(policy("shop", "open", {"podSelector": {}, "ingress": [{}]}))
    outside = Endpoint("", external=True, name="client")
    assert ps.evaluate(outside, endpoint(ps, "shop", app="web"), TCP_8080).state == ALLOWED


def test_namespace_and_pod_selector_in_one_peer_are_anded():
    ps = _set(policy("shop", "and", {"podSelector": {}, "ingress": [{"from": [
        {"namespaceSelector": {"matchLabels": {"team": "ops"}},
         "podSelector": {"matchLabels": {"app": "cron"}}}]}]}))  # fmt: skip
    web = endpoint(ps, "shop", app="web")
    assert ps.evaluate(endpoint(ps, "ops", app="cron"), web, TCP_8080).state == ALLOWED
    assert ps.evaluate(endpoint(ps, "ops", app="shell"), web, TCP_8080).state == BLOCKED
    assert ps.evaluate(endpoint(ps, "shop", app="cron"), web, TCP_8080).state == BLOCKED


def test_namespace_and_pod_selector_as_two_peers_are_ored():
    ps = _set(policy("shop", "or", {"podSelector": {}, "ingress": [{"from": [
        {"namespaceSelector": {"matchLabels": {"team": "ops"}}},
        {"podSelector": {"matchLabels": {"app": "cron"}}}]}]}))  # fmt: skip
    web = endpoint(ps, "shop", app="web")
    assert ps.evaluate(endpoint(ps, "ops", app="shell"), web, TCP_8080).state == ALLOWED
    assert ps.evaluate(endpoint(ps, "shop", app="cron"), web, TCP_8080).state == ALLOWED
    blocked = ps.evaluate(endpoint(ps, "bank", app="cron"), web, TCP_8080)
    assert blocked.state == BLOCKED
    assert any("not one of pods matching app=cron in namespace shop" in r for r in blocked.reasons)


def test_namespace_selector_matches_the_name_label_even_when_the_record_lacks_it():
    ps = PolicySet.from_inventory(Inventory(
        namespaces=(NamespaceRecord("ops", {}),),
        network_policies=(policy("shop", "by-name", {"podSelector": {}, "ingress": [{"from": [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ops"}}}]}]}),),
    ))  # fmt: skip
    assert (
        ps.evaluate(endpoint(ps, "ops", app="a"), endpoint(ps, "shop"), TCP_8080).state == ALLOWED
    )
    assert (
        ps.evaluate(endpoint(ps, "dev", app="a"), endpoint(ps, "shop"), TCP_8080).state == BLOCKED
    )


def test_multiple_policies_are_ored_and_each_allowing_rule_is_cited():
    ps = _set(
        policy("shop", "from-ops", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [
            {"from": [{"namespaceSelector": {"matchLabels": {"team": "ops"}}}]}]}),
        policy("shop", "from-cron", {"podSelector": {}, "ingress": [
            {"from": [{"namespaceSelector": {},
                       "podSelector": {"matchLabels": {"app": "cron"}}}]}]}),
    )  # fmt: skip
    web = endpoint(ps, "shop", app="web")
    both = ps.evaluate(endpoint(ps, "ops", app="cron"), web, TCP_8080)
    assert both.state == ALLOWED
    assert sorted(r.policy for r in both.ingress.allowed_by) == [
        "shop/NetworkPolicy/from-cron",
        "shop/NetworkPolicy/from-ops",
    ]
    assert ps.evaluate(endpoint(ps, "bank", app="cron"), web, TCP_8080).state == ALLOWED
    denied = ps.evaluate(endpoint(ps, "bank", app="api"), web, TCP_8080)
    assert denied.state == BLOCKED
    assert set(denied.ingress.isolating) == {
        "shop/NetworkPolicy/from-ops",
        "shop/NetworkPolicy/from-cron",
    }


def test_match_expressions_in_notin_exists_does_not_exist():
    ps = _set(policy("shop", "exprs", {
        "podSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["db"]}]},
        "ingress": [{"from": [{"podSelector": {"matchExpressions": [
            {"key": "env", "operator": "NotIn", "values": ["dev"]},
            {"key": "trusted", "operator": "Exists"},
            {"key": "quarantined", "operator": "DoesNotExist"}]}}]}]}))  # fmt: skip
    db = endpoint(ps, "shop", tier="db")
    assert ps.evaluate(endpoint(ps, "shop", trusted="1", env="prod"), db, TCP_8080).state == ALLOWED
    assert ps.evaluate(endpoint(ps, "shop", trusted="1"), db, TCP_8080).state == ALLOWED
    assert ps.evaluate(endpoint(ps, "shop", trusted="1", env="dev"), db, TCP_8080).state == BLOCKED
    assert ps.evaluate(endpoint(ps, "shop", env="prod"), db, TCP_8080).state == BLOCKED
    assert ps.evaluate(endpoint(ps, "shop", trusted="1", quarantined="y"), db,
                       TCP_8080).state == BLOCKED  # fmt: skip
    # The policy selects tier In (db) only: a cache pod is not isolated.
    assert (
        ps.evaluate(endpoint(ps, "ops"), endpoint(ps, "shop", tier="cache"), TCP_8080).state
        == ALLOWED
    )


def test_ip_block_with_except_ipv4_and_ipv6():
    ps = _set(policy("shop", "cidr", {"podSelector": {}, "ingress": [{"from": [
        {"ipBlock": {"cidr": "172.17.0.0/16", "except": ["172.17.1.0/24"]}},
        {"ipBlock": {"cidr": "2001:db8::/32", "except": ["2001:db8:bad::/48"]}}]}]}))  # fmt: skip
    web = endpoint(ps, "shop", app="web")

    def from_ip(ip: str) -> str:
        return ps.evaluate(Endpoint("", ips=(ip,), external=True), web, TCP_8080).state

    assert from_ip("172.17.0.9") == ALLOWED
    assert from_ip("172.17.1.9") == BLOCKED
    assert from_ip("172.18.0.1") == BLOCKED
    assert from_ip("2001:db8:1::5") == ALLOWED
    assert from_ip("2001:db8:bad::5") == BLOCKED
    assert from_ip("2001:db9::1") == BLOCKED
    # An unknown address cannot be judged by an ipBlock.
    unknown = ps.evaluate(Endpoint("", external=True, name="client"), web, TCP_8080)
    assert unknown.state == UNKNOWN
    assert any("address of client is unknown" in r for r in unknown.reasons)


def test_ip_in_block_reads_bad_cidrs_as_cannot_tell():
    assert ip_in_block("10.0.0.1", "not-a-cidr", ())[0] is None
    assert ip_in_block("10.0.0.1", "10.0.0.0/8", ("garbage",))[0] is None
    assert ip_in_block("10.0.0.1", "2001:db8::/32", ())[0] is False


def test_numeric_port_protocol_and_end_port_range():
    ps = _set(policy("shop", "ports", {"podSelector": {}, "ingress": [{"ports": [
        {"port": 8000, "endPort": 8100}, {"protocol": "UDP", "port": 53}]}]}))  # fmt: skip
    src, dst = endpoint(ps, "ops"), endpoint(ps, "shop")
    assert ps.evaluate(src, dst, TargetPort("TCP", 8000)).state == ALLOWED
    assert ps.evaluate(src, dst, TargetPort("TCP", 8100)).state == ALLOWED
    assert ps.evaluate(src, dst, TargetPort("TCP", 8101)).state == BLOCKED
    assert ps.evaluate(src, dst, TargetPort("TCP", 53)).state == BLOCKED  # UDP rule only
    assert ps.evaluate(src, dst, TargetPort("UDP", 53)).state == ALLOWED
    assert ps.evaluate(src, dst, TargetPort("TCP")).state == UNKNOWN  # port not known


def test_named_ports_resolved_and_unresolved():
    ps = _set(policy("shop", "named", {"podSelector": {}, "ingress": [{"ports": [
        {"port": "http"}]}]}))  # fmt: skip
    src, dst = endpoint(ps, "ops"), endpoint(ps, "shop")
    assert ps.evaluate(src, dst, TargetPort("TCP", None, "http")).state == ALLOWED
    assert ps.evaluate(src, dst, TargetPort("TCP", None, "grpc")).state == BLOCKED
    unresolved = ps.evaluate(src, dst, TargetPort("TCP", 8080))
    assert unresolved.state == UNKNOWN
    assert any("unresolved" in r for r in unresolved.reasons)
    assert [r.words for r in unresolved.ingress.undecided] == [
        "shop/NetworkPolicy/named ingress[0]"
    ]


def test_numeric_rule_against_a_named_target_port_is_unresolved_not_guessed():
    ps = _set(policy("shop", "num", {"podSelector": {}, "ingress": [{"ports": [{"port": 8080}]}]}))
    verdict = ps.evaluate(
        endpoint(ps, "ops"), endpoint(ps, "shop"), TargetPort("TCP", None, "http")
    )
    assert verdict.state == UNKNOWN
    assert any("unresolved" in r for r in verdict.reasons)


def test_one_allowing_rule_wins_over_an_undecided_one():
    ps = _set(policy("shop", "mixed", {"podSelector": {}, "ingress": [
        {"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]},
        {"from": [{"namespaceSelector": {"matchLabels": {"team": "ops"}}}]}]}))  # fmt: skip
    verdict = ps.evaluate(endpoint(ps, "ops"), endpoint(ps, "shop"), TCP_8080)
    assert verdict.state == ALLOWED
    assert [r.index for r in verdict.ingress.allowed_by] == [1]


def test_both_sides_must_allow():
    ps = _set(
        policy("ops", "out", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [
            {"to": [{"namespaceSelector": {"matchLabels": {"team": "shop"}}}],
             "ports": [{"port": 8080}]}]}),
        policy("shop", "in", {"podSelector": {}, "ingress": [
            {"from": [{"namespaceSelector": {"matchLabels": {"team": "ops"}}}]}]}),
    )  # fmt: skip
    cron, web = endpoint(ps, "ops", app="cron"), endpoint(ps, "shop", app="web")
    assert ps.evaluate(cron, web, TCP_8080).state == ALLOWED
    wrong_port = ps.evaluate(cron, web, TargetPort("TCP", 9090))
    assert wrong_port.state == BLOCKED
    assert wrong_port.egress.state == BLOCKED and wrong_port.ingress.state == ALLOWED


def test_cluster_labels_in_reasons_are_bounded():
    long = "x" * 5000
    ps = _set(policy("shop", "p", {"podSelector": {}, "ingress": [{"from": [
        {"podSelector": {"matchLabels": {"app": long}}}]}]}))  # fmt: skip
    verdict = ps.evaluate(endpoint(ps, "shop", app=long * 2), endpoint(ps, "shop"), TCP_8080)
    assert verdict.state == BLOCKED
    assert max(len(r) for r in verdict.reasons) < 700
