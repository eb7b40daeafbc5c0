"""The real NetworkPolicy of tests/fixtures/k8s/core (k9s' "fred"), parsed and evaluated.

fred selects app=nginx in default, isolates both ways, lets in 172.17.0.0/16 minus three
/24s, any pod of namespaces labelled app=blee, or app=fred pods of default, on 6379/TCP
only; and lets out only to 10.0.0.0/24 on 5978/TCP.
"""

from __future__ import annotations

import json
from pathlib import Path

from collectors.kube.cluster_records import network_policy_record
from collectors.kube.parse import NetworkPolicyInfo, parse_network_policy
from collectors.records import Inventory, NamespaceRecord
from webapp.security.netpol import ALLOWED, BLOCKED, UNKNOWN, Endpoint, PolicySet, TargetPort

FIXTURE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "k8s" / "core" / "networkpolicy.k9s.json"
)
REDIS = TargetPort("TCP", 6379)


def _policies() -> PolicySet:
    parsed = parse_network_policy(json.loads(FIXTURE.read_text()))
    assert isinstance(parsed, NetworkPolicyInfo)
    return PolicySet.from_inventory(Inventory(
        namespaces=(NamespaceRecord("default", {}), NamespaceRecord("blee", {"app": "blee"}),
                    NamespaceRecord("other", {"app": "other"})),
        network_policies=(network_policy_record(parsed),),
    ))  # fmt: skip


def _pod(ps: PolicySet, namespace: str, ip: str = "", **labels: str) -> Endpoint:
    return Endpoint(namespace, labels, ps.labels_of(namespace), (ip,) if ip else (),
                    name=f"{namespace}/{labels.get('app', 'pod')}")  # fmt: skip


def test_fred_isolates_nginx_both_ways_and_nothing_else():
    ps = _policies()
    nginx = _pod(ps, "default", app="nginx")
    assert [p.name for p in ps.isolating(nginx, "Ingress")] == ["fred"]
    assert [p.name for p in ps.isolating(nginx, "Egress")] == ["fred"]
    assert ps.isolating(_pod(ps, "default", app="redis"), "Ingress") == ()


def test_fred_ingress_peers_each_allow_on_6379_only():
    ps = _policies()
    nginx = _pod(ps, "default", app="nginx")
    fred = _pod(ps, "default", app="fred")
    assert ps.evaluate(fred, nginx, REDIS).ingress.state == ALLOWED
    assert ps.evaluate(fred, nginx, TargetPort("TCP", 80)).ingress.state == BLOCKED
    assert ps.evaluate(_pod(ps, "blee", app="x"), nginx, REDIS).ingress.state == ALLOWED
    outsider = _pod(ps, "other", "10.1.0.5", app="fred")
    assert ps.evaluate(outsider, nginx, REDIS).ingress.state == BLOCKED
    # Without its address, the ipBlock peer cannot rule the pod out: no guess either way.
    assert ps.evaluate(_pod(ps, "other", app="fred"), nginx, REDIS).ingress.state == UNKNOWN


def test_fred_ip_block_except_carves_out_its_three_subnets():
    ps = _policies()
    nginx = _pod(ps, "default", app="nginx")

    def client(ip: str) -> str:
        return ps.evaluate(Endpoint("", ips=(ip,), external=True), nginx, REDIS).state

    assert client("172.17.0.10") == ALLOWED
    assert client("172.17.2.10") == ALLOWED
    assert [client(f"172.17.{n}.10") for n in (1, 3, 4)] == [BLOCKED] * 3
    assert client("172.16.0.1") == BLOCKED


def test_fred_egress_reaches_only_its_block_on_5978():
    ps = _policies()
    nginx = _pod(ps, "default", "10.0.9.1", app="nginx")
    inside = Endpoint("", ips=("10.0.0.7",), external=True)
    assert ps.evaluate(nginx, inside, TargetPort("TCP", 5978)).state == ALLOWED
    assert ps.evaluate(nginx, inside, TargetPort("TCP", 5979)).state == BLOCKED
    to_pod = ps.evaluate(
        nginx, _pod(ps, "default", "10.1.0.5", app="redis"), TargetPort("TCP", 5978)
    )
    assert to_pod.state == BLOCKED
    assert to_pod.egress.isolating == ("default/NetworkPolicy/fred",)
