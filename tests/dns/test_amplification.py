"""Search-path amplification on hand-built inventories, and the remedies as valid YAML."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from collectors.records import PodRecord
from webapp.dns import amplification, remedies
from webapp.dns.builders import amplification_report
from webapp.dns.queries import ZoneTotals

SEARCH = ("shop.svc.cluster.local", "svc.cluster.local", "cluster.local")
DEFAULT_COREFILE = Path(__file__).resolve().parents[1] / (
    "fixtures/dns/coredns-configmap.k8s-default-corefile.k8s-docs.yaml"
)


def pod(namespace: str, name: str, ndots: int = 5, search: tuple[str, ...] = SEARCH,
        policy: str = "ClusterFirst") -> PodRecord:  # fmt: skip
    return PodRecord(namespace, name, dns_policy=policy, ndots=ndots, search=search)


@pytest.mark.parametrize(
    ("name", "ndots", "aaaa", "expected"),
    [
        ("api.stripe.com", 5, True, 8),  # 3 search domains + itself, A and AAAA
        ("api.stripe.com", 5, False, 4),
        ("api.stripe.com", 1, True, 2),  # two dots ≥ ndots 1: tried as is first
        ("api.stripe.com.", 5, True, 2),  # trailing dot: absolute
        ("api.stripe.com.", 5, False, 1),
        ("a.b.c.d.e.example.com", 5, True, 2),  # six dots reach ndots 5
    ],
)
def test_expected_lookups(name, ndots, aaaa, expected):
    assert amplification.expected_lookups(name, ndots, SEARCH, aaaa) == expected


def test_namespaces_report_their_worst_configuration():
    pods = [
        pod("shop", "payments-1"),
        pod("shop", "payments-2"),
        pod("shop", "tuned-1", ndots=2),
        pod("web", "front-1", ndots=1),
        pod("kube-system", "coredns-1", policy="Default", search=()),
    ]
    profiles = {p.namespace: p for p in amplification.namespace_profiles(pods)}
    assert set(profiles) == {"shop", "web"}  # CoreDNS itself resolves through the node
    shop = profiles["shop"]
    assert (shop.pods, shop.ndots, shop.expected_lookups) == (3, 5, 8)
    assert (shop.pods_amplified, shop.configurations) == (2, 2)
    assert (profiles["web"].expected_lookups, profiles["web"].pods_amplified) == (2, 0)
    only = amplification.namespace_profiles(pods, namespaces=("web",))
    assert [p.namespace for p in only] == ["web"]


def test_observed_traces_from_coredns_totals():
    zones = [
        ZoneTotals("dns://:53", ".", requests=100.0, by_type={"A": 50.0, "AAAA": 50.0},
                   rcodes={"NOERROR": 25.0, "NXDOMAIN": 75.0},
                   nxdomain_by_plugin={"kubernetes": 60.0, "cache": 15.0}),
    ]  # fmt: skip
    seen = amplification.observed(zones, "cluster.local")
    assert seen["nxdomain_share"] == 0.75
    assert seen["cluster_nxdomain_share"] == 0.6
    assert "kubernetes plugin" in str(seen["cluster_nxdomain_basis"])
    assert seen["queries_per_noerror"] == 4.0 and seen["a_aaaa_doubling"] is True
    assert seen["observed_multiplier"] == 8.0


def test_a_cluster_zone_of_its_own_is_read_directly():
    zones = [
        ZoneTotals("dns://:53", "cluster.local.", requests=10.0,
                   rcodes={"NOERROR": 6.0, "NXDOMAIN": 4.0}),
        ZoneTotals("dns://:53", ".", requests=10.0, rcodes={"NOERROR": 10.0}),
    ]  # fmt: skip
    seen = amplification.observed(zones, "cluster.local")
    assert seen["cluster_nxdomain_share"] == 0.4 and seen["nxdomain_share"] == 0.2


def test_the_report_says_how_and_offers_remedies():
    report = amplification_report([], [pod("shop", "payments-1")], ())
    assert "ndots" in report["method"] and "search" in report["method"]
    (shop,) = report["namespaces"]
    assert shop["expected_lookups"] == 8 and shop["remedies"]
    assert [r["id"] for r in report["remedies"]] == ["dns_config", "trailing_dot", "autopath"]


def test_every_remedy_is_valid_yaml():
    for remedy in remedies.remedies("cluster.local", "api.example.com", 2):
        assert remedy["format"] == "yaml"
        assert isinstance(yaml.safe_load(remedy["snippet"]), dict), remedy["id"]
    dns_config = yaml.safe_load(remedies.dns_config(2).snippet)
    options = dns_config["spec"]["template"]["spec"]["dnsConfig"]["options"]
    assert options == [{"name": "ndots", "value": "2"}]
    env = yaml.safe_load(remedies.trailing_dot("api.example.com").snippet)["env"]
    assert env[0]["value"] == "api.example.com."


def test_the_autopath_corefile_is_the_default_one_plus_autopath():
    default = yaml.safe_load(DEFAULT_COREFILE.read_text())["data"]["Corefile"]
    ours = yaml.safe_load(remedies.autopath("cluster.local").snippet)["data"]["Corefile"]
    plugins = {line.strip() for line in default.splitlines()}
    added = {line.strip() for line in ours.splitlines()} - plugins
    assert added == {"autopath @kubernetes", "pods verified"}
    assert "pods insecure" not in ours  # autopath needs pods verified
